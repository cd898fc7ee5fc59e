#include "cli/input.h"

#include "base/input_files.h"
#include "base/located_json.h"

namespace calm::cli {

bool read_json_input(const std::string& path, DiagnosticId check, std::string& text,
                     nlohmann::json& doc, Diagnostics& diags) {
  return read_text_file(path, text, diags) && read_json(text, path, check, doc, diags);
}

}  // namespace calm::cli
