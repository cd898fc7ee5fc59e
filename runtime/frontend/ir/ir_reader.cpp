#include "frontend/ir/ir_reader.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "base/limits.h"
#include "base/located_json.h"
#include "base/text.h"
#include "frontend/bud/composer.h"

namespace calm::ir {

namespace {

using json = nlohmann::json;

/// A problem found while reading: reported once, at its place.
struct Problem {
  std::string message;
  std::string pointer;
  DiagnosticId check = kParseError;
};

std::string join_quoted(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", '" : "'") + v[i] + "'";
  return out;
}

class Reader {
 public:
  explicit Reader(const JsonLocations& where) : where_(where) {}

  std::vector<Program> document(const json& doc) {
    // "diagnostics": what `calm model` could not read; information, not program.
    object(doc, "", {"$schema", "programs", "diagnostics"}, {"programs"});
    const json& ps = doc["programs"];
    array(ps, "/programs");
    std::vector<Program> out;
    std::set<std::string> names;
    for (size_t i = 0; i < ps.size(); ++i) {
      const std::string at = "/programs/" + std::to_string(i);
      out.push_back(program(ps[i], at));
      if (!names.insert(out.back().name).second)
        throw Problem{"two programs are named '" + out.back().name + "'", at + "/name"};
    }
    return out;
  }

  SourceLocation locate(const std::string& pointer) const { return where_.locate(pointer); }

 private:
  // ---- shapes ----
  void object(const json& j, const std::string& at, const std::vector<std::string>& allowed,
              const std::vector<std::string>& required) const {
    if (!j.is_object()) throw Problem{"expected an object", at};
    for (const auto& [key, value] : j.items()) {
      (void)value;
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string hint = closest_name(key, allowed);
        throw Problem{"unknown field '" + key + "'" +
                          (hint.empty() ? " (fields: " + join_quoted(allowed) + ")"
                                        : "; did you mean '" + hint + "'?"),
                      pointer_append(at, key)};
      }
    }
    for (const auto& key : required)
      if (!j.contains(key)) throw Problem{"missing field '" + key + "'", at};
  }
  void array(const json& j, const std::string& at) const {
    if (!j.is_array()) throw Problem{"expected an array", at};
  }
  std::string string(const json& j, const std::string& key, const std::string& at,
                     const std::string& fallback = "") const {
    if (!j.contains(key)) return fallback;
    if (!j[key].is_string()) throw Problem{"'" + key + "' must be a string", at + "/" + key};
    return j[key].get<std::string>();
  }
  bool boolean(const json& j, const std::string& key, const std::string& at) const {
    if (!j.contains(key)) return false;
    if (!j[key].is_boolean()) throw Problem{"'" + key + "' must be true or false", at + "/" + key};
    return j[key].get<bool>();
  }
  std::vector<std::string> strings(const json& j, const std::string& key,
                                   const std::string& at) const {
    std::vector<std::string> out;
    if (!j.contains(key)) return out;
    const std::string here = at + "/" + key;
    array(j[key], here);
    for (size_t i = 0; i < j[key].size(); ++i) {
      if (!j[key][i].is_string())
        throw Problem{"'" + key + "' holds strings", here + "/" + std::to_string(i)};
      out.push_back(j[key][i].get<std::string>());
    }
    return out;
  }
  std::string name(const json& j, const std::string& key, const std::string& at) const {
    std::string s = string(j, key, at);
    if (s.empty()) throw Problem{"'" + key + "' must be a non-empty string", at + "/" + key};
    return s;
  }
  /// `"location": {"file", "line", "column"}`, or the value's place in the IR file.
  SourceLocation location(const json& j, const std::string& key, const std::string& at) const {
    if (!j.contains(key)) return locate(at);
    const std::string here = at + "/" + key;
    const json& l = j[key];
    object(l, here, {"file", "line", "column"}, {"file", "line", "column"});
    auto number = [&](const char* k) {
      if (!l[k].is_number_integer() || l[k].get<long long>() < 0 ||
          l[k].get<long long>() > 100000000)
        throw Problem{std::string("'") + k + "' must be a whole number >= 0", here + "/" + k};
      return static_cast<int>(l[k].get<long long>());
    };
    if (!l["file"].is_string()) throw Problem{"'file' must be a string", here + "/file"};
    return {l["file"].get<std::string>(), number("line"), number("column")};
  }

