#pragma once

// Small text helpers every layer uses: "did you mean" suggestions for unknown names.

#include <string>
#include <vector>

namespace calm {

/// Levenshtein distance, for "did you mean" suggestions.
size_t edit_distance(const std::string& a, const std::string& b);

/// The closest candidate within a sensible distance (a third of the name, at least 2),
/// the smallest such name on a tie; "" when none is close.
std::string closest_name(const std::string& name, const std::vector<std::string>& candidates);

/// "; did you mean 'x'?" for the closest candidate, or "" (to append to a message).
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace calm
