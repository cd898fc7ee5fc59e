#include "frontend/bud/reference_classifier.h"

#include <algorithm>

#include "model/bud_operators.h"

namespace calm::bud {

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
    // "*" and "*R" mark the operands of a product; the rest is the operator table's
    // (model/bud_operators.h): a join method joins, a collection method either passes
    // the collection through (context Scan) or decides how it is used.
    if (m == "*" || m == "*R" || is_bud_operator(m, OperatorKind::JoinMethod)) {
      joined = true;
      continue;
    }
    if (const BudOperator* op = find_bud_operator(m, OperatorKind::CollectionMethod)) {
      if (op->context == RefContext::Scan) continue;
      return {op->context, m};
    }
    if (m == "==" || m == "!=") continue;
    return {RefContext::UnknownMethod, m};
  }
  return {joined ? RefContext::Join : RefContext::Scan, ""};
}

}  // namespace calm::bud
