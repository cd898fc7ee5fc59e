#pragma once

// The limits every reader of calm shares (docs/robustness.md, "Limits"). Input that
// goes beyond one is refused with a located diagnostic, never a crash or a hang.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace calm {

/// Largest input file calm reads: programs, configurations, baselines, reports,
/// scenarios, facts.
inline constexpr size_t kMaxInputBytes = 64u << 20;

/// How deeply any input may nest: brackets in a program, arrays and objects in JSON,
/// lists in s-expressions, and chains of `include`d, `import`ed or `require`d modules.
/// Every reader either works without recursion or refuses input deeper than this.
inline constexpr int kMaxNestingDepth = 1000;

/// The byte offset of the first byte that does not start a valid UTF-8 sequence, or
/// npos. Strict (RFC 3629): overlong forms, surrogates (U+D800..U+DFFF), code points
/// beyond U+10FFFF and truncated sequences are invalid. Every reader of text uses it.
size_t invalid_utf8_at(std::string_view s);

/// `s` with every byte that does not start a valid UTF-8 sequence replaced by U+FFFD, for
/// messages that quote input (a JSON parser's "last read: '...'"): diagnostics stay valid
/// UTF-8, as JSON and SARIF output need.
std::string valid_utf8(std::string_view s);

}  // namespace calm
