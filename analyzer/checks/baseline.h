#pragma once

// A baseline: the fingerprints of findings that were reviewed and accepted, so CI fails
// only on new ones. Matched by fingerprint, never by line: moving a rule keeps it
// matched, changing what the rule reads does not.
//
//   {"calm_baseline": 1,
//    "findings": [{"fingerprint": "3f0c...", "check": "calm-point-of-order",
//                  "program": "BasicKVS", "message": "..."}]}
//
// `check`, `program` and `message` are for the reviewer; only `fingerprint` matters.

#include <set>
#include <string>
#include <vector>

#include "checks/finding.h"

namespace calm {

inline constexpr int kBaselineVersion = 1;

/// The baseline of the findings that are not suppressed inline or by a coordinated
/// module, sorted by fingerprint, one entry per fingerprint, ending in a newline.
std::string baseline_text(const std::vector<Finding>& findings);

/// Reads a baseline. False with `error` set when it is not JSON or not a baseline.
bool parse_baseline(const std::string& text, std::set<std::string>& fingerprints,
                    std::string& error, std::string* pointer = nullptr);

/// Marks the findings whose fingerprint is in `fingerprints` as suppressed by the
/// baseline (those not already suppressed). Returns how many it marked.
size_t apply_baseline(std::vector<Finding>& findings, const std::set<std::string>& fingerprints);

}  // namespace calm
