#include "frontend/bud/reference_classifier.h"

#include <algorithm>
#include <set>

namespace calm::bud {

namespace {
bool in(const std::set<std::string>& s, const std::string& m) { return s.count(m) > 0; }

// Methods through which a collection flows unchanged in monotonicity.
const std::set<std::string> kPassThrough = {
    "map",     "flat_map", "pro",        "collect",  "each",  "select",  "filter",
    "reject",  "find_all", "filter_map", "payloads", "keys",  "values",  "inspected",
    "rename",  "uniq",     "to_a",       "to_set",   "notin", "compact", "lambda",
    "tabname", "ip_port",  "port",       "ip"};
const std::set<std::string> kJoin = {"*",      "*R",      "join",   "pairs", "lefts",
                                     "rights", "matches", "combos", "outer", "flatten"};
const std::set<std::string> kGroup = {"group",   "count", "size",   "length", "sum",
                                      "min",     "max",   "min_by", "max_by", "sort",
                                      "sort_by", "first", "last",   "to_h",   "group_by"};
const std::set<std::string> kArgAgg = {"argmin", "argmax", "argagg"};
const std::set<std::string> kReduce = {"reduce", "inject"};
const std::set<std::string> kMembership = {"include?", "member?", "exists?", "empty?",
                                           "any?",     "none?",   "all?"};
const std::set<std::string> kSchema = {"schema", "cols", "key_cols", "val_cols"};
}  // namespace

Classification classify_reference(const std::vector<std::string>& chain, const Collection& coll) {
  bool joined = false;
  for (size_t i = 0; i < chain.size(); ++i) {
    const std::string& m = chain[i];
    if (m == "notin-arg") return {RefContext::NotIn, "notin"};
    if (i == 0 && coll.kind == CollectionKind::Lattice) return {RefContext::LatticeMethod, m};
    if (i == 0 && (std::find(coll.keys.begin(), coll.keys.end(), m) != coll.keys.end() ||
                   std::find(coll.values.begin(), coll.values.end(), m) != coll.values.end() ||
                   m == coll.location_column))
      return {joined ? RefContext::Join : RefContext::Scan, "", true};  // a column: `link.from`
    if (m == "outer") {
      // A left outer join pads unmatched left tuples with nil and retracts the padded
      // tuple when a match arrives: non-monotonic in its right input only.
      bool right = std::find(chain.begin(), chain.begin() + i, "*R") != chain.begin() + i;
      if (right) return {RefContext::Join, "outer"};
      joined = true;
      continue;
    }
    if (in(kJoin, m)) {
      joined = true;
      continue;
    }
    if (in(kPassThrough, m)) continue;
    if (in(kArgAgg, m)) return {RefContext::ArgAgg, m};
    if (in(kReduce, m)) return {RefContext::Reduce, m};
    if (in(kMembership, m)) return {RefContext::Membership, m};
    if (in(kGroup, m)) return {RefContext::Group, m};
    if (in(kSchema, m)) return {RefContext::Schema, m};
    if (m == "[]" || m == "==" || m == "!=") continue;
    return {RefContext::UnknownMethod, m};
  }
  return {joined ? RefContext::Join : RefContext::Scan, ""};
}

}  // namespace calm::bud
