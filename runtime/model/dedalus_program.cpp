#include "model/dedalus_program.h"

namespace calm::dedalus {

const std::map<std::string, int>& molly_builtins() {
  static const std::map<std::string, int> b = {{"crash", 3}, {"clock", 3}};
  return b;
}

std::string to_string(const MTerm& t) {
  switch (t.kind) {
    case MTerm::Kind::Variable:
    case MTerm::Kind::Wildcard:
    case MTerm::Kind::Integer:
      return t.text;
    case MTerm::Kind::String:
      return "\"" + t.text + "\"";
    case MTerm::Kind::Binary:
      return to_string(t.args[0]) + " " + t.text + " " + to_string(t.args[1]);
    case MTerm::Kind::Aggregate:
      return t.text + "<" + (t.args.empty() ? "" : t.args[0].text) + ">";
  }
  return "";
}

std::string to_string(const MAtom& a) {
  std::string s = a.negated ? "notin " : "";
  s += a.predicate + "(";
  for (size_t i = 0; i < a.args.size(); ++i) s += (i ? ", " : "") + to_string(a.args[i]);
  s += ")";
  if (a.time == MTime::Next) s += "@next";
  if (a.time == MTime::Async) s += "@async";
  if (a.time == MTime::At) s += "@" + std::to_string(a.at);
  return s;
}

}  // namespace calm::dedalus
