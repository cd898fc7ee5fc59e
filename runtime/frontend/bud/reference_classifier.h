#pragma once

#include <string>
#include <vector>

#include "model/program.h"

namespace calm::bud {

/// Decides how a right-hand side uses a collection from the chain of methods
/// applied to it (innermost first; "*", "join" and "notin-arg" mark a join
/// operand, a `join [...]` input and the argument of notin). The collection
/// is needed to tell a column access (`link.from`) and a lattice method
/// (`votes.size`) from other method calls.
struct Classification {
  RefContext context = RefContext::Scan;
  std::string method;   ///< the method that decided the context ("" for a plain scan)
  bool column = false;  ///< only a column is read (`link.from` in a join predicate)
};

Classification classify_reference(const std::vector<std::string>& chain, const Collection& coll);

}  // namespace calm::bud
