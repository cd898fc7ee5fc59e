#include "cli/input.h"

#include "base/limits.h"
#include "frontend/ir/json_locations.h"
#include "frontend/loader.h"

namespace calm::cli {

bool read_json_input(const std::string& path, DiagnosticId check, std::string& text,
                     nlohmann::json& doc, Diagnostics& diags) {
  if (!read_text_file(path, text, diags)) return false;
  if (size_t bad = invalid_utf8_at(text); bad != std::string::npos) {
    diags.error(check, "invalid UTF-8", location_at(path, text, bad));
    return false;
  }
  if (auto deep = ir::json_too_deep_at(text, path)) {
    diags.error(
        check, "JSON nested too deeply (more than " + std::to_string(kMaxNestingDepth) + " levels)",
        *deep);
    return false;
  }
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    size_t at = what.find("syntax error");
    // e.byte is 1-based: the byte after the last one read.
    diags.error(check, "invalid JSON: " + (at == std::string::npos ? what : what.substr(at)),
                location_at(path, text, e.byte > 0 ? e.byte - 1 : 0));
    return false;
  } catch (const nlohmann::json::exception& e) {  // out_of_range.406: 1e999
    diags.error(check, "invalid JSON: " + ir::json_error_text(e.what()),
                ir::json_error_location(text, path, e.what()));
    return false;
  }
  return true;
}

SourceLocation json_pointer_location(const std::string& text, const std::string& path,
                                     const std::string& pointer) {
  auto where = ir::json_value_locations(text, path);
  // The nearest enclosing value that has a place.
  for (std::string p = pointer;; p = p.substr(0, p.rfind('/'))) {
    if (auto it = where.find(p); it != where.end()) return it->second;
    if (p.empty()) break;
  }
  return {path, 0, 0};
}

}  // namespace calm::cli
