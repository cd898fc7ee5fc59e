#pragma once

// The program model as JSON (`calm model --format json`) and as text.

#include <nlohmann/json.hpp>
#include <string>

#include "model/program.h"

namespace calm {

nlohmann::ordered_json location_to_json(const SourceLocation& loc);
nlohmann::ordered_json collection_to_json(const Collection& c);
nlohmann::ordered_json rule_to_json(const Rule& r);
nlohmann::ordered_json program_to_json(const Program& p);

/// A readable listing: collections with schemas, then rules with references.
std::string program_to_text(const Program& p);

}  // namespace calm
