#include "eval/scenario.h"

#include <cctype>
#include <filesystem>
#include <set>

#include "base/input_files.h"
#include "base/located_json.h"
#include "eval/scenario_json.h"

namespace calm::eval {

namespace {

constexpr const char* kCheck = "calm-bad-scenario";
using nlohmann::json;

/// Reads one scenario document; every error is located at the JSON value it concerns.
class ScenarioReader {
 public:
  ScenarioReader(const LocatedJson& doc, Diagnostics& diags) : doc_(doc), diags_(diags) {}

  std::optional<Scenario> read() {
    const json& root = doc_.root();
    if (!root.is_object()) return error("", "a scenario is a JSON object"), std::nullopt;
    s_.path = doc_.path();
    dir_ = std::filesystem::path(doc_.path()).parent_path();
    only_keys(root, "",
              {"description", "nodes", "steps", "until_quiescent", "seed", "network", "clock",
               "inputs", "expect", "max_facts"});
    read_nodes(root);
    if (root.contains("steps"))
      integer(root["steps"], "/steps", 0, kMaxScenarioSteps, s_.steps);
    else
      error("", "missing \"steps\": how many timesteps to run (the limit with until_quiescent)");
    if (root.contains("until_quiescent"))
      boolean(root["until_quiescent"], "/until_quiescent", s_.until_quiescent);
    if (root.contains("seed")) {
      int64_t seed = 1;
      integer(root["seed"], "/seed", 0, INT64_MAX, seed);
      s_.seed = uint64_t(seed);
    }
    if (root.contains("max_facts"))
      integer(root["max_facts"], "/max_facts", 1, INT64_MAX, s_.max_facts);
    if (root.contains("network")) read_network(root["network"]);
    if (root.contains("clock")) read_clock(root["clock"]);
    if (root.contains("inputs")) read_inputs(root["inputs"]);
    if (root.contains("expect")) read_expect(root["expect"]);
    if (failed_) return std::nullopt;
    return std::move(s_);
  }