  // ---- program model ----
  Program program(const json& j, const std::string& at) {
    object(j, at, {"name", "modules", "location", "collections", "rules", "user_lattices"},
           {"name", "collections"});
    Program p;
    p.name = name(j, "name", at);
    p.modules = j.contains("modules") ? strings(j, "modules", at) : std::vector{p.name};
    p.location = location(j, "location", at);
    array(j["collections"], at + "/collections");
    std::map<std::string, std::string> declared;  // name -> pointer
    for (size_t i = 0; i < j["collections"].size(); ++i) {
      const std::string here = at + "/collections/" + std::to_string(i);
      Collection c = collection(j["collections"][i], here);
      if (declared.count(c.name))
        throw Problem{"collection '" + c.name + "' is declared twice", here + "/name"};
      declared[c.name] = here;
      p.collections.push_back(std::move(c));
    }
    std::sort(p.collections.begin(), p.collections.end(),
              [](const Collection& a, const Collection& b) { return a.name < b.name; });
    std::vector<std::string> names;
    for (const auto& c : p.collections) names.push_back(c.name);
    if (j.contains("rules")) {
      array(j["rules"], at + "/rules");
      for (size_t i = 0; i < j["rules"].size(); ++i)
        p.rules.push_back(
            rule(j["rules"][i], at + "/rules/" + std::to_string(i), static_cast<int>(i), p, names));
    }
    if (j.contains("user_lattices")) {
      const std::string here = at + "/user_lattices";
      if (!j["user_lattices"].is_object()) throw Problem{"expected an object", here};
      for (const auto& [kind, methods] : j["user_lattices"].items()) {
        (void)methods;
        p.user_lattices[kind] = strings(j["user_lattices"], kind, here);
      }
    }
    return p;
  }

  Collection collection(const json& j, const std::string& at) const {
    object(j, at,
           {"name", "kind", "lattice", "keys", "values", "location_column", "args", "module",
            "builtin", "schema_inferred", "location"},
           {"name", "kind"});
    Collection c;
    c.name = name(j, "name", at);
    std::string kind = string(j, "kind", at);
    auto k = collection_kind_from_string(kind);
    if (!k) {
      std::vector<std::string> kinds;
      for (int i = 0; i <= static_cast<int>(CollectionKind::Lattice); ++i)
        kinds.push_back(to_string(static_cast<CollectionKind>(i)));
      throw Problem{"unknown collection kind '" + kind + "' (" + join_quoted(kinds) + ")",
                    at + "/kind"};
    }
    c.kind = *k;
    c.lattice = string(j, "lattice", at);
    if (c.kind == CollectionKind::Lattice && c.lattice.empty())
      throw Problem{"a lattice collection names its lattice type ('lattice': \"lmax\", ...)", at};
    if (c.kind != CollectionKind::Lattice && !c.lattice.empty())
      throw Problem{"'lattice' is only for collections of kind 'lattice'", at + "/lattice"};
    c.keys = strings(j, "keys", at);
    c.values = strings(j, "values", at);
    c.location_column = string(j, "location_column", at);
    if (!c.location_column.empty() &&
        std::find(c.keys.begin(), c.keys.end(), c.location_column) == c.keys.end() &&
        std::find(c.values.begin(), c.values.end(), c.location_column) == c.values.end())
      throw Problem{"location column '" + c.location_column + "' is not one of the columns",
                    at + "/location_column"};
    c.args = strings(j, "args", at);
    c.module = string(j, "module", at);
    c.builtin = boolean(j, "builtin", at);
    c.schema_inferred = boolean(j, "schema_inferred", at);
    c.location = location(j, "location", at);
    return c;
  }

  std::string collection_name(const json& j, const std::string& key, const std::string& at,
                              const Program& p, const std::vector<std::string>& names) const {
    std::string n = name(j, key, at);
    if (!p.find(n)) {
      throw Problem{"unknown collection '" + n + "'" + did_you_mean(n, names), at + "/" + key,
                    "calm-unknown-collection"};
    }
    return n;
  }

