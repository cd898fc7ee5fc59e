#include "frontend/loader.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "frontend/front_end.h"

namespace fs = std::filesystem;

namespace calm {

namespace {

/// Position of the first invalid UTF-8 sequence, or npos.
size_t invalid_utf8_at(const std::string& s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    if (len == 0 || i + len > n) return i;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    i += len;
  }
  return std::string::npos;
}

}  // namespace

bool read_source_file(const std::string& path, std::string& text, Diagnostics& diags) {
  SourceLocation at{path, 0, 0};
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    diags.error("calm-io-error", "no such file", at);
    return false;
  }
  if (fs::is_directory(path, ec)) {
    diags.error("calm-io-error", "is a directory, not a Bud file", at);
    return false;
  }
  auto size = fs::file_size(path, ec);
  if (ec) {
    diags.error("calm-io-error", "cannot read: " + ec.message(), at);
    return false;
  }
  if (size > kMaxSourceBytes) {
    diags.error("calm-io-error",
                "file is too large (" + std::to_string(size) + " bytes; the limit is " +
                    std::to_string(kMaxSourceBytes) + ")",
                at);
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error("calm-io-error", "cannot open for reading", at);
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  text = ss.str();
  return validate_source_text(path, text, diags);
}

bool validate_source_text(const std::string& path, std::string& text, Diagnostics& diags) {
  if (size_t nul = text.find('\0'); nul != std::string::npos) {
    diags.error("calm-parse-error", "binary file (NUL byte); not a Ruby source file",
                location_at(path, text, nul));
    text.clear();
    return false;
  }
  if (size_t bad = invalid_utf8_at(text); bad != std::string::npos) {
    diags.error("calm-parse-error", "invalid UTF-8 in source file", location_at(path, text, bad));
    text.clear();
    return false;
  }
  return true;
}

LoadResult load_programs(const LoadOptions& options) {
  LoadResult result;
  if (!options.lang.empty() && !find_front_end(options.lang)) {
    result.diagnostics.error(
        "calm-io-error", "unknown language '" + options.lang + "' (" + front_end_names() + ")", {});
    return result;
  }
  // Each front end reads its files, in the order of the table.
  std::map<const FrontEnd*, std::vector<std::string>> by_front_end;
  for (const auto& f : options.files) by_front_end[&front_end_for(f, options.lang)].push_back(f);
  for (const FrontEnd& fe : front_ends())
    if (auto it = by_front_end.find(&fe); it != by_front_end.end())
      fe.load(it->second, options, result);
  return result;
}

}  // namespace calm