 private:
  void error(const std::string& pointer, const std::string& message) {
    diags_.error(kCheck, message, doc_.locate_value(pointer));
    failed_ = true;
  }
  void only_keys(const json& obj, const std::string& pointer, std::set<std::string> allowed) {
    for (const auto& [k, v] : obj.items()) {
      if (allowed.count(k)) continue;
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      error(pointer_append(pointer, k),
            "unknown key \"" + k + "\" (expected one of: " + list + ")");
    }
  }
  bool integer(const json& j, const std::string& p, int64_t lo, int64_t hi, int64_t& out) {
    if (!j.is_number_integer()) return error(p, "expected an integer"), false;
    int64_t v = j.get<int64_t>();
    if (j.is_number_unsigned() && j.get<uint64_t>() > uint64_t(INT64_MAX)) v = INT64_MAX;
    if (v < lo || v > hi)
      return error(p,
                   "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi)),
             false;
    out = v;
    return true;
  }
  bool number(const json& j, const std::string& p, double lo, double hi, double& out) {
    if (!j.is_number()) return error(p, "expected a number"), false;
    double v = j.get<double>();
    if (v < lo || v > hi)
      return error(p, "expected a number from " + json(lo).dump() + " to " + json(hi).dump()),
             false;
    out = v;
    return true;
  }
  bool boolean(const json& j, const std::string& p, bool& out) {
    if (!j.is_boolean()) return error(p, "expected true or false"), false;
    out = j.get<bool>();
    return true;
  }
  bool text(const json& j, const std::string& p, std::string& out) {
    if (!j.is_string() || j.get<std::string>().empty())
      return error(p, "expected a non-empty string"), false;
    out = j.get<std::string>();
    return true;
  }
  bool strings(const json& j, const std::string& p, std::vector<std::string>& out) {
    if (!j.is_array()) return error(p, "expected an array of strings"), false;
    for (size_t i = 0; i < j.size(); ++i) {
      std::string v;
      if (text(j[i], pointer_append(p, i), v)) out.push_back(v);
    }
    return true;
  }
  std::string resolve(const std::string& file) const {
    std::filesystem::path f(file);
    if (f.is_absolute() || dir_.empty()) return f.lexically_normal().string();
    return (dir_ / f).lexically_normal().string();
  }

  void read_nodes(const json& root) {
    if (!root.contains("nodes") || !root["nodes"].is_array() || root["nodes"].empty()) {
      error(root.contains("nodes") ? "/nodes" : "",
            "expected \"nodes\": [{\"name\": ..., \"program\": {\"files\": [...]}}, ...]");
      return;
    }
    const json& nodes = root["nodes"];
    std::set<std::string> names, addresses;
    for (size_t i = 0; i < nodes.size(); ++i) {
      std::string p = pointer_append("/nodes", i);
      const json& n = nodes[i];
      if (!n.is_object()) {
        error(p, "a node is an object {\"name\", \"address\", \"program\", \"record\"}");
        continue;
      }
      only_keys(n, p, {"name", "address", "program", "record", "instance_variables"});
      ScenarioNode node;
      node.location = doc_.locate_value(p);
      if (!n.contains("name"))
        error(p, "a node needs a \"name\"");
      else
        text(n["name"], p + "/name", node.name);
      node.address = node.name;
      if (n.contains("address")) text(n["address"], p + "/address", node.address);
      if (!node.name.empty() && !names.insert(node.name).second)
        error(p + "/name", "duplicate node name \"" + node.name + "\"");
      if (!node.address.empty() && !addresses.insert(node.address).second)
        error(n.contains("address") ? p + "/address" : p + "/name",
              "two nodes share the address \"" + node.address + "\"");
      if (n.contains("record")) {
        strings(n["record"], p + "/record", node.record);
        node.record_given = true;
      }
      if (n.contains("instance_variables"))
        read_instance_variables(n["instance_variables"], p + "/instance_variables", node);
      if (!n.contains("program") || !n["program"].is_object()) {
        error(n.contains("program") ? p + "/program" : p,
              "a node needs a \"program\": {\"files\": [...], \"modules\": [...]}");
      } else {
        const json& prog = n["program"];
        std::string pp = p + "/program";
        only_keys(prog, pp, {"files", "modules", "include_dirs", "lang"});
        node.program.location = doc_.locate_value(pp);
        std::vector<std::string> files, dirs;
        if (!prog.contains("files"))
          error(pp, "a program needs \"files\"");
        else
          strings(prog["files"], pp + "/files", files);
        if (prog.contains("files") && prog["files"].is_array() && prog["files"].empty())
          error(pp + "/files", "a program needs at least one file");
        // The file-access policy (docs/robustness.md): a scenario names programs only;
        // the ProgramLoader refuses a file no front end reads before reading anything.
        for (size_t k = 0; k < files.size(); ++k) {
          std::string fp = pointer_append(pp + "/files", k);
          if (files[k].find('\0') != std::string::npos) {
            error(fp, "a path cannot hold a NUL byte");
          } else {
            node.program.files.push_back(resolve(files[k]));
            node.program.file_locations.push_back(doc_.locate_value(fp));
          }
        }
        if (prog.contains("modules"))
          strings(prog["modules"], pp + "/modules", node.program.modules);
        for (size_t m = 0; m < node.program.modules.size(); ++m)
          node.program.module_locations.push_back(
              doc_.locate_value(pp + "/modules/" + std::to_string(m)));
        if (prog.contains("include_dirs"))
          strings(prog["include_dirs"], pp + "/include_dirs", dirs);
        for (const auto& d : dirs) node.program.include_dirs.push_back(resolve(d));
        if (prog.contains("lang")) text(prog["lang"], pp + "/lang", node.program.lang);
      }
      s_.nodes.push_back(std::move(node));
    }
  }

  void read_network(const json& n) {
    s_.network_given = true;
    if (!n.is_object())
      return error("/network", "expected {\"min_delay\", \"max_delay\", \"loss\", \"duplicate\"}");
    only_keys(n, "/network", {"min_delay", "max_delay", "loss", "duplicate"});
    if (n.contains("min_delay"))
      integer(n["min_delay"], "/network/min_delay", 1, 1000, s_.network.min_delay);
    if (n.contains("max_delay"))
      integer(n["max_delay"], "/network/max_delay", 1, 1000, s_.network.max_delay);
    if (n.contains("min_delay") && !n.contains("max_delay"))
      s_.network.max_delay = s_.network.min_delay;
    if (s_.network.max_delay < s_.network.min_delay)
      error("/network/max_delay", "max_delay is smaller than min_delay");
    if (n.contains("loss")) number(n["loss"], "/network/loss", 0, 1, s_.network.loss);
    if (n.contains("duplicate"))
      number(n["duplicate"], "/network/duplicate", 0, 1, s_.network.duplicate);
  }

  void read_clock(const json& c) {
    if (!c.is_object())
      return error("/clock", "expected {\"seconds_per_step\", \"jitter\", \"epoch\"}");
    only_keys(c, "/clock", {"seconds_per_step", "jitter", "epoch"});
    if (c.contains("epoch")) number(c["epoch"], "/clock/epoch", -1e13, 1e13, s_.clock.epoch);
    if (c.contains("seconds_per_step"))
      number(c["seconds_per_step"], "/clock/seconds_per_step", 1e-6, 1e6,
             s_.clock.seconds_per_step);
    if (c.contains("jitter")) number(c["jitter"], "/clock/jitter", 0, 0.99, s_.clock.jitter);
  }

  /// The node an entry names ("node"), or the only node.
  std::optional<size_t> node_of(const json& e, const std::string& p) {
    if (!e.contains("node")) {
      if (s_.nodes.size() == 1) return 0;
      error(p, "this scenario has several nodes: name one with \"node\"");
      return std::nullopt;
    }
    std::string name;
    if (!text(e["node"], p + "/node", name)) return std::nullopt;
    int i = s_.node_index(name);
    if (i < 0) {
      std::string known;
      for (const auto& n : s_.nodes) known += (known.empty() ? "" : ", ") + n.name;
      error(p + "/node", "unknown node \"" + name + "\" (nodes: " + known + ")");
      return std::nullopt;
    }
    return size_t(i);
  }

  bool tuples(const json& j, const std::string& p,
              std::vector<std::pair<Tuple, SourceLocation>>& out) {
    if (!j.is_array())
      return error(p, "expected an array of facts (each an array of values)"), false;
    bool ok = true;
    for (size_t i = 0; i < j.size(); ++i) {
      std::string fp = pointer_append(p, i);
      if (!j[i].is_array()) {
        error(fp, "a fact is an array of values, one per column");
        ok = false;
        continue;
      }
      Value v;
      std::string err;
      if (!json_to_value(j[i], v, err)) {
        error(fp, err);
        ok = false;
        continue;
      }
      out.push_back({v.items(), doc_.locate_value(fp)});
    }
    return ok;
  }

  void read_inputs(const json& in) {
    if (!in.is_array())
      return error("/inputs", "expected [{\"step\": 0, \"node\": ..., \"facts\": {...}}, ...]");
    for (size_t i = 0; i < in.size(); ++i) {
      std::string p = pointer_append("/inputs", i);
      const json& e = in[i];
      if (!e.is_object()) {
        error(p, "an input is {\"step\": N, \"node\": NAME, \"facts\": {\"collection\": [[...]]}}");
        continue;
      }
      only_keys(e, p, {"step", "node", "facts"});
      int64_t step = 0;
      if (e.contains("step")) integer(e["step"], p + "/step", 0, kMaxScenarioSteps, step);
      auto node = node_of(e, p);
      if (!e.contains("facts") || !e["facts"].is_object()) {
        error(e.contains("facts") ? p + "/facts" : p,
              "expected \"facts\": {\"collection\": [[...], ...]}");
        continue;
      }
      for (const auto& [coll, list] : e["facts"].items()) {
        std::vector<std::pair<Tuple, SourceLocation>> ts;
        tuples(list, pointer_append(p + "/facts", coll), ts);
        if (!node) continue;
        for (auto& [t, loc] : ts) s_.facts.push_back({*node, step, coll, std::move(t), loc});
      }
    }
  }

  /// {"@server": "10.0.0.1:7000", "@nick": "alice"}: names with their @, any value.
  void read_instance_variables(const json& j, const std::string& p, ScenarioNode& node) {
    if (!j.is_object())
      return error(p, "expected {\"@name\": value, ...}: the values of instance variables");
    for (const auto& [name, value] : j.items()) {
      std::string vp = pointer_append(p, name);
      if (!is_instance_variable_name(name)) {
        error(vp, "\"" + name + "\" is not an instance variable name (write \"@name\")");
        continue;
      }
      Value v;
      std::string err;
      if (!json_to_value(value, v, err)) {
        error(vp, err);
        continue;
      }
      node.instance_variables[name] = std::move(v);
    }
  }

  void read_expect(const json& ex) {
    if (!ex.is_array())
      return error("/expect",
                   "expected [{\"node\": ..., \"collection\": ..., \"contents\": [...]}, ...]");
    for (size_t i = 0; i < ex.size(); ++i) {
      std::string p = pointer_append("/expect", i);
      const json& e = ex[i];
      if (!e.is_object()) {
        error(p,
              "an expectation is {\"node\", \"collection\", \"contents\", \"step\", \"subset\"}");
        continue;
      }
      only_keys(e, p, {"node", "collection", "contents", "value", "step", "subset"});
      ScenarioExpectation x;
      x.location = doc_.locate_value(p);
      auto node = node_of(e, p);
      if (!e.contains("collection"))
        error(p, "an expectation needs a \"collection\"");
      else
        text(e["collection"], p + "/collection", x.collection);
      if (e.contains("step")) {
        int64_t step = 0;
        if (integer(e["step"], p + "/step", 0, kMaxScenarioSteps, step)) x.step = step;
      }
      if (e.contains("subset")) boolean(e["subset"], p + "/subset", x.subset);
      std::vector<std::pair<Tuple, SourceLocation>> ts;
      if (e.contains("value")) {
        // A lattice's value: checked against the collection's lattice type later.
        if (e.contains("contents") || e.contains("subset"))
          error(p, "an expectation has either \"contents\" (and \"subset\") or \"value\"");
        Value v;
        std::string err;
        if (json_to_value(e["value"], v, err)) {
          x.value = std::move(v);
          x.value_location = doc_.locate_value(p + "/value");
        } else {
          error(p + "/value", err);
        }
      } else if (!e.contains("contents")) {
        error(p, "an expectation needs \"contents\": [[...], ...] (or \"value\" for a lattice)");
      } else {
        tuples(e["contents"], p + "/contents", ts);
      }
      for (auto& [t, loc] : ts) x.tuples.push_back(std::move(t));
      if (node) {
        x.node = *node;
        s_.expect.push_back(std::move(x));
      }
    }
  }

  const LocatedJson& doc_;
  Diagnostics& diags_;
  Scenario s_;
  std::filesystem::path dir_;
  bool failed_ = false;
};

}  // namespace

int Scenario::node_index(const std::string& name) const {
  for (size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].name == name) return int(i);
  return -1;
}

std::optional<Scenario> parse_scenario(const std::string& text, const std::string& path,
                                       Diagnostics& diags) {
  LocatedJson doc;
  if (!doc.parse(text, path, kCheck, diags)) return std::nullopt;
  return ScenarioReader(doc, diags).read();
}

std::optional<Scenario> read_scenario(const std::string& path, Diagnostics& diags) {
  std::string text;
  Diagnostics read;
  if (!read_source_file(path, text, read)) {
    for (auto d : read.items()) {
      d.check = kCheck;
      diags.add(d);
    }
    return std::nullopt;
  }
  return parse_scenario(text, path, diags);
}

Scenario single_node_scenario(const ScenarioProgram& program, const std::string& address,
                              int64_t steps) {
  Scenario s;
  ScenarioNode n;
  n.name = "node";
  n.address = address;
  n.program = program;
  s.nodes.push_back(std::move(n));
  s.steps = steps;
  return s;
}

}  // namespace calm::eval

