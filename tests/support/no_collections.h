#pragma once

// An evaluator view with no collections: for tests that run the interpreter on values.

#include <string>

#include "eval/interpreter.h"

namespace calm::eval::testing {

/// Collections are invisible to the code under test.
class NoCollections : public CollectionAccess {
 public:
  const std::string& collection_named(const Expr&) const override { return none_; }
  const TupleSet& contents(const std::string&) const override { return empty_; }
  Schema schema(const std::string&) const override { return nullptr; }

 private:
  TupleSet empty_;
  std::string none_;
};

}  // namespace calm::eval::testing
