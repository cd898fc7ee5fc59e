#include "report/schema_validator.h"

#include <algorithm>
#include <set>
#include <utility>

#include "base/located_json.h"

namespace calm {

using nlohmann::json;

namespace {

const std::set<std::string>& checked_keywords() {
  static const std::set<std::string> k = {
      "type",     "required", "properties", "additionalProperties",
      "items",    "enum",     "const",      "minimum",
      "minItems", "$ref",     "$defs",      "definitions"};
  return k;
}

const std::set<std::string>& annotation_keywords() {
  static const std::set<std::string> k = {"$schema",     "$id",     "$comment", "title",
                                          "description", "default", "examples"};
  return k;
}

std::string display(const std::string& path) { return path.empty() ? "/" : path; }

bool has_type(const json& instance, const std::string& type) {
  if (type == "object") return instance.is_object();
  if (type == "array") return instance.is_array();
  if (type == "string") return instance.is_string();
  if (type == "boolean") return instance.is_boolean();
  if (type == "null") return instance.is_null();
  if (type == "integer") return instance.is_number_integer();
  if (type == "number") return instance.is_number();
  return false;
}

void collect_unsupported(const json& schema, const std::string& path,
                         std::vector<std::string>& out) {
  if (!schema.is_object()) return;
  for (auto it = schema.begin(); it != schema.end(); ++it) {
    const std::string& key = it.key();
    const std::string here = pointer_append(path, key);
    if (!checked_keywords().count(key) && !annotation_keywords().count(key)) {
      out.push_back(display(path) + ": " + key);
      continue;
    }
    if (key == "properties" || key == "$defs" || key == "definitions") {
      for (auto p = it->begin(); p != it->end(); ++p)
        collect_unsupported(*p, pointer_append(here, p.key()), out);
    } else if (key == "items" || key == "additionalProperties") {
      collect_unsupported(*it, here, out);
    }
  }
}

}  // namespace

SchemaValidator::SchemaValidator(json schema) : schema_(std::move(schema)) {}

std::vector<std::string> SchemaValidator::validate(const json& instance) const {
  std::vector<std::string> errors;
  check(schema_, instance, "", errors, 0);
  return errors;
}

std::vector<std::string> SchemaValidator::validate(const nlohmann::ordered_json& instance) const {
  return validate(json::parse(instance.dump()));
}

std::vector<std::string> SchemaValidator::unsupported_keywords() const {
  std::vector<std::string> out;
  collect_unsupported(schema_, "", out);
  return out;
}

void SchemaValidator::check(const json& schema, const json& instance, const std::string& path,
                            std::vector<std::string>& errors, int depth) const {
  const std::string where = display(path);
  if (depth > 64) {
    errors.push_back(where + ": schema $ref nesting too deep");
    return;
  }
  if (schema.is_boolean()) {
    if (!schema.get<bool>()) errors.push_back(where + ": no value is allowed here");
    return;
  }
  if (!schema.is_object()) return;

  if (auto ref = schema.find("$ref"); ref != schema.end()) {
    const std::string target = ref->get<std::string>();
    if (target.empty() || target[0] != '#') {
      errors.push_back(where + ": unsupported $ref " + target);
      return;
    }
    json::json_pointer pointer(target.substr(1));
    if (!schema_.contains(pointer)) {
      errors.push_back(where + ": unresolved $ref " + target);
      return;
    }
    check(schema_.at(pointer), instance, path, errors, depth + 1);
  }

  if (auto type = schema.find("type"); type != schema.end()) {
    std::vector<std::string> types;
    if (type->is_array())
      for (const auto& t : *type) types.push_back(t.get<std::string>());
    else
      types.push_back(type->get<std::string>());
    bool ok = std::any_of(types.begin(), types.end(),
                          [&](const std::string& t) { return has_type(instance, t); });
    if (!ok) {
      std::string expected;
      for (const auto& t : types) expected += (expected.empty() ? "" : " or ") + t;
      errors.push_back(where + ": expected " + expected + ", got " + instance.type_name());
      return;  // the other keywords would only add noise
    }
  }

  if (auto c = schema.find("const"); c != schema.end() && instance != *c)
    errors.push_back(where + ": expected " + c->dump() + ", got " + instance.dump());

  if (auto e = schema.find("enum"); e != schema.end()) {
    if (std::find(e->begin(), e->end(), instance) == e->end())
      errors.push_back(where + ": " + instance.dump() + " is not one of " + e->dump());
  }

  if (auto m = schema.find("minimum"); m != schema.end() && instance.is_number()) {
    if (instance.get<double>() < m->get<double>())
      errors.push_back(where + ": " + instance.dump() + " is less than " + m->dump());
  }

  if (instance.is_object()) {
    if (auto req = schema.find("required"); req != schema.end()) {
      for (const auto& name : *req)
        if (!instance.contains(name.get<std::string>()))
          errors.push_back(where + ": missing required property \"" + name.get<std::string>() +
                           "\"");
    }
    const auto props = schema.find("properties");
    const auto additional = schema.find("additionalProperties");
    for (auto it = instance.begin(); it != instance.end(); ++it) {
      const std::string child = pointer_append(path, it.key());
      if (props != schema.end() && props->contains(it.key())) {
        check((*props)[it.key()], *it, child, errors, depth);
      } else if (additional != schema.end()) {
        if (additional->is_boolean() && !additional->get<bool>())
          errors.push_back(where + ": unexpected property \"" + it.key() + "\"");
        else
          check(*additional, *it, child, errors, depth);
      }
    }
  }

  if (instance.is_array()) {
    if (auto mi = schema.find("minItems");
        mi != schema.end() && instance.size() < mi->get<std::size_t>())
      errors.push_back(where + ": expected at least " + mi->dump() + " items, got " +
                       std::to_string(instance.size()));
    if (auto items = schema.find("items"); items != schema.end()) {
      for (std::size_t i = 0; i < instance.size(); ++i)
        check(*items, instance[i], pointer_append(path, i), errors, depth);
    }
  }
}

}  // namespace calm
