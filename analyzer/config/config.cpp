#include "config/config.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "base/located_json.h"
#include "base/text.h"
#include "frontend/front_end.h"

namespace fs = std::filesystem;

namespace calm {

namespace {

const std::vector<std::string> kTopKeys = {"$schema", "programs", "include_dirs",
                                           "paths",   "exclude",  "disabled_checks",
                                           "fail_on", "baseline"};
const std::vector<std::string> kProgramKeys = {"name", "files", "modules"};

std::string join_path(const fs::path& dir, const std::string& p) {
  if (fs::path(p).is_absolute() || dir.empty()) return fs::path(p).lexically_normal().string();
  return (dir / p).lexically_normal().string();
}

}  // namespace

bool parse_config(const std::string& text, const std::string& path,
                  const std::vector<std::string>& known_checks, Config& config,
                  Diagnostics& diags) {
  config = Config{};
  config.path = path;
  constexpr DiagnosticId check = "calm-config";
  nlohmann::json j;
  if (!read_json(text, path, check, j, diags)) return false;
  const JsonLocations where(text, path);
  if (const auto& dup = where.duplicate_key()) {
    diags.error(check, "duplicate key '" + dup->first + "'", dup->second);
    return false;
  }
  auto at = [&](const std::string& pointer) { return where.locate(pointer); };
  size_t errors_before = diags.size();
  auto unknown_keys = [&](const nlohmann::json& obj, const std::string& pointer,
                          const std::vector<std::string>& known) {
    for (const auto& [key, value] : obj.items()) {
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      std::string msg = "unknown key '" + key + "'" + did_you_mean(key, known);
      diags.error(check, msg, at(pointer_append(pointer, key)));
    }
  };
  auto strings = [&](const nlohmann::json& v, const std::string& pointer,
                     std::vector<std::string>& into) {
    if (!v.is_array()) {
      diags.error(check,
                  "'" + pointer.substr(pointer.rfind('/') + 1) + "' must be a list of strings",
                  at(pointer));
      return;
    }
    for (size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string())
        diags.error(check, "expected a string", at(pointer + "/" + std::to_string(i)));
      else if (v[i].get<std::string>().find('\0') != std::string::npos)
        diags.error(check, "a path cannot hold a NUL byte", at(pointer + "/" + std::to_string(i)));
      else
        into.push_back(v[i].get<std::string>());
    }
  };
  if (!j.is_object()) {
    diags.error(check, "the configuration must be a JSON object", at(""));
    return false;
  }
  unknown_keys(j, "", kTopKeys);
  fs::path dir = fs::path(path).parent_path();
  if (j.contains("programs")) {
    const auto& progs = j["programs"];
    if (!progs.is_array()) {
      diags.error(check, "'programs' must be a list of objects", at("/programs"));
    } else {
      for (size_t i = 0; i < progs.size(); ++i) {
        std::string ptr = "/programs/" + std::to_string(i);
        const auto& p = progs[i];
        if (!p.is_object()) {
          diags.error(check, "a program must be an object {name, files, modules}", at(ptr));
          continue;
        }
        unknown_keys(p, ptr, kProgramKeys);
        ProgramConfig pc;
        pc.location = at(ptr);
        if (p.contains("name")) {
          if (p["name"].is_string())
            pc.name = p["name"].get<std::string>();
          else
            diags.error(check, "'name' must be a string", at(ptr + "/name"));
        }
        std::vector<std::string> files;
        if (p.contains("files")) strings(p["files"], ptr + "/files", files);
        if (files.empty()) diags.error(check, "a program needs at least one file", at(ptr));
        for (size_t k = 0; k < files.size(); ++k)
          if (!is_program_file_name(files[k]))
            diags.error(check,
                        "'" + files[k] + "' is not a program file (" + program_extensions_text() +
                            "); a configuration names only programs",
                        at(ptr + "/files/" + std::to_string(k)));
        for (const auto& f : files) pc.files.push_back(join_path(dir, f));
        if (p.contains("modules")) strings(p["modules"], ptr + "/modules", pc.modules);
        for (size_t m = 0; m < pc.modules.size(); ++m)
          pc.module_locations.push_back(at(ptr + "/modules/" + std::to_string(m)));
        config.programs.push_back(std::move(pc));
      }
    }
  }
  if (j.contains("include_dirs")) {
    std::vector<std::string> dirs;
    strings(j["include_dirs"], "/include_dirs", dirs);
    for (const auto& d : dirs) config.include_dirs.push_back(join_path(dir, d));
  }
  // Globs stay as written; FileScope joins them to the configuration's directory.
  if (j.contains("paths")) strings(j["paths"], "/paths", config.paths);
  if (j.contains("exclude")) strings(j["exclude"], "/exclude", config.exclude);
  config.dir = dir.string();
  if (j.contains("disabled_checks")) {
    strings(j["disabled_checks"], "/disabled_checks", config.disabled_checks);
    for (size_t i = 0; i < config.disabled_checks.size(); ++i) {
      const auto& id = config.disabled_checks[i];
      if (std::find(known_checks.begin(), known_checks.end(), id) != known_checks.end()) continue;
      std::string msg = "unknown check '" + id + "'" + did_you_mean(id, known_checks);
      diags.error(check, msg, at("/disabled_checks/" + std::to_string(i)));
    }
  }
  if (j.contains("fail_on")) {
    const auto& v = j["fail_on"];
    std::optional<Severity> s;
    if (v.is_string()) s = severity_from_string(v.get<std::string>());
    if (!s)
      diags.error(check, "'fail_on' must be \"note\", \"warning\" or \"error\"", at("/fail_on"));
    else
      config.fail_on = s;
  }
  if (j.contains("baseline")) {
    if (!j["baseline"].is_string())
      diags.error(check, "'baseline' must be a path", at("/baseline"));
    else if (j["baseline"].get<std::string>().find('\0') != std::string::npos)
      diags.error(check, "a path cannot hold a NUL byte", at("/baseline"));
    else if (!j["baseline"].get<std::string>().ends_with(".json"))
      diags.error(check, "'baseline' must name a .json file", at("/baseline"));
    else
      config.baseline = join_path(dir, j["baseline"].get<std::string>());
  }
  return diags.size() == errors_before;
}