namespace calm::eval {

bool is_instance_variable_name(const std::string& name) {
  bool ok = name.size() > 1 && name[0] == '@' &&
            (std::isalpha(static_cast<unsigned char>(name[1])) || name[1] == '_');
  for (size_t i = 2; ok && i < name.size(); ++i)
    ok = std::isalnum(static_cast<unsigned char>(name[i])) || name[i] == '_';
  return ok;
}

bool add_facts_file(Scenario& scenario, size_t node, const std::string& path, Diagnostics& diags) {
  std::string text;
  Diagnostics read;
  if (!read_source_file(path, text, read)) {
    for (auto d : read.items()) {
      d.check = kCheck;
      diags.add(d);
    }
    return false;
  }
  LocatedJson doc;
  if (!doc.parse(text, path, kCheck, diags)) return false;
  const json& root = doc.root();
  if (!root.is_object() || !root.contains("steps") || !root["steps"].is_array()) {
    diags.error(kCheck, "expected {\"steps\": [{\"collection\": [[...], ...]}, ...]}",
                doc.locate_value(""));
    return false;
  }
  bool ok = true;
  const json& steps = root["steps"];
  for (size_t i = 0; i < steps.size(); ++i) {
    std::string p = pointer_append("/steps", i);
    if (!steps[i].is_object()) {
      diags.error(kCheck, "each step is an object {\"collection\": [[...], ...]}",
                  doc.locate_value(p));
      ok = false;
      continue;
    }
    for (const auto& [coll, list] : steps[i].items()) {
      std::string cp = pointer_append(p, coll);
      if (!list.is_array()) {
        diags.error(kCheck, "facts of '" + coll + "' must be an array of arrays",
                    doc.locate_value(cp));
        ok = false;
        continue;
      }
      for (size_t k = 0; k < list.size(); ++k) {
        std::string fp = pointer_append(cp, k);
        Value v;
        std::string err;
        if (!list[k].is_array()) err = "a fact is an array of values, one per column";
        if (err.empty() && json_to_value(list[k], v, err)) {
          scenario.facts.push_back({node, int64_t(i), coll, v.items(), doc.locate_value(fp)});
        } else {
          diags.error(kCheck, err, doc.locate_value(fp));
          ok = false;
        }
      }
    }
  }
  scenario.steps = std::max<int64_t>(scenario.steps, int64_t(steps.size()));
  return ok;
}

}  // namespace calm::eval
