#pragma once

// The conversions between JSON and evaluator values used by scenarios, facts files and
// traces. (Scenario files are read with locations by base/located_json.h.)

#include <nlohmann/json.hpp>
#include <string>

#include "eval/value.h"

namespace calm::eval {

/// JSON → Value: null, booleans, integers, floats, strings, arrays; {"sym": "x"} is the
/// symbol :x. Returns false with `error` set for anything else.
bool json_to_value(const nlohmann::json& j, Value& out, std::string& error);
/// Value → JSON, the inverse of json_to_value; hashes become {"hash": [[k, v], ...]},
/// sets {"set": [...]}.
nlohmann::json value_to_json(const Value& v);
nlohmann::json tuple_to_json(const Tuple& t);

}  // namespace calm::eval
