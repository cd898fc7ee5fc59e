#pragma once

#include <string>
#include <vector>

#include "frontend/loader.h"

namespace calm::test {

/// Loads one in-memory Bud file ("test.rb") and composes `modules` (or the defaults).
inline LoadResult load_source(const std::string& text, std::vector<std::string> modules = {}) {
  LoadOptions o;
  o.files = {"test.rb"};
  o.memory_files["test.rb"] = text;
  o.modules = std::move(modules);
  return load_programs(o);
}

inline const Rule* rule_for(const Program& p, const std::string& lhs, int nth = 0) {
  for (const Rule& r : p.rules)
    if (r.lhs == lhs && nth-- == 0) return &r;
  return nullptr;
}

inline const Reference* ref_to(const Rule& r, const std::string& coll) {
  for (const Reference& ref : r.refs)
    if (ref.collection == coll) return &ref;
  return nullptr;
}

inline bool has_ref(const Rule& r, const std::string& coll, RefContext ctx) {
  for (const Reference& ref : r.refs)
    if (ref.collection == coll && ref.context == ctx) return true;
  return false;
}

inline bool has_diagnostic(const LoadResult& r, const std::string& check, const std::string& text) {
  for (const auto& d : r.diagnostics.items())
    if (d.check == check && d.message.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace calm::test
