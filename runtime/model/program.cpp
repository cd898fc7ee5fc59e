#include "model/program.h"

#include <algorithm>

namespace calm {

namespace {
struct KindName {
  CollectionKind kind;
  const char* name;
};
constexpr KindName kKindNames[] = {
    {CollectionKind::Table, "table"},       {CollectionKind::Scratch, "scratch"},
    {CollectionKind::Input, "input"},       {CollectionKind::Output, "output"},
    {CollectionKind::Channel, "channel"},   {CollectionKind::Loopback, "loopback"},
    {CollectionKind::Periodic, "periodic"}, {CollectionKind::Temp, "temp"},
    {CollectionKind::View, "view"},         {CollectionKind::Sync, "sync"},
    {CollectionKind::Store, "store"},       {CollectionKind::FileReader, "file_reader"},
    {CollectionKind::Terminal, "terminal"}, {CollectionKind::Lattice, "lattice"},
};

struct OpName {
  RuleOp op;
  const char* name;
};
constexpr OpName kOpNames[] = {
    {RuleOp::Merge, "<="},  {RuleOp::Deferred, "<+"}, {RuleOp::Delete, "<-"},
    {RuleOp::Async, "<~"},  {RuleOp::Upsert, "<+-"},  {RuleOp::DeleteInsert, "<-+"},
    {RuleOp::Append, "<<"},
};
}  // namespace

const char* to_string(CollectionKind k) {
  for (const auto& kn : kKindNames)
    if (kn.kind == k) return kn.name;
  return "table";
}

std::optional<CollectionKind> collection_kind_from_string(const std::string& s) {
  for (const auto& kn : kKindNames)
    if (s == kn.name) return kn.kind;
  return std::nullopt;
}

bool is_ephemeral(CollectionKind k) {
  switch (k) {
    case CollectionKind::Table:
    case CollectionKind::Sync:
    case CollectionKind::Store:
    case CollectionKind::Lattice:
      return false;
    default:
      return true;
  }
}

const char* to_string(RefContext c) {
  switch (c) {
    case RefContext::Scan:
      return "scan";
    case RefContext::Join:
      return "join";
    case RefContext::NotIn:
      return "notin";
    case RefContext::Group:
      return "group";
    case RefContext::ArgAgg:
      return "argagg";
    case RefContext::Reduce:
      return "reduce";
    case RefContext::Membership:
      return "membership";
    case RefContext::LatticeMethod:
      return "lattice-method";
    case RefContext::UnknownMethod:
      return "unknown-method";
    case RefContext::Schema:
      return "schema";
  }
  return "scan";
}

const char* to_string(RuleOp op) {
  for (const auto& on : kOpNames)
    if (on.op == op) return on.name;
  return "<=";
}

std::optional<RuleOp> rule_op_from_string(const std::string& s) {
  for (const auto& on : kOpNames)
    if (s == on.name) return on.op;
  return std::nullopt;
}

bool is_temporal(RuleOp op) {
  return op == RuleOp::Deferred || op == RuleOp::Delete || op == RuleOp::Upsert ||
         op == RuleOp::DeleteInsert;
}

const Expr* Expr::child(std::string_view field_name) const {
  for (const auto& c : children)
    if (c.field == field_name) return &c;
  return nullptr;
}

const Collection* Program::find(const std::string& name) const {
  auto it = std::lower_bound(collections.begin(), collections.end(), name,
                             [](const Collection& c, const std::string& n) { return c.name < n; });
  if (it != collections.end() && it->name == name) return &*it;
  return nullptr;
}

std::optional<std::string> overridden_interface_text(const Program& program,
                                                     const std::string& name) {
  size_t sep = name.rfind("::");
  if (sep == std::string::npos) return std::nullopt;
  size_t dot = name.rfind('.', sep);
  std::string prefix = dot == std::string::npos ? "" : name.substr(0, dot + 1);  // import alias
  std::string module = name.substr(prefix.size(), sep - prefix.size());
  std::string local = name.substr(sep + 2);
  const Collection* outer = program.find(prefix + local);
  std::string by = outer && !outer->module.empty() ? outer->module : "an including module";
  return name + " is the " + local + " interface declared by " + module + ", which " + by +
         " redeclares (an override, CIDR 2011 section 3.4): the modules " + by +
         " includes read and write this inner copy, " + prefix + local + " is " + by + "'s own";
}

}  // namespace calm
