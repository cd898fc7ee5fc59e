#pragma once

// Builds small calm::Program values by hand for analysis unit tests.

#include <algorithm>
#include <string>
#include <vector>

#include "model/program.h"

namespace calm::testing {

inline Reference ref(std::string collection, RefContext context = RefContext::Scan,
                     std::string method = "", bool negated = false) {
  Reference r;
  r.collection = std::move(collection);
  r.context = context;
  r.method = std::move(method);
  r.negated = negated;
  return r;
}
inline Reference scan(std::string c) { return ref(std::move(c), RefContext::Scan); }
inline Reference join(std::string c) { return ref(std::move(c), RefContext::Join); }
inline Reference notin(std::string c) { return ref(std::move(c), RefContext::NotIn, "notin"); }

/// Rules are placed at "<file>:<10 + id>:5", their operator at column 13.
class ProgramBuilder {
 public:
  explicit ProgramBuilder(std::string name, std::string file = "test.rb") : file_(std::move(file)) {
    program_.name = std::move(name);
    program_.modules = {program_.name};
    program_.location = {file_, 1, 1};
  }

  ProgramBuilder& collection(std::string name, CollectionKind kind,
                             std::vector<std::string> keys = {"k"},
                             std::vector<std::string> values = {}) {
    Collection c;
    c.name = std::move(name);
    c.kind = kind;
    c.keys = std::move(keys);
    c.values = std::move(values);
    c.module = program_.name;
    c.location = {file_, 2 + static_cast<int>(program_.collections.size()), 3};
    program_.collections.push_back(std::move(c));
    return *this;
  }
  ProgramBuilder& table(std::string n) { return collection(std::move(n), CollectionKind::Table); }
  ProgramBuilder& scratch(std::string n) {
    return collection(std::move(n), CollectionKind::Scratch);
  }
  ProgramBuilder& input(std::string n) { return collection(std::move(n), CollectionKind::Input); }
  ProgramBuilder& output(std::string n) { return collection(std::move(n), CollectionKind::Output); }
  ProgramBuilder& channel(std::string n) {
    return collection(std::move(n), CollectionKind::Channel);
  }
  ProgramBuilder& lattice(std::string n, std::string type) {
    collection(std::move(n), CollectionKind::Lattice);
    program_.collections.back().lattice = std::move(type);
    return *this;
  }
  ProgramBuilder& builtin(std::string n, CollectionKind kind) {
    collection(std::move(n), kind);
    program_.collections.back().builtin = true;
    return *this;
  }

  ProgramBuilder& rule(std::string lhs, RuleOp op, std::vector<Reference> refs,
                       std::string text = "", bool bootstrap = false) {
    Rule r;
    r.id = static_cast<int>(program_.rules.size());
    r.lhs = std::move(lhs);
    r.op = op;
    r.refs = std::move(refs);
    std::sort(r.refs.begin(), r.refs.end());
    r.text = text.empty() ? r.lhs + " " + to_string(op) + " ..." : std::move(text);
    r.module = program_.name;
    r.bootstrap = bootstrap;
    r.location = {file_, 10 + r.id, 5};
    r.op_location = {file_, 10 + r.id, 13};
    program_.rules.push_back(std::move(r));
    return *this;
  }

  Program build() const {
    Program p = program_;
    std::sort(p.collections.begin(), p.collections.end(),
              [](const Collection& a, const Collection& b) { return a.name < b.name; });
    return p;
  }

 private:
  std::string file_;
  Program program_;
};

/// The single-node key-value store of the paper (Figure 5):
///   kvstate <+ kvput; prev <= (kvstate * kvput); kvstate <- prev;
///   kvget_response <= (kvget * kvstate)
inline Program single_node_kvs() {
  return ProgramBuilder("BasicKVS", "kvs.rb")
      .input("kvput")
      .input("kvget")
      .output("kvget_response")
      .table("kvstate")
      .scratch("prev")
      .rule("kvstate", RuleOp::Deferred, {scan("kvput")}, "kvstate <+ kvput")
      .rule("prev", RuleOp::Merge, {join("kvstate"), join("kvput")},
            "prev <= (kvstate * kvput).lefts")
      .rule("kvstate", RuleOp::Delete, {scan("prev")}, "kvstate <- prev")
      .rule("kvget_response", RuleOp::Merge, {join("kvget"), join("kvstate")},
            "kvget_response <= (kvget * kvstate).pairs")
      .build();
}

}  // namespace calm::testing
