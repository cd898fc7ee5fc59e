#include "model/program.h"

#include <algorithm>

#include "model/diagnostic.h"

namespace calm {

std::string to_string(const SourceLocation& loc) {
  if (!loc.known()) return loc.file;
  return loc.file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column);
}

SourceLocation location_at(std::string file, std::string_view text, size_t offset) {
  SourceLocation loc{std::move(file), 1, 1};
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else {
      ++loc.column;
    }
  }
  return loc;
}

const char* to_string(Severity s) {
  switch (s) {
    case Severity::Note:
      return "note";
    case Severity::Warning:
      return "warning";
    case Severity::Error:
      return "error";
  }
  return "error";
}

bool Diagnostics::has_errors() const {
  return std::any_of(items_.begin(), items_.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

std::vector<Diagnostic> Diagnostics::sorted() const {
  std::vector<Diagnostic> out = items_;
  auto key = [](const Diagnostic& d) {
    return std::tie(d.location.file, d.location.line, d.location.column, d.severity, d.check,
                    d.message);
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  out.erase(std::unique(out.begin(), out.end(),
                        [&](const Diagnostic& a, const Diagnostic& b) { return key(a) == key(b); }),
            out.end());
  return out;
}

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

}  // namespace calm
