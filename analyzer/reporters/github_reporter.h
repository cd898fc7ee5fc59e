#pragma once

// `--format github`: GitHub Actions workflow commands, which GitHub shows as
// annotations on the pull request's diff.
//
//   ::warning file=samples/kvs/kvs.rb,line=47,col=13,title=calm-point-of-order::non-monotonic ...

#include <string>

#include "checks/check_run.h"

namespace calm {

/// Escapes a command's message: % -> %25, CR -> %0D, LF -> %0A.
std::string escape_github_data(const std::string& s);
/// Escapes a command property: as the message, and also : -> %3A, , -> %2C.
std::string escape_github_property(const std::string& s);

/// One annotation: `::error|warning|notice file=...,line=...,col=...,title=CHECK::message`
/// with the notes as further lines of the message. `srcroot` makes the path
/// repository-relative (GitHub matches annotations by that path).
std::string github_annotation(const Finding& f, const std::string& srcroot, bool with_program);

/// An annotation per finding that is not suppressed.
std::string github_report(const CheckRun& run, const std::string& srcroot, bool with_program);

}  // namespace calm
