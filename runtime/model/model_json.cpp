#include "model/model_json.h"

#include <sstream>

namespace calm {

using json = nlohmann::ordered_json;

json location_to_json(const SourceLocation& loc) {
  return json{{"file", loc.file}, {"line", loc.line}, {"column", loc.column}};
}

json collection_to_json(const Collection& c) {
  json j;
  j["name"] = c.name;
  j["kind"] = to_string(c.kind);
  if (c.kind == CollectionKind::Lattice) j["lattice"] = c.lattice;
  j["keys"] = c.keys;
  j["values"] = c.values;
  if (!c.location_column.empty()) j["location_column"] = c.location_column;
  if (!c.args.empty()) j["args"] = c.args;
  j["module"] = c.module;
  if (c.builtin) j["builtin"] = true;
  if (c.schema_inferred) j["schema_inferred"] = true;
  j["location"] = location_to_json(c.location);
  return j;
}

json rule_to_json(const Rule& r) {
  json j;
  j["id"] = r.id;
  j["lhs"] = r.lhs;
  j["op"] = to_string(r.op);
  j["text"] = r.text;
  j["module"] = r.module;
  j["block"] = r.block;
  if (r.bootstrap) j["bootstrap"] = true;
  j["location"] = location_to_json(r.location);
  j["op_location"] = location_to_json(r.op_location);
  json refs = json::array();
  for (const Reference& ref : r.refs) {
    json jr;
    jr["collection"] = ref.collection;
    jr["context"] = to_string(ref.context);
    if (!ref.method.empty()) jr["method"] = ref.method;
    if (ref.negated) jr["negated"] = true;
    if (ref.in_block) jr["in_block"] = true;
    jr["location"] = location_to_json(ref.location);
    refs.push_back(std::move(jr));
  }
  j["references"] = std::move(refs);
  return j;
}

json program_to_json(const Program& p) {
  json j;
  j["name"] = p.name;
  j["modules"] = p.modules;
  j["location"] = location_to_json(p.location);
  json cs = json::array();
  for (const Collection& c : p.collections) cs.push_back(collection_to_json(c));
  j["collections"] = std::move(cs);
  json rs = json::array();
  for (const Rule& r : p.rules) rs.push_back(rule_to_json(r));
  j["rules"] = std::move(rs);
  if (!p.user_lattices.empty()) j["user_lattices"] = p.user_lattices;
  return j;
}

namespace {
std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}
}  // namespace

std::string program_to_text(const Program& p) {
  std::ostringstream out;
  out << "program " << p.name << "  (" << to_string(p.location) << ")\n";
  out << "  modules: " << join(p.modules) << "\n";
  size_t user = 0;
  for (const Collection& c : p.collections) user += !c.builtin;
  out << "  collections (" << user << "):\n";
  for (const Collection& c : p.collections) {
    if (c.builtin) continue;
    out << "    " << to_string(c.location) << ": " << to_string(c.kind);
    if (c.kind == CollectionKind::Lattice) out << " " << c.lattice;
    out << " " << c.name;
    if (c.kind != CollectionKind::Lattice && !c.schema_inferred)
      out << " [" << join(c.keys) << "] => [" << join(c.values) << "]";
    if (!c.location_column.empty()) out << " @" << c.location_column;
    out << "\n";
  }
  out << "  rules (" << p.rules.size() << "):\n";
  for (const Rule& r : p.rules) {
    out << "    " << to_string(r.location) << ": #" << r.id << " " << r.lhs << " "
        << to_string(r.op) << (r.bootstrap ? " (bootstrap)" : "") << "\n";
    for (const Reference& ref : r.refs) {
      out << "        <- " << ref.collection << " (" << to_string(ref.context);
      if (!ref.method.empty()) out << " " << ref.method;
      if (ref.negated) out << ", negated";
      if (ref.in_block) out << ", in block";
      out << ")\n";
    }
  }
  return out.str();
}

}  // namespace calm
