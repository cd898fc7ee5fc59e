#include "eval/scenario_json.h"

#include <cmath>

namespace calm::eval {

bool json_to_value(const nlohmann::json& j, Value& out, std::string& error) {
  if (j.is_null()) {
    out = Value();
  } else if (j.is_boolean()) {
    out = Value::boolean(j.get<bool>());
  } else if (j.is_number_integer()) {
    out = Value::integer(j.get<int64_t>());
  } else if (j.is_number()) {
    out = Value::floating(j.get<double>());
  } else if (j.is_string()) {
    out = Value::string(j.get<std::string>());
  } else if (j.is_array()) {
    std::vector<Value> items;
    for (const auto& x : j) {
      Value v;
      if (!json_to_value(x, v, error)) return false;
      items.push_back(v);
    }
    out = Value::array(items);
  } else if (j.is_object() && j.size() == 1 && j.contains("time") && j["time"].is_number()) {
    double s = j["time"].get<double>();  // a Ruby Time, UTC seconds since the epoch
    if (!Value::time_in_range(s)) {
      error = "a time more than 10^15 seconds from 1970: " + j.dump();
      return false;
    }
    out = Value::time(s);
  } else if (j.is_object() && j.size() == 1 && j.contains("sym") && j["sym"].is_string()) {
    out = Value::symbol(j["sym"].get<std::string>());
  } else if (j.is_object() && j.size() == 1 && j.contains("set") && j["set"].is_array()) {
    Value items;
    if (!json_to_value(j["set"], items, error)) return false;
    out = Value::set(items.items());
  } else if (j.is_object() && j.size() == 1 && j.contains("hash") && j["hash"].is_array()) {
    std::vector<Value> keys, values;
    for (const auto& kv : j["hash"]) {
      Value k, v;
      if (!kv.is_array() || kv.size() != 2 || !json_to_value(kv[0], k, error) ||
          !json_to_value(kv[1], v, error)) {
        if (error.empty())
          error = "a hash entry must be a [key, value] pair: " +
                  kv.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return false;
      }
      keys.push_back(k);
      values.push_back(v);
    }
    out = Value::hash(keys, values);
  } else {
    error = "unsupported JSON value " +
            j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
            " (use {\"sym\": \"x\"} for a symbol, {\"set\": [...]}, {\"hash\": [[k, v]]}, "
            "{\"time\": seconds})";
    return false;
  }
  return true;
}

nlohmann::json value_to_json(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Nil:
      return nullptr;
    case Value::Kind::Bool:
      return v.as_bool();
    case Value::Kind::Int:
      return v.as_int();
    case Value::Kind::Float:
      return v.as_float();
    case Value::Kind::String:
      return v.as_string();
    case Value::Kind::Symbol:
      return {{"sym", v.as_string()}};
    case Value::Kind::Array:
      return tuple_to_json(v.items());
    case Value::Kind::Set:
      return {{"set", tuple_to_json(v.items())}};
    case Value::Kind::Hash: {
      nlohmann::json entries = nlohmann::json::array();
      for (size_t i = 0; i < v.items().size(); ++i)
        entries.push_back({value_to_json(v.items()[i]), value_to_json(v.hash_values()[i])});
      return {{"hash", entries}};
    }
    case Value::Kind::Time: {
      double s = v.as_time();
      if (s == std::floor(s) && std::fabs(s) < 9e15) return {{"time", int64_t(s)}};
      return {{"time", s}};
    }
    default:  // lattice values: their Bud inspect text
      return {{"inspect", v.inspect()}};
  }
}

nlohmann::json tuple_to_json(const Tuple& t) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& v : t) a.push_back(value_to_json(v));
  return a;
}

}  // namespace calm::eval
