#pragma once

// The program model as JSON (`calm model --format json`) and as text. The JSON is also
// the program IR (docs/program-ir.md): the IR front end (frontend/ir/) reads it back,
// and printing what it read gives the same bytes, so every field written here is read
// there.

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