std::optional<std::string> find_config(const fs::path& start) {
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec).lexically_normal();
  if (ec) return std::nullopt;
  if (dir.filename().empty() && dir.has_parent_path()) dir = dir.parent_path();  // "/a/b/"
  fs::path cwd = fs::current_path(ec);
  for (;;) {
    fs::path candidate = dir / kConfigFileName;
    if (fs::is_regular_file(candidate, ec)) {
      fs::path rel = candidate.lexically_relative(cwd);
      return rel.empty() ? candidate.string() : rel.string();
    }
    if (!dir.has_parent_path() || dir.parent_path() == dir) return std::nullopt;
    dir = dir.parent_path();
  }
}

void relocate_module_diagnostics(Diagnostics& diags, const std::vector<std::string>& modules,
                                 const std::vector<SourceLocation>& locations) {
  std::vector<Diagnostic> all = diags.take();
  for (auto& d : all) {
    if (d.location.file != "<command line>") {
      diags.add(std::move(d));
      continue;
    }
    // The module the message is about is its first quoted name ("unknown module or
    // class 'Nope'; did you mean ...").
    size_t open = d.message.find('\'');
    size_t close = open == std::string::npos ? open : d.message.find('\'', open + 1);
    std::string named =
        close == std::string::npos ? "" : d.message.substr(open + 1, close - open - 1);
    for (size_t i = 0; i < modules.size() && i < locations.size(); ++i)
      if (modules[i] == named && !locations[i].file.empty()) {
        d.location = locations[i];
        break;
      }
    diags.add(std::move(d));
  }
}

}  // namespace calm
