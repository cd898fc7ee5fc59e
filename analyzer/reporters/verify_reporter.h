#pragma once

// `calm verify`'s result (verify/verifier.h) as text and as JSON ("calm-verify/1",
// docs/verify.md): the verdict of each output with its witness schedules, the differing
// facts, their provenance and the `calm run` commands that replay them.

#include <nlohmann/json.hpp>
#include <string>

#include "verify/verifier.h"

namespace calm {

/// The text report of verifying `scenario` (its path, for the replay commands).
std::string verify_text(const std::string& scenario, const VerifyResult& r);

/// The JSON report of verifying `scenario`.
nlohmann::json verify_json(const std::string& scenario, const VerifyResult& r);

}  // namespace calm
