#pragma once

// A small reader for the s-expressions of `#lang syndicate` (Racket) files: lists in
// `( )` or `[ ]` (and `{ }`), symbols, keywords (`#:name`), strings, numbers, booleans,
// characters, the quote family (`'x` reads as `(quote x)`, likewise quasiquote, unquote,
// unquote-splicing and `#'`), and comments (`;`, `#;` datum comments, nested `#| |#`).
// A leading `#lang` line is skipped. Errors are located diagnostics, never exceptions.

#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "base/source_location.h"

namespace calm::syndicate {

/// One datum. Atoms keep their text as written (strings without quotes, unescaped).
struct Sexp {
  enum class Kind { List, Symbol, Keyword, String, Number, Boolean, Char };
  Kind kind = Kind::Symbol;
  std::string text;           ///< atoms; keywords without `#:` ("name")
  char open = '(';            ///< lists: the opening bracket
  std::vector<Sexp> items;    ///< lists
  SourceLocation location;    ///< where the datum starts
  size_t begin = 0, end = 0;  ///< byte range in the source text

  bool is_list() const { return kind == Kind::List; }
  /// A symbol with exactly this text.
  bool is_symbol(const std::string& s) const { return kind == Kind::Symbol && text == s; }
  /// A list whose first item is the symbol `s`.
  bool is_form(const std::string& s) const {
    return kind == Kind::List && !items.empty() && items[0].is_symbol(s);
  }
  /// The head symbol of a list ("" when the list is empty or starts with a non-symbol).
  std::string head() const {
    return kind == Kind::List && !items.empty() && items[0].kind == Kind::Symbol ? items[0].text
                                                                                 : "";
  }
};

/// Reads every top-level datum of `text`. On a syntax error adds a `calm-parse-error`
/// diagnostic at the offending place (an unclosed list: at its opening bracket) and
/// returns no data.
std::vector<Sexp> read_sexps(const std::string& path, const std::string& text, Diagnostics& diags);

/// The datum written back as text (for messages and tests): `(a [b "c"] #:k)`.
std::string to_text(const Sexp& s);

}  // namespace calm::syndicate