  Rule rule(const json& j, const std::string& at, int index, const Program& p,
            const std::vector<std::string>& names) const {
    object(j, at,
           {"id", "lhs", "op", "text", "module", "block", "bootstrap", "location", "op_location",
            "references"},
           {"lhs", "op"});
    Rule r;
    r.id = index;
    if (j.contains("id") && (!j["id"].is_number_integer() || j["id"].get<long long>() != index))
      throw Problem{"'id' is the rule's index in 'rules' (" + std::to_string(index) + ")",
                    at + "/id"};
    r.lhs = collection_name(j, "lhs", at, p, names);
    std::string op = string(j, "op", at);
    auto o = rule_op_from_string(op);
    if (!o)
      throw Problem{"unknown operator '" + op + "' ('<=', '<+', '<-', '<~', '<+-', '<-+', '<<')",
                    at + "/op"};
    r.op = *o;
    r.text = string(j, "text", at);
    r.module = string(j, "module", at);
    r.block = string(j, "block", at);
    r.bootstrap = boolean(j, "bootstrap", at);
    r.location = location(j, "location", at);
    r.op_location = j.contains("op_location") ? location(j, "op_location", at) : r.location;
    if (j.contains("references")) {
      const std::string refs = at + "/references";
      array(j["references"], refs);
      for (size_t i = 0; i < j["references"].size(); ++i)
        r.refs.push_back(reference(j["references"][i], refs + "/" + std::to_string(i), p, names));
    }
    std::sort(r.refs.begin(), r.refs.end());
    r.refs.erase(std::unique(r.refs.begin(), r.refs.end()), r.refs.end());
    return r;
  }

  Reference reference(const json& j, const std::string& at, const Program& p,
                      const std::vector<std::string>& names) const {
    object(j, at, {"collection", "context", "method", "negated", "in_block", "location"},
           {"collection", "context"});
    Reference ref;
    ref.collection = collection_name(j, "collection", at, p, names);
    std::string context = string(j, "context", at);
    std::vector<std::string> contexts;
    bool found = false;
    for (int i = 0; i <= static_cast<int>(RefContext::Schema); ++i) {
      const auto c = static_cast<RefContext>(i);
      contexts.push_back(to_string(c));
      if (context == to_string(c)) {
        ref.context = c;
        found = true;
      }
    }
    if (!found) {
      std::string hint = closest_name(context, contexts);
      throw Problem{"unknown reference context '" + context + "'" +
                        (hint.empty() ? " (" + join_quoted(contexts) + ")"
                                      : "; did you mean '" + hint + "'?"),
                    at + "/context"};
    }
    ref.method = string(j, "method", at);
    ref.negated = boolean(j, "negated", at);
    ref.in_block = boolean(j, "in_block", at);
    ref.location = location(j, "location", at);
    return ref;
  }

  const JsonLocations& where_;
};

}  // namespace

std::vector<Program> read_ir_programs(const std::string& path, const std::string& text,
                                      Diagnostics& diags) {
  if (std::filesystem::path(path).filename() == ".calm.json") {
    diags.error("calm-parse-error",
                "'.calm.json' is calm check's configuration file, not a program; name program "
                "IR files NAME.calm.json",
                {path, 0, 0});
    return {};
  }
  // Every string of the model comes from this text: refuse invalid UTF-8 (the loader
  // checks files it reads; this entry point may be given any text).
  if (size_t bad = invalid_utf8_at(text); bad != std::string::npos) {
    diags.error("calm-parse-error", "invalid UTF-8 in the program IR",
                location_at(path, text, bad));
    return {};
  }
  // The IR is a few levels deep (6); refuse deep nesting before parsing it.
  if (auto deep = json_too_deep_at(text, path, kMaxNestingDepth)) {
    diags.error("calm-parse-error",
                "JSON nested too deeply (more than " + std::to_string(kMaxNestingDepth) +
                    " levels; the program IR needs 6)",
                *deep);
    return {};
  }
  json doc;
  if (!parse_json(text, path, "calm-parse-error", doc, diags)) return {};
  const JsonLocations where(text, path);
  Reader reader(where);
  try {
    return reader.document(doc);
  } catch (const Problem& p) {
    diags.error(p.check, p.message, reader.locate(p.pointer));
    return {};
  }
}

}  // namespace calm::ir
