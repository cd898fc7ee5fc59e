#pragma once

// Reading the JSON inputs of the commands (configurations, baselines, reports): one
// place that applies the limits of docs/robustness.md — a regular file of at most
// kMaxInputBytes, strict UTF-8, nesting at most kMaxNestingDepth — and locates every
// problem at file:line:col.

#include <nlohmann/json.hpp>
#include <string>

#include "base/diagnostic.h"

namespace calm::cli {

/// Reads and parses the JSON file `path`; `text` keeps its contents (for locating and
/// quoting, and for JsonLocations). False with a located error diagnostic (check
/// `check`) otherwise.
bool read_json_input(const std::string& path, DiagnosticId check, std::string& text,
                     nlohmann::json& doc, Diagnostics& diags);

}  // namespace calm::cli
