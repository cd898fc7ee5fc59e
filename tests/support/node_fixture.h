#pragma once

// Shared helpers of the evaluator tests: load an inline program, prepare a node, run
// steps and show a collection's contents as text.

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "eval/evaluator.h"
#include "frontend/loader.h"

namespace calm::eval::testing {

inline Value S(const char* s) { return Value::string(s); }
inline Value I(int64_t i) { return Value::integer(i); }

struct Run {
  LoadResult loaded;
  Diagnostics diags;
  std::unique_ptr<Node> node;
};

/// Loads an inline program (class T, or the given module) and prepares a node; the
/// node is nullptr (and diags say why) when the evaluator refuses the program.
inline std::unique_ptr<Run> prepare(const std::string& source, NodeOptions options = {},
                                    const std::string& file = "t.rb",
                                    const std::string& module = "") {
  auto r = std::make_unique<Run>();
  LoadOptions lo;
  lo.files = {file};
  if (!source.empty()) lo.memory_files[file] = source;
  if (!module.empty()) lo.modules = {module};
  r->loaded = load_programs(lo);
  for (const auto& d : r->loaded.diagnostics.items())
    if (d.severity == Severity::Error) MESSAGE(d.message);
  REQUIRE_FALSE(r->loaded.diagnostics.has_errors());
  REQUIRE(r->loaded.programs.size() == 1);
  r->node = Node::create(r->loaded.programs[0], std::move(options), r->diags);
  return r;
}

inline std::string program(const std::string& state, const std::string& rules,
                           const std::string& extra = "") {
  return "class T\n  include Bud\n  state do\n" + state + "\n  end\n  bloom do\n" + rules +
         "\n  end\n" + extra + "end\n";
}

inline std::string show(const TupleSet& s) {
  std::string out;
  for (const auto& t : s) out += inspect(t) + ";";
  return out;
}

inline StepResult step(Run& r, std::vector<std::pair<std::string, Tuple>> facts = {}) {
  StepResult res = r.node->step({std::move(facts)});
  for (const auto& d : res.diagnostics.items()) MESSAGE(d.message);
  return res;
}

/// The first diagnostic as "check line:col message".
inline std::string first_diag(const Diagnostics& d) {
  if (d.items().empty()) return "";
  const auto& x = d.items().front();
  return x.check + " " + std::to_string(x.location.line) + ":" + std::to_string(x.location.column) +
         " " + x.message;
}

}  // namespace calm::eval::testing
