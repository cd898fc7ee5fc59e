#include "eval/interpreter.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <set>
#include <unordered_set>

#include "eval/lattice.h"
#include "eval/methods.h"
#include "eval/ruby_text.h"
#include "model/bud_operators.h"

namespace calm::eval {

namespace {

/// Bud's collection, join and aggregate methods the evaluator runs, and the lattice
/// methods: the rows of the operator table (model/bud_operators.h) with a handler.
bool runs_operator(std::string_view m, std::initializer_list<OperatorKind> kinds) {
  for (OperatorKind k : kinds)
    if (const BudOperator* op = find_bud_operator(m, k); op && op->handler != EvalHandler::Refused)
      return true;
  return false;
}
bool is_lattice_method(std::string_view m) {
  return runs_operator(m, {OperatorKind::LatticeMethod});
}

const std::unordered_set<std::string> kBinaryOps = {"+",  "-",   "*",  "/",  "%",  "**",   "==",
                                                    "!=", "<",   ">",  "<=", ">=", "<=>",  "&&",
                                                    "||", "and", "or", "&",  "|",  "eql?", "<<"};

const std::unordered_set<std::string> kSupportedTypes = {"call",
                                                         "identifier",
                                                         "block",
                                                         "do_block",
                                                         "block_parameters",
                                                         "block_body",
                                                         "body_statement",
                                                         "binary",
                                                         "unary",
                                                         "array",
                                                         "range",
                                                         "integer",
                                                         "float",
                                                         "string",
                                                         "string_content",
                                                         "interpolation",
                                                         "escape_sequence",
                                                         "simple_symbol",
                                                         "delimited_symbol",
                                                         "hash_key_symbol",
                                                         "hash",
                                                         "pair",
                                                         "if_modifier",
                                                         "unless_modifier",
                                                         "if",
                                                         "unless",
                                                         "elsif",
                                                         "else",
                                                         "then",
                                                         "conditional",
                                                         "parenthesized_statements",
                                                         "element_reference",
                                                         "true",
                                                         "false",
                                                         "nil",
                                                         "instance_variable",
                                                         "assignment",
                                                         "operator_assignment",
                                                         "argument_list",
                                                         "case",
                                                         "when",
                                                         "pattern",
                                                         "destructured_parameter",
                                                         "constant",
                                                         "scope_resolution",
                                                         "comment"};

std::string method_name(const Expr& e) {
  const Expr* m = e.child("method");
  return m ? m->text : "";
}

std::vector<const Expr*> arguments(const Expr& call) {
  std::vector<const Expr*> out;
  if (const Expr* a = call.child("arguments"))
    for (const auto& c : a->children)
      if (c.type != "(" && c.type != ")" && c.type != "," && c.type != "comment") out.push_back(&c);
  return out;
}

/// A Ruby integer literal (`1_000`, `0x1F`, `0b101`, `0o17`, `017`, `0d9`), or
/// nullopt when it does not fit in 64 bits: calm's evaluator has no big integers
/// (docs/evaluator.md) and never clamps.
std::optional<int64_t> parse_int(const std::string& text) {
  std::string t;
  for (char c : text)
    if (c != '_') t += c;
  bool negative = !t.empty() && (t[0] == '-' || t[0] == '+');
  std::string sign = negative ? t.substr(0, 1) : "";
  if (negative) t = t.substr(1);
  int base = 10;
  if (t.size() > 2 && t[0] == '0') {
    char b = char(std::tolower(static_cast<unsigned char>(t[1])));
    if (b == 'x' || b == 'b' || b == 'o' || b == 'd') {
      base = b == 'x' ? 16 : b == 'b' ? 2 : b == 'o' ? 8 : 10;
      t = t.substr(2);
    } else {
      base = 8;
    }
  }
  t = sign + t;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(t.c_str(), &end, base);
  if (errno == ERANGE) return std::nullopt;
  return int64_t(v);
}

std::string unescape(const std::string& s) {
  if (s.size() < 2 || s[0] != '\\') return s;
  switch (s[1]) {
    case 'n':
      return "\n";
    case 't':
      return "\t";
    case 'r':
      return "\r";
    case '0':
      return std::string(1, '\0');
    case 's':
      return " ";
    default:
      return s.substr(1);
  }
}

}  // namespace

bool is_punct(const Expr& e) {
  if (std::string_view(e.field) == "operator") return true;
  const std::string_view t = e.type;  // compares the length before the characters
  if (t.size() > 4) return false;     // every punctuation type is shorter
  return t == "," || t == "(" || t == ")" || t == "[" || t == "]" || t == "{" || t == "}" ||
         t == "|" || t == "." || t == "do" || t == "end" || t == "=>" || t == ";" ||
         (t == "then" && e.children.empty()) || t == ":" || t == "?" || t == "&." || t == "#{" ||
         t == "\"" || t == "'";
}

bool is_collection_method(const std::string& method) {
  return runs_operator(
      method, {OperatorKind::CollectionMethod, OperatorKind::JoinMethod, OperatorKind::Aggregate});
}

std::string lattice_class_type(const Expr& e) {
  if (e.type != "scope_resolution") return "";
  const Expr* scope = e.child("scope");
  const Expr* name = e.child("name");
  if (!scope || !name || scope->type != "constant" || scope->text != "Bud") return "";
  return lattice_type_of_class(name->text);
}

Interpreter::Interpreter(const CollectionAccess& collections, std::string file, Value local_addr,
                         int64_t budtime, std::vector<std::string>* output)
    : collections_(collections),
      file_(std::move(file)),
      local_addr_(std::move(local_addr)),
      budtime_(budtime),
      output_(output) {}

namespace {

/// Bud's own instance variables, which every node has: its address and the timestep.
bool bud_instance_variable(const std::string& name) {
  return name == "@local_addr" || name == "@ip_port" || name == "@budtime" || name == "@ip" ||
         name == "@port";
}

/// Why an instance variable is refused, and the two ways to give it a value.
std::string instance_variable_refusal(const std::string& name) {
  return "instance variable '" + name + "' (Bud programs set it in initialize; give its " +
         "value with --ivar " + name + "=VALUE or in the scenario node's " +
         "\"instance_variables\")";
}

/// What Ruby's `puts` writes for one argument: each element of an array on its own line
/// (nested arrays flattened, an empty array writes nothing), a newline after each line
/// that does not end with one, nil as an empty line.
void puts_text(const Value& v, std::string& out, int depth = 0) {
  if (v.is_array() && depth < 100) {
    for (const auto& x : v.items()) puts_text(x, out, depth + 1);
    return;
  }
  std::string s = v.to_s();
  out += s;
  if (s.empty() || s.back() != '\n') out += '\n';
}

}  // namespace

void Interpreter::unsupported(const Expr& e, const std::string& what) const {
  throw EvalError{"calm-eval-unsupported", "unsupported construct " + what, locate(e)};
}

void Interpreter::fail(const Expr& e, const std::string& message) const {
  throw EvalError{"calm-eval-error", message, locate(e)};
}

void Interpreter::check_size(const Expr& e, size_t size, const char* what) const {
  if (size <= kMaxValueSize) return;
  throw EvalError{"calm-eval-limit",
                  std::string("value too large: a ") + what + " of " + std::to_string(size) +
                      (std::string(what) == "string" ? " bytes" : " elements") +
                      " (the limit of one value is " + std::to_string(kMaxValueSize) +
                      ", docs/evaluator.md)",
                  locate(e)};
}

Value ruby_rand(uint64_t bits53, const Value& n) {
  double limit = n.is_numeric() ? std::trunc(std::fabs(n.as_float())) : 0.0;
  if (limit < 1.0) return Value::floating(double(bits53) * 0x1.0p-53);
  uint64_t m = n.kind() == Value::Kind::Int
                   ? (n.as_int() < 0 ? uint64_t(0) - uint64_t(n.as_int()) : uint64_t(n.as_int()))
               : limit >= 0x1.0p63 ? uint64_t(1) << 63
                                   : uint64_t(limit);
  __extension__ using u128 = unsigned __int128;  // bits53 * m needs 116 bits
  return Value::integer(int64_t(u128(bits53) * m >> 53));
}

void Interpreter::check_size(const Expr& e, const Value& v) const {
  switch (v.kind()) {
    case Value::Kind::String:
    case Value::Kind::Symbol:
      check_size(e, v.as_string().size(), "string");
      break;
    case Value::Kind::Array:
    case Value::Kind::Hash:
    case Value::Kind::Set:
      check_size(e, v.items().size(), "collection");
      break;
    default:
      break;
  }
}

Value Interpreter::eval_sequence(const Expr& e, Scope& scope) const {
  Value last;
  for (const auto& c : e.children) {
    if (is_punct(c) || c.type == "comment") continue;
    last = eval(c, scope);
  }
  return last;
}

void Interpreter::bind(const Expr& param, const Value& v, Scope& scope) const {
  if (param.type == "identifier") {
    scope[param.text] = v;
    return;
  }
  if (param.type == "destructured_parameter") {
    std::vector<const Expr*> subs;
    for (const auto& c : param.children)
      if (!is_punct(c)) subs.push_back(&c);
    for (size_t i = 0; i < subs.size(); ++i)
      bind(*subs[i], v.is_array() && i < v.items().size() ? v.items()[i] : Value(), scope);
    return;
  }
  unsupported(param, "block parameter '" + param.type + "'");
}

Value Interpreter::time_at(const Expr& e, const std::string& what, double seconds) const {
  if (!Value::time_in_range(seconds)) fail(e, what + ": time out of range");
  return Value::time(seconds);
}

/// `return` in a helper method, unwinding to call_helper.
struct HelperReturn {
  Value value;
};

Value Interpreter::call_helper(const Expr& at, const HelperMethod& h,
                               const std::vector<Value>& args) const {
  if (depth_ > 100) fail(at, "helper '" + h.name + "' nested more than 100 calls deep");
  std::vector<const Expr*> params;
  if (const Expr* ps = h.def.child("parameters"))
    for (const auto& c : ps->children)
      if (!is_punct(c)) params.push_back(&c);
  if (params.size() != args.size())
    fail(at, "wrong number of arguments for '" + h.name + "' (given " +
                 std::to_string(args.size()) + ", expected " + std::to_string(params.size()) + ")");
  Scope scope;
  for (size_t i = 0; i < params.size(); ++i) bind(*params[i], args[i], scope);
  Interpreter inner(collections_, h.location.file, local_addr_, budtime_);
  inner.depth_ = depth_ + 1;
  const Expr* body = h.def.child("body");
  try {
    return body ? inner.eval(*body, scope) : Value();
  } catch (const HelperReturn& r) {
    return r.value;
  }
}

Value Interpreter::call_block(const Expr& block, const std::vector<Value>& args,
                              const Scope& outer) const {
  Scope scope = outer;
  const Expr* ps = block.child("parameters");
  size_t n = 0;  // parameters
  if (ps)
    for (const auto& c : ps->children) n += is_punct(c) ? 0 : 1;
  // Several parameters and one array argument: the array is spread over them.
  const std::vector<Value>& actual =
      n > 1 && args.size() == 1 && args[0].is_array() ? args[0].items() : args;
  scope.reserve(scope.size() + n);
  size_t i = 0;
  if (ps)
    for (const auto& c : ps->children) {
      if (is_punct(c)) continue;
      bind(c, i < actual.size() ? actual[i] : Value(), scope);
      ++i;
    }
  const Expr* body = block.child("body");
  if (!body) return Value();
  return eval_sequence(*body, scope);
}

Value Interpreter::eval(const Expr& e, Scope& scope) const {
  const std::string_view t = e.type;  // compares the length before the characters
  // The commonest nodes of a block first (each test below compares a string).
  if (t == "call") {
    Value v = eval_call(e, scope);
    check_size(e, v);
    return v;
  }
  if (t == "binary") return eval_binary(e, scope);
  if (t == "identifier") {
    if (auto it = scope.find(e.text); it != scope.end()) return it->second;
    if (e.text == "budtime") return Value::integer(budtime_);
    // Bud's bud_clock: the time of this timestep (Time.now when the tick began).
    if (e.text == "bud_clock") return time_at(e, "bud_clock", collections_.now());
    if (e.text == "ip_port") return local_addr_;
    std::string coll = collections_.collection_named(e);
    if (const Value* lat = coll.empty() ? nullptr : collections_.lattice_value(coll)) return *lat;
    if (const HelperMethod* h = coll.empty() ? collections_.helper(e.text) : nullptr)
      return call_helper(e, *h, {});
    if (coll.empty() && e.text == "rand") return ruby_rand(collections_.random53(), Value());
    if (coll.empty() && (e.text == "puts" || e.text == "print")) {
      if (output_ && e.text == "puts") output_->push_back("\n");  // `print` alone writes $_
      return Value();
    }
    if (!coll.empty()) return collection_value(coll);
    unsupported(e, "identifier '" + e.text + "' (not a block parameter, local or collection)");
  }
  if (t == "integer") {
    if (auto v = parse_int(e.text)) return Value::integer(*v);
    fail(e, "integer literal " + e.text +
                " does not fit in 64 bits (Ruby would make a Bignum; calm's evaluator has no big "
                "integers and refuses, docs/evaluator.md)");
  }
  if (t == "float") return Value::floating(std::strtod(e.text.c_str(), nullptr));
  if (t == "true") return Value::boolean(true);
  if (t == "false") return Value::boolean(false);
  if (t == "nil") return Value();
  if (t == "string" || t == "delimited_symbol") {
    std::string s;
    for (const auto& c : e.children) {
      if (c.type == "string_content")
        s += c.text;
      else if (c.type == "escape_sequence")
        s += unescape(c.text);
      else if (c.type == "interpolation")
        s += eval_sequence(c, scope).to_s();
    }
    check_size(e, s.size(), "string");
    return t == "string" ? Value::string(s) : Value::symbol(s);
  }
  if (t == "simple_symbol") return Value::symbol(e.text.substr(e.text.rfind(':') + 1));
  if (t == "hash_key_symbol") return Value::symbol(e.text);
  if (t == "range") {
    // `(1..5)`, `(0...n)`: a range of integers is evaluated as the array of its
    // elements (enough for map, each, to_a, include? and friends); others are refused.
    const Expr* lo = e.child("begin");
    const Expr* hi = e.child("end");
    const Expr* op = e.child("operator");
    if (!lo || !hi || !op) unsupported(e, "range without both ends");
    Value a = eval(*lo, scope), b = eval(*hi, scope);
    if (a.kind() != Value::Kind::Int || b.kind() != Value::Kind::Int)
      unsupported(e, "range of " + ruby_class_name(a) + " values (only integer ranges)");
    int64_t first = a.as_int(), last = b.as_int();
    if (op->text == "..." && last > INT64_MIN) --last;
    uint64_t n = last < first ? 0 : uint64_t(last) - uint64_t(first) + 1;
    check_size(e, n > kMaxValueSize ? kMaxValueSize + 1 : size_t(n), "range");
    std::vector<Value> items;
    for (uint64_t k = 0; k < n; ++k) items.push_back(Value::integer(first + int64_t(k)));
    return Value::array(std::move(items));
  }
  if (t == "array") {
    std::vector<Value> items, hk, hv;
    for (const auto& c : e.children) {
      if (is_punct(c)) continue;
      if (c.type == "pair") {  // [1, a: 2] is [1, {:a=>2}]
        hk.push_back(eval(*c.child("key"), scope));
        hv.push_back(eval(*c.child("value"), scope));
        continue;
      }
      items.push_back(eval(c, scope));
    }
    if (!hk.empty()) items.push_back(Value::hash(hk, hv));
    return Value::array(std::move(items));
  }
  if (t == "hash") {
    std::vector<Value> hk, hv;
    for (const auto& c : e.children) {
      if (is_punct(c)) continue;
      if (c.type != "pair") unsupported(c, "'" + c.type + "' in a hash literal");
      hk.push_back(eval(*c.child("key"), scope));
      hv.push_back(eval(*c.child("value"), scope));
    }
    return Value::hash(hk, hv);
  }
  if (t == "constant") {  // a module constant (`QUORUM_SIZE = 3`), kept as a helper
    if (const HelperMethod* h = collections_.helper(e.text)) return call_helper(e, *h, {});
  }
  if (t == "instance_variable") {
    // Bud's own instance variables: the node's address and the current timestep.
    if (e.text == "@local_addr" || e.text == "@ip_port") return local_addr_;
    if (e.text == "@budtime") return Value::integer(budtime_);
    if (e.text == "@ip" || e.text == "@port") {  // the host and port of "host:port"
      const std::string addr =
          local_addr_.kind() == Value::Kind::String ? local_addr_.as_string() : "";
      const size_t colon = addr.rfind(':');
      if (e.text == "@ip") return Value::string(addr.substr(0, colon));
      if (colon == std::string::npos) return Value();
      errno = 0;
      const long long port = std::strtoll(addr.c_str() + colon + 1, nullptr, 10);
      return errno == 0 ? Value::integer(port) : Value();
    }
    if (const Value* v = collections_.instance_variable(e.text)) return *v;
    unsupported(e, instance_variable_refusal(e.text));
  }
  if (t == "parenthesized_statements" || t == "block_body" || t == "body_statement" ||
      t == "then" || t == "else")
    return eval_sequence(e, scope);
  if (t == "if_modifier" || t == "unless_modifier") {
    bool c = eval(*e.child("condition"), scope).truthy();
    if (t == "unless_modifier") c = !c;
    return c ? eval(*e.child("body"), scope) : Value();
  }
  if (t == "if" || t == "unless" || t == "elsif" || t == "conditional") {
    bool c = eval(*e.child("condition"), scope).truthy();
    if (t == "unless") c = !c;
    const Expr* branch = e.child(c ? "consequence" : "alternative");
    return branch ? eval(*branch, scope) : Value();
  }
  if (t == "case") {
    const Expr* value_expr = e.child("value");
    if (!value_expr) unsupported(e, "case without a value");
    Value v = eval(*value_expr, scope);
    for (const auto& w : e.children) {
      if (w.type == "when") {
        for (const auto& p : w.children) {
          if (p.field != "pattern") continue;
          const Expr& pe = p.children.empty() ? p : p.children.front();
          if (Value::ruby_equal(eval(pe, scope), v)) {
            const Expr* body = w.child("body");
            return body ? eval(*body, scope) : Value();
          }
        }
      } else if (w.type == "else") {
        return eval(w, scope);
      }
    }
    return Value();
  }
  if (t == "assignment") {
    const Expr* left = e.child("left");
    if (!left || left->type != "identifier")
      unsupported(e, "assignment to '" + (left ? left->type : std::string("?")) + "'");
    Value v = eval(*e.child("right"), scope);
    scope[left->text] = v;
    return v;
  }
  if (t == "operator_assignment") {
    const Expr* left = e.child("left");
    const Expr* op = e.child("operator");
    if (!left || left->type != "identifier" || !op)
      unsupported(e, "operator assignment to '" + (left ? left->type : std::string("?")) + "'");
    auto it = scope.find(left->text);
    Value cur = it == scope.end() ? Value() : it->second;
    Value v;
    if (op->text == "||=")
      v = cur.truthy() ? cur : eval(*e.child("right"), scope);
    else if (op->text == "&&=")
      v = cur.truthy() ? eval(*e.child("right"), scope) : cur;
    else
      v = arith(e, op->text.substr(0, op->text.size() - 1), cur, eval(*e.child("right"), scope));
    scope[left->text] = v;
    return v;
  }
  if (t == "unary") {
    const Expr* op = e.child("operator");
    const Expr* operand = e.child("operand");
    if (!op || !operand) unsupported(e, "unary expression");
    Value v = eval(*operand, scope);
    if (op->text == "!" || op->text == "not") return Value::boolean(!v.truthy());
    if (op->text == "-") {
      if (v.kind() == Value::Kind::Int) {
        if (v.as_int() == INT64_MIN) fail(e, overflow_message("-(" + v.to_s() + ")"));
        return Value::integer(-v.as_int());
      }
      if (v.kind() == Value::Kind::Float) return Value::floating(-v.as_float());
      fail(e, "undefined method '-@' for " + ruby_class_name(v));
    }
    if (op->text == "+" && v.is_numeric()) return v;
    unsupported(e, "unary operator '" + op->text + "'");
  }
  if (t == "element_reference") {
    const Expr* obj = e.child("object");
    std::vector<Value> idx;
    for (const auto& c : e.children)
      if (c.field != "object" && !is_punct(c)) idx.push_back(eval(c, scope));
    Value o = eval(*obj, scope);
    if (idx.size() != 1)
      unsupported(e, "indexing with " + std::to_string(idx.size()) + " arguments");
    const Value& i = idx[0];
    if (o.is_array() && i.kind() == Value::Kind::Int) {
      int64_t n = int64_t(o.items().size()), k = i.as_int();
      if (k < 0) k += n;
      return k >= 0 && k < n ? o.items()[size_t(k)] : Value();
    }
    if (o.kind() == Value::Kind::Hash) {
      for (size_t k = 0; k < o.items().size(); ++k)
        if (o.items()[k] == i) return o.hash_values()[k];
      return Value();
    }
    if (o.kind() == Value::Kind::String && i.kind() == Value::Kind::Int) {
      int64_t n = int64_t(o.as_string().size()), k = i.as_int();
      if (k < 0) k += n;
      return k >= 0 && k < n ? Value::string(o.as_string().substr(size_t(k), 1)) : Value();
    }
    if (o.kind() == Value::Kind::Int && i.kind() == Value::Kind::Int) {
      // Ruby's Integer#[]: the bit at that position (two's complement; 0 below 0).
      int64_t k = i.as_int(), v = o.as_int();
      if (k < 0) return Value::integer(0);
      if (k >= 63) return Value::integer(v < 0 ? 1 : 0);
      return Value::integer((v >> k) & 1);
    }
    if (o.is_nil()) fail(e, "undefined method '[]' for nil");
    fail(e, "cannot index " + ruby_class_name(o) + " with " + ruby_class_name(i));
  }
  if (t == "constant") {
    const ModuleConstant* c = collections_.constant(e.text);
    if (!c) unsupported(e, "constant '" + e.text + "'");
    if (depth_ > 100) fail(e, "constant '" + e.text + "' defined in terms of itself");
    Interpreter inner(collections_, c->location.file, local_addr_, budtime_);
    inner.depth_ = depth_ + 1;
    Scope none;
    return inner.eval(c->value, none);
  }
  if (t == "return" && depth_ > 0) {
    // `return x` in a helper method: back to call_helper, which ran the body.
    const Expr* arg = nullptr;
    for (const auto& c : e.children)
      if (!is_punct(c) && c.type != "return") arg = &c;
    if (arg && arg->type == "argument_list") {
      std::vector<const Expr*> vals;
      for (const auto& c : arg->children)
        if (!is_punct(c)) vals.push_back(&c);
      if (vals.size() == 1)
        arg = vals[0];
      else {
        std::vector<Value> items;
        for (const Expr* v : vals) items.push_back(eval(*v, scope));
        throw HelperReturn{Value::array(std::move(items))};
      }
    }
    throw HelperReturn{arg ? eval(*arg, scope) : Value()};
  }
  if (t == "scope_resolution") {
    // `Bud::SetLattice` as a value (lmap#at's bottom type): its bottom.
    std::string lt = lattice_class_type(e);
    if (!lt.empty()) return lattice_bottom(lt);
  }
  unsupported(e, "'" + e.type + "'");
}

Value Interpreter::eval_binary(const Expr& e, Scope& scope) const {
  const Expr* op = e.child("operator");
  const Expr* l = e.child("left");
  const Expr* r = e.child("right");
  if (!op || !l || !r) unsupported(e, "binary expression");
  const std::string& o = op->text;
  if (o == "&&" || o == "and") {
    Value a = eval(*l, scope);
    return a.truthy() ? eval(*r, scope) : a;
  }
  if (o == "||" || o == "or") {
    Value a = eval(*l, scope);
    return a.truthy() ? a : eval(*r, scope);
  }
  Value a = eval(*l, scope);
  Value b = eval(*r, scope);
  if (o == "<<") {
    if (a.kind() == Value::Kind::Int && b.kind() == Value::Kind::Int) {
      // Integer shift; beyond 64 bits Ruby would grow a Bignum: refused, never wrapped.
      int64_t x = a.as_int(), k = b.as_int();
      if (k < 0) return Value::integer(k <= -63 ? (x < 0 ? -1 : 0) : x >> -k);
      if (x == 0) return a;
      int64_t y = k >= 63 ? 0 : int64_t(uint64_t(x) << k);
      if (k >= 63 || (y >> k) != x) fail(e, overflow_message(a.to_s() + " << " + b.to_s()));
      return Value::integer(y);
    }
    // `foo << x` on an Array appends; on a local variable it updates it, as in Ruby.
    Value out = call_method(e, a, "<<", {b}, nullptr, scope);
    if (l->type == "identifier" && scope.count(l->text)) scope[l->text] = out;
    return out;
  }
  return arith(e, o, a, b);
}

Value Interpreter::arith(const Expr& e, const std::string& o, const Value& a,
                         const Value& b) const {
  using K = Value::Kind;
  if (a.is_lattice() && o != "==" && o != "!=" && o != "eql?") {
    Scope none;
    std::vector<Value> args{b};
    return run_lattice_method(MethodCall{*this, e, a, o, args, nullptr, none});
  }
  if (o == "==") return Value::boolean(Value::ruby_equal(a, b));
  if (o == "!=") return Value::boolean(!Value::ruby_equal(a, b));
  if (o == "eql?") return Value::boolean(a == b);
  if (a.kind() == K::Time && (o == "+" || o == "-") && b.is_numeric()) {
    return time_at(e, "Time " + o,
                   o == "+" ? a.as_time() + b.as_float() : a.as_time() - b.as_float());
  }
  if (a.kind() == K::Time && o == "-" && b.kind() == K::Time)
    return Value::floating(a.as_time() - b.as_time());  // seconds between, a Float
  bool comparable = (a.is_numeric() && b.is_numeric()) ||
                    (a.kind() == b.kind() && (a.kind() == K::String || a.kind() == K::Symbol ||
                                              a.kind() == K::Array || a.kind() == K::Time));
  if (o == "<" || o == ">" || o == "<=" || o == ">=" || o == "<=>") {
    if (!comparable) {
      if (o == "<=>") return Value();
      fail(e, "comparison of " + ruby_class_name(a) + " with " + ruby_class_name(b) + " failed");
    }
    int c = Value::compare(a, b);
    if (a.is_numeric() && b.is_numeric()) {
      double x = a.as_float(), y = b.as_float();
      c = x < y ? -1 : x > y ? 1 : 0;
    }
    if (o == "<") return Value::boolean(c < 0);
    if (o == ">") return Value::boolean(c > 0);
    if (o == "<=") return Value::boolean(c <= 0);
    if (o == ">=") return Value::boolean(c >= 0);
    return Value::integer(c);
  }
  if (a.is_numeric() && b.is_numeric()) {
    bool ints = a.kind() == K::Int && b.kind() == K::Int;
    if (ints) {
      int64_t x = a.as_int(), y = b.as_int();
      int64_t r = 0;
      auto overflow = [&]() {
        fail(e, overflow_message(std::to_string(x) + " " + o + " " + std::to_string(y)));
      };
      if (o == "+") {
        if (__builtin_add_overflow(x, y, &r)) overflow();
        return Value::integer(r);
      }
      if (o == "-") {
        if (__builtin_sub_overflow(x, y, &r)) overflow();
        return Value::integer(r);
      }
      if (o == "*") {
        if (__builtin_mul_overflow(x, y, &r)) overflow();
        return Value::integer(r);
      }
      if (o == "/" || o == "%") {
        if (y == 0) fail(e, "divided by 0");
        if (y == -1) {  // INT64_MIN / -1 overflows; the remainder is always 0
          if (o == "%") return Value::integer(0);
          if (x == INT64_MIN) overflow();
          return Value::integer(-x);
        }
        // Ruby rounds integer division toward negative infinity.
        int64_t q = x / y, m = x % y;
        if (m != 0 && ((m < 0) != (y < 0))) {
          q -= 1;
          m += y;
        }
        return Value::integer(o == "/" ? q : m);
      }
      if (o == "**" && y >= 0) {
        if (x == 0 || x == 1) return Value::integer(y == 0 ? 1 : x);
        if (x == -1) return Value::integer(y % 2 == 0 ? 1 : -1);
        int64_t p = 1, base = x;  // by squaring: at most 63 steps before overflowing
        for (int64_t k = y;;) {
          if ((k & 1) && __builtin_mul_overflow(p, base, &p)) overflow();
          k >>= 1;
          if (k == 0) break;
          if (__builtin_mul_overflow(base, base, &base)) overflow();
        }
        return Value::integer(p);
      }
      if (o == "&") return Value::integer(x & y);
      if (o == "|") return Value::integer(x | y);
    }
    double x = a.as_float(), y = b.as_float();
    if (o == "+") return Value::floating(x + y);
    if (o == "-") return Value::floating(x - y);
    if (o == "*") return Value::floating(x * y);
    if (o == "/") return Value::floating(x / y);
    if (o == "%") return Value::floating(x - y * std::floor(x / y));
    if (o == "**") return Value::floating(std::pow(x, y));
  }
  if (a.kind() == K::String && b.kind() == K::String && o == "+") {
    check_size(e, a.as_string().size() + b.as_string().size(), "string");
    return Value::string(a.as_string() + b.as_string());
  }
  if (a.kind() == K::String && o == "%")
    return format(e, a.as_string(), b.is_array() ? b.items() : std::vector<Value>{b});
  if (a.kind() == K::String && b.kind() == K::Int && o == "*") {
    if (b.as_int() < 0) fail(e, "ArgumentError: negative argument");
    if (!a.as_string().empty())
      check_size(e,
                 uint64_t(b.as_int()) > kMaxValueSize ? kMaxValueSize + 1
                                                      : a.as_string().size() * size_t(b.as_int()),
                 "string");
    std::string s;
    s.reserve(a.as_string().size() * size_t(b.as_int()));
    for (int64_t k = 0; k < b.as_int(); ++k) s += a.as_string();
    return Value::string(s);
  }
  if (a.is_array() && b.is_array()) {
    if (o == "+") {
      check_size(e, a.items().size() + b.items().size(), "array");
      auto items = a.items();
      items.insert(items.end(), b.items().begin(), b.items().end());
      return Value::array(items);
    }
    if (o == "-" || o == "&") {
      std::vector<Value> items;
      for (const auto& v : a.items()) {
        bool in_b = std::find(b.items().begin(), b.items().end(), v) != b.items().end();
        if (in_b == (o == "&")) items.push_back(v);
      }
      if (o == "&") items = Value::set(items).items();
      return Value::array(items);
    }
    if (o == "|") {
      auto items = a.items();
      items.insert(items.end(), b.items().begin(), b.items().end());
      std::vector<Value> uniq;
      for (const auto& v : items)
        if (std::find(uniq.begin(), uniq.end(), v) == uniq.end()) uniq.push_back(v);
      return Value::array(uniq);
    }
  }
  if (a.is_array() && o == "*" && b.kind() == K::Int) {
    if (b.as_int() < 0) fail(e, "ArgumentError: negative argument");
    if (!a.items().empty())
      check_size(e,
                 uint64_t(b.as_int()) > kMaxValueSize ? kMaxValueSize + 1
                                                      : a.items().size() * size_t(b.as_int()),
                 "array");
    std::vector<Value> items;
    for (int64_t k = 0; k < b.as_int(); ++k)
      items.insert(items.end(), a.items().begin(), a.items().end());
    return Value::array(items);
  }
  if (kBinaryOps.count(o) == 0) unsupported(e, "operator '" + o + "'");
  fail(e, "undefined method '" + o + "' for " + ruby_class_name(a) +
              (a.is_nil() ? "" : " with " + ruby_class_name(b)));
}

Value Interpreter::collection_value(const std::string& coll) const {
  std::vector<Value> items;
  Schema schema = collections_.schema(coll);
  for (const auto& t : collections_.contents(coll)) items.push_back(Value::array(t, schema));
  return Value::array(std::move(items));
}

Value Interpreter::format(const Expr& e, const std::string& fmt,
                          const std::vector<Value>& args) const {
  std::string error;
  auto text = ruby_format(fmt, args, error);
  if (!text) fail(e, "format " + Value::string(fmt).inspect() + ": " + error);
  return Value::string(std::move(*text));
}

InvariantCall& Interpreter::invariant_of(const Expr& e) const {
  auto* shared = collections_.invariant_calls();
  InvariantCall& x = (shared ? *shared : own_invariants_)[&e];
  if (x.analysed) return x;
  x.analysed = true;
  // The receiver chain starts at a collection: `c.map { ... }`, `c.select { ... }.map { ... }`.
  const Expr* base = e.child("receiver");
  while (base && base->type == "call" && base->child("receiver")) base = base->child("receiver");
  if (!base || base->type != "identifier" || collections_.collection_named(*base).empty()) return x;
  std::vector<std::string> params;
  x.invariant = reads_only_collections(e, params, x);
  return x;
}

bool Interpreter::reads_only_collections(const Expr& x, std::vector<std::string>& params,
                                         InvariantCall& call) const {
  const std::string_view t = x.type;
  if (is_punct(x) || t == "comment") return true;
  if (t == "block" || t == "do_block") {
    size_t before = params.size();
    if (const Expr* ps = x.child("parameters"))
      for (const auto& p : ps->children) {
        if (is_punct(p)) continue;
        if (p.type != "identifier") return false;  // destructuring, splats, defaults
        params.push_back(p.text);
      }
    const Expr* body = x.child("body");
    bool ok = !body || reads_only_collections(*body, params, call);
    params.resize(before);
    return ok;
  }
  if (t == "identifier") {
    if (x.field == "method") return true;
    if (std::find(params.begin(), params.end(), x.text) != params.end()) return true;
    if (x.text != "budtime" && x.text != "ip_port") {
      const std::string& c = collections_.collection_named(x);
      if (c.empty() || collections_.lattice_value(c)) return false;  // a local, a helper, rand
      if (std::find(call.collections.begin(), call.collections.end(), c) == call.collections.end())
        call.collections.push_back(c);
    }
    call.names.push_back(x.text);
    return true;
  }
  if (t == "call") {
    // A method of no receiver may be a helper, rand or puts; shuffle and sample draw
    // random numbers.
    const Expr* m = x.child("method");
    if (!x.child("receiver") || !m || m->text == "shuffle" || m->text == "shuffle!" ||
        m->text == "sample")
      return false;
  } else {
    static constexpr std::string_view kPlain[] = {"integer",
                                                  "float",
                                                  "string",
                                                  "string_content",
                                                  "simple_symbol",
                                                  "nil",
                                                  "true",
                                                  "false",
                                                  "array",
                                                  "binary",
                                                  "unary",
                                                  "parenthesized_statements",
                                                  "if_modifier",
                                                  "unless_modifier",
                                                  "if",
                                                  "unless",
                                                  "else",
                                                  "then",
                                                  "conditional",
                                                  "element_reference",
                                                  "pair",
                                                  "hash",
                                                  "argument_list",
                                                  "body_statement",
                                                  "block_body"};
    if (std::find(std::begin(kPlain), std::end(kPlain), t) == std::end(kPlain)) return false;
  }
  for (const auto& c : x.children)
    if (!reads_only_collections(c, params, call)) return false;
  return true;
}

Value Interpreter::eval_call(const Expr& e, Scope& scope) const {
  if (!e.child("block") || !e.child("receiver")) return eval_call_now(e, scope);
  InvariantCall& x = invariant_of(e);
  if (!x.invariant ||
      std::any_of(x.names.begin(), x.names.end(), [&](const auto& n) { return scope.count(n); }))
    return eval_call_now(e, scope);
  // Own entries live as long as this interpreter: within one evaluation of a rule, where
  // no collection changes.
  const bool shared = collections_.invariant_calls() != nullptr;
  uint64_t key = shared ? collections_.contents_key(x.collections) : 1;
  if (key == 0) return eval_call_now(e, scope);
  key = fmix64(key ^ uint64_t(budtime_));
  if (x.known && x.key == key) return x.value;
  Value v = eval_call_now(e, scope);
  // The entry stays where it is: entries of a std::map do not move.
  x.value = v;
  x.key = key;
  x.known = true;
  return v;
}

Value Interpreter::eval_call_now(const Expr& e, Scope& scope) const {
  std::string m = method_name(e);
  const std::string_view mv = m;  // compares the length before the characters
  const Expr* recv = e.child("receiver");
  const Expr* block = e.child("block");
  const Expr* op = e.child("operator");
  if (op && op->text == "&.") unsupported(*op, "safe navigation '&.'");
  if (recv && !block && !e.child("arguments")) {  // `x1.m1`: a lattice of an imported module
    std::string q = collections_.collection_named(e);
    if (const Value* lat = q.empty() ? nullptr : collections_.lattice_value(q)) return *lat;
  }
  if (recv && recv->type == "constant" && recv->text == "Time" && !block &&
      !collections_.constant("Time")) {
    // Ruby's Time.now / Time.new: the node's logical time (CollectionAccess::now); Time.new
    // with fields and Time.at(seconds): that time, in UTC.
    auto args = arguments(e);
    std::vector<Value> a;
    for (const Expr* x : args) a.push_back(eval(*x, scope));
    const std::string what = "Time." + m;
    if ((mv == "now" || mv == "new") && a.empty()) return time_at(e, what, collections_.now());
    if (mv == "at" && a.size() == 1 && a[0].is_numeric()) return time_at(e, what, a[0].as_float());
    if (mv == "new" && a.size() <= 6 &&
        std::all_of(a.begin(), a.end(), [](const Value& v) { return v.is_numeric(); })) {
      if (std::any_of(a.begin(), a.end(),
                      [](const Value& v) { return !(std::fabs(v.as_float()) <= 1e9); }))
        fail(e, "Time.new: argument out of range");
      std::tm tm{};
      tm.tm_year = int(a[0].as_int()) - 1900;
      tm.tm_mon = a.size() > 1 ? int(a[1].as_int()) - 1 : 0;
      tm.tm_mday = a.size() > 2 ? int(a[2].as_int()) : 1;
      tm.tm_hour = a.size() > 3 ? int(a[3].as_int()) : 0;
      tm.tm_min = a.size() > 4 ? int(a[4].as_int()) : 0;
      double sec = a.size() > 5 ? a[5].as_float() : 0;
      return time_at(e, what, double(timegm(&tm)) + sec);
    }
    unsupported(e, "Time." + m + " with these arguments");
  }
  if (recv && recv->type == "constant" && recv->text == "Set" && mv == "new" && !block &&
      !collections_.constant("Set")) {
    // Ruby's Set.new / Set.new(enumerable).
    auto args = arguments(e);
    if (args.empty()) return Value::set({});
    Value v = eval(*args[0], scope);
    if (args.size() > 1 || !(v.is_array() || v.kind() == Value::Kind::Set || v.is_nil()))
      fail(e, "Set.new of " + v.inspect() + " (an Array or Set expected)");
    return Value::set(v.is_nil() ? std::vector<Value>{} : v.elements());
  }
  if (recv && recv->type == "scope_resolution") {
    std::string lt = lattice_class_type(*recv);
    if (lt.empty() || mv != "new" || block) unsupported(e, "constant call '" + m + "'");
    auto args = arguments(e);
    if (args.size() > 1) unsupported(e, "lattice constructor with several arguments");
    if (args.empty()) return lattice_bottom(lt);
    Value v = eval(*args[0], scope);
    try {
      return lattice_from(lt, v);
    } catch (const LatticeError& le) {
      fail(e, le.message);
    }
  }
  if (!recv) {
    if (mv == "budtime" && !block) return Value::integer(budtime_);
    if (mv == "bud_clock" && !block && !e.child("arguments"))
      return time_at(e, "bud_clock", collections_.now());
    if (mv == "ip_port" && !block) return local_addr_;
    if (auto it = scope.find(m); it != scope.end() && !block && arguments(e).empty())
      return it->second;
    if ((mv == "puts" || mv == "print") && !block && !collections_.helper(m)) {
      // Debug output (`puts "x" or [t.a]`): written to the node's output, nil.
      std::string text;
      auto args = arguments(e);
      for (const Expr* a : args) {
        if (a->type == "pair" || a->type == "splat_argument" || a->type == "block_argument")
          unsupported(*a, "'" + a->type + "' argument");
        Value v = eval(*a, scope);
        if (mv == "puts")
          puts_text(v, text);
        else
          text += v.to_s();
      }
      if (mv == "puts" && args.empty()) text = "\n";
      if (output_ && !text.empty()) output_->push_back(std::move(text));
      return Value();
    }
    if (mv == "rand" && !block && !collections_.helper(m)) {
      // Ruby's Kernel#rand: rand(n) an Integer in [0, n.to_i.abs), rand / rand(0) a
      // Float in [0, 1); from the node's seeded generator (NodeOptions::random_seed),
      // not Ruby's numbers.
      auto args = arguments(e);
      if (args.size() > 1) fail(e, "wrong number of arguments for rand");
      Value n = args.empty() ? Value() : eval(*args[0], scope);
      if (!n.is_nil() && !n.is_numeric())
        fail(e, "rand of " + n.inspect() + " (ranges are not supported)");
      return ruby_rand(collections_.random53(), n);
    }
    if ((mv == "format" || mv == "sprintf") && !block && !collections_.helper(m)) {
      std::vector<Value> args;
      for (const Expr* a : arguments(e)) args.push_back(eval(*a, scope));
      if (args.empty() || args[0].kind() != Value::Kind::String)
        fail(e, m + " needs a format string");
      return format(e, args[0].as_string(), {args.begin() + 1, args.end()});
    }
    if (const HelperMethod* h = collections_.helper(m); h && !block) {
      std::vector<Value> args;
      for (const Expr* a : arguments(e)) {
        if (a->type == "pair" || a->type == "splat_argument" || a->type == "block_argument")
          unsupported(*a, "'" + a->type + "' argument");
        args.push_back(eval(*a, scope));
      }
      return call_helper(e, *h, args);
    }
    std::string named = collections_.collection_named(e);
    if (named.empty()) named = collections_.collection_named(*e.child("method"));
    const Value* lat = named.empty() ? nullptr : collections_.lattice_value(named);
    if (lat && block && !e.child("arguments") &&
        (lat->lattice_type() == "lset" || lat->lattice_type() == "lpset")) {
      // `s {|x| ...}` of a set lattice: Bud's implicit pro maps each element; the results
      // but nil, as a collection of values (merged element by element into a lattice).
      std::vector<Value> out;
      for (const auto& x : lat->items())
        if (Value v = call_block(*block, {x}, scope); !v.is_nil()) out.push_back(std::move(v));
      return Value::array(std::move(out));
    }
    if (!named.empty()) unsupported(e, "collection expression '" + m + "' inside a block");
    unsupported(e, "method call '" + m + "'");
  }
  // A collection inside a block: membership tests.
  bool recv_is_local = recv->type == "identifier" && scope.count(recv->text);
  std::string coll = recv_is_local ? "" : collections_.collection_named(*recv);
  if (!coll.empty() && collections_.lattice_value(coll)) coll.clear();  // a lattice value
  if (!coll.empty()) {
    const TupleSet& tuples = collections_.contents(coll);
    Schema schema = collections_.schema(coll);
    auto args = arguments(e);
    if (mv == "include?" && args.size() == 1 && !block) {
      Value v = eval(*args[0], scope);
      if (!v.is_array()) return Value::boolean(false);
      return Value::boolean(tuples.count(v.items()) > 0);
    }
    if ((mv == "exists?" || mv == "any?" || mv == "empty?" || mv == "none?") && args.empty()) {
      bool found = false;
      if (!block) {
        found = !tuples.empty();
      } else {
        for (const auto& tup : tuples)
          if (call_block(*block, {Value::array(tup, schema)}, scope).truthy()) {
            found = true;
            break;
          }
      }
      return Value::boolean(mv == "exists?" || mv == "any?" ? found : !found);
    }
    if ((mv == "size" || mv == "length" || mv == "count") && args.empty() && !block)
      return Value::integer(int64_t(tuples.size()));
    if ((mv == "has_key?" || mv == "key?") && args.size() == 1 && !block && schema) {
      // Bud: is there a tuple whose key columns are these values?
      Value k = eval(*args[0], scope);
      if (!k.is_array()) return Value::boolean(false);
      std::vector<size_t> idx;
      for (const auto& c : collections_.key_columns(coll))
        idx.push_back(size_t(std::find(schema->begin(), schema->end(), c) - schema->begin()));
      if (idx.size() != k.items().size()) return Value::boolean(false);
      for (const auto& tup : tuples) {
        bool same = true;
        for (size_t i = 0; same && i < idx.size(); ++i)
          same = idx[i] < tup.size() && tup[idx[i]] == k.items()[i];
        if (same) return Value::boolean(true);
      }
      return Value::boolean(false);
    }
    // `coll.map { |t| ... }` (the 2011 carts: `coll.map { }.include? x`): Bud's
    // collections are Enumerable, so this is an Array of the block's results, nils too.
    if ((mv == "map" || mv == "collect") && args.empty() && block) {
      std::vector<Value> out;
      for (const auto& tup : tuples)
        out.push_back(call_block(*block, {Value::array(tup, schema)}, scope));
      return Value::array(out);
    }
    if ((mv == "cols" || mv == "key_cols" || mv == "val_cols" || mv == "schema") && args.empty() &&
        !block && schema) {
      std::vector<Value> all, keys, vals;
      std::vector<std::string> kc = collections_.key_columns(coll);
      for (const auto& c : *schema) {
        all.push_back(Value::symbol(c));
        (std::find(kc.begin(), kc.end(), c) != kc.end() ? keys : vals).push_back(Value::symbol(c));
      }
      if (mv == "cols") return Value::array(all);
      if (mv == "key_cols") return Value::array(keys);
      if (mv == "val_cols") return Value::array(vals);
      // Bud: {[keys] => [values]}, or the column list when every column is a key.
      if (vals.empty()) return Value::array(all);
      return Value::hash({Value::array(keys)}, {Value::array(vals)});
    }
    // Any other method: Ruby's, on the collection as an Array of its tuples (Bud's
    // collections are Enumerable).
    std::vector<Value> args_v;
    for (const Expr* a : args) {
      if (a->type == "pair" || a->type == "splat_argument" || a->type == "block_argument")
        unsupported(*a, "'" + a->type + "' argument");
      args_v.push_back(eval(*a, scope));
    }
    return call_method(e, collection_value(coll), m, args_v, block, scope);
  }
  Value r = eval(*recv, scope);
  std::vector<Value> args;
  for (const Expr* a : arguments(e)) {
    if (a->type == "pair" || a->type == "splat_argument" || a->type == "block_argument")
      unsupported(*a, "'" + a->type + "' argument");
    args.push_back(eval(*a, scope));
  }
  Value out = call_method(e, r, m, args, block, scope);
  // `x << v` and `x.push(v)` on a local variable update the variable, as in Ruby.
  if ((mv == "push" || mv == "<<" || mv == "concat") && recv->type == "identifier" &&
      scope.count(recv->text))
    scope[recv->text] = out;
  return out;
}

Value Interpreter::call_method(const Expr& e, const Value& r, const std::string& m,
                               const std::vector<Value>& args, const Expr* block,
                               Scope& scope) const {
  size_t n = args.size();
  // Tuple fields: `t.key` is the column named key.
  if (r.is_array() && r.schema() && n == 0 && !block) {
    const auto& cols = *r.schema();
    for (size_t i = 0; i < cols.size(); ++i)
      if (cols[i] == m) return i < r.items().size() ? r.items()[i] : Value();
  }
  MethodCall call{*this, e, r, m, args, block, scope};
  if (std::optional<Value> v = run_value_method(call)) return *v;
  if (r.is_lattice()) return run_lattice_method(call);
  // A method Ruby's class of the value has that calm does not implement is refused; one
  // the class lacks (`3.increment`) is Ruby's NoMethodError, as in Bud.
  if (!is_value_method(m) && ruby_has_method(ruby_method_class(r), m))
    unsupported(e, "method '" + m + "'");
  if (r.is_array() && r.schema())
    fail(e, "undefined method '" + m + "' for a tuple with columns " +
                Value::array([&] {
                  std::vector<Value> c;
                  for (const auto& s : *r.schema()) c.push_back(Value::symbol(s));
                  return c;
                }())
                    .inspect());
  fail(e, "undefined method '" + m + "' for " + ruby_class_name(r) + " " + r.inspect() +
              (n ? " with " + std::to_string(n) + " argument(s)" : ""));
}

namespace {

struct Checker {
  Diagnostics& diags;
  const std::vector<HelperMethod>& helpers;
  const std::vector<ModuleConstant>& constants;
  const std::map<std::string, Value>& instance_variables;
  const std::set<std::string>& collections;
  std::set<std::string> checked;  ///< helpers and constants already checked
  int in_helper = 0;              ///< > 0 while checking a helper's body (`return` is fine)

  /// "alias.name" ends a collection's name (an imported module's collection).
  bool qualified_collection(const std::string& alias, const std::string& name) const {
    std::string q = alias + "." + name;
    for (const auto& c : collections)
      if (c == q || c.ends_with("." + q)) return true;
    return false;
  }

  const HelperMethod* helper(const std::string& name) const {
    for (const auto& h : helpers)
      if (h.name == name) return &h;
    return nullptr;
  }

  /// A call of a helper: its parameters must be plain names, its body in the subset.
  void check_helper(const HelperMethod& h) {
    if (!checked.insert(h.name).second) return;
    if (const Expr* ps = h.def.child("parameters"))
      for (const auto& p : ps->children)
        if (!is_punct(p) && p.type != "identifier")
          diags.error("calm-eval-unsupported",
                      "unsupported construct parameter '" + p.type + "' of helper '" + h.name + "'",
                      SourceLocation{h.location.file, p.line, p.column});
    ++in_helper;
    if (const Expr* body = h.def.child("body")) check_node(*body, h.location.file);
    --in_helper;
  }

  void check_node(const Expr& e, const std::string& file);
};

void Checker::check_node(const Expr& e, const std::string& file) {
  auto report = [&](const std::string& what) {
    diags.error("calm-eval-unsupported", "unsupported construct " + what,
                SourceLocation{file, e.line, e.column});
  };
  if (is_punct(e)) return;
  if (!kSupportedTypes.count(e.type) && !(e.type == "return" && in_helper > 0)) {
    report("'" + e.type + "'");
    return;
  }
  if (e.type == "instance_variable" && !bud_instance_variable(e.text) &&
      !instance_variables.count(e.text)) {
    report(instance_variable_refusal(e.text));
    return;
  }
  if (e.type == "constant") {
    auto c = std::find_if(constants.begin(), constants.end(),
                          [&](const ModuleConstant& x) { return x.name == e.text; });
    if (c == constants.end())
      report("constant '" + e.text + "'");
    else if (checked.insert("::" + c->name).second)
      check_node(c->value, c->location.file);
    return;
  }
  if (e.type == "scope_resolution") {
    if (lattice_class_type(e).empty()) {
      const Expr* sc = e.child("scope");
      const Expr* nm = e.child("name");
      report("constant '" + (sc ? sc->text : std::string()) + "::" + (nm ? nm->text : "") + "'");
    }
    return;
  }
  if (e.type == "call") {
    const Expr* m = e.child("method");
    std::string name = m ? m->text : "";
    const Expr* recv = e.child("receiver");
    // Ruby's Time.now/new/at and Set.new, unless the program defines its own Time or Set.
    auto ruby_class = [&](const char* cls) {
      return recv && recv->type == "constant" && recv->text == cls &&
             std::none_of(constants.begin(), constants.end(),
                          [&](const ModuleConstant& c) { return c.name == cls; });
    };
    if ((ruby_class("Time") && (name == "now" || name == "new" || name == "at")) ||
        (ruby_class("Set") && name == "new")) {
      if (const Expr* a = e.child("arguments")) check_node(*a, file);
      if (const Expr* b = e.child("block")) check_node(*b, file);
      return;
    }
    // Bud's methods the evaluator runs are known by their rows (model/bud_operators.h); a
    // refused collection method is refused here, before the run; the joins' dispatch
    // (rules.cpp) says itself why it refuses a join form (`outerjoin`).
    bool known = is_collection_method(name) || is_bud_operator(name, OperatorKind::JoinMethod) ||
                 is_value_method(name) || is_lattice_method(name);
    // A method-less call (`x.()`) or a bare identifier with a block names a collection
    // (`coll { |t| ... }`), or a column (`t.key`): both are decided at run time.
    // `alias.coll { |t| ... }` maps a collection of an imported module (decided at run
    // time, like a column).
    bool qualified_map = recv && recv->type == "identifier" && e.child("block") &&
                         !e.child("arguments") && qualified_collection(recv->text, name);
    // A method no core Ruby value has (a user class's, `version.increment(c)`) is left to
    // the run: on a plain value it is Ruby's NoMethodError, as in Bud.
    if (!known && !qualified_map && recv && (e.child("arguments") || e.child("block")) &&
        ruby_has_method("", name)) {
      // A refused row of the operator table says why (`each`: a side effect per tuple).
      const BudOperator* row = find_bud_operator(name, OperatorKind::CollectionMethod);
      if (!row) row = find_bud_operator(name, OperatorKind::LatticeMethod);
      report("method '" + name + "'" +
             (row && row->handler == EvalHandler::Refused ? " (" + std::string(row->why) + ")"
                                                          : std::string()));
      return;
    }
    const HelperMethod* h = e.child("receiver") ? nullptr : helper(name);
    if (h) check_helper(*h);
    bool output = (name == "puts" || name == "print" || name == "format" || name == "sprintf" ||
                   name == "rand") &&
                  !e.child("receiver");
    if (!known && !h && !output && !e.child("receiver") && e.child("arguments")) {
      report("method call '" + name + "'");
      return;
    }
  }
  if (e.type == "identifier")
    if (const HelperMethod* h = helper(e.text)) check_helper(*h);
  if (e.type == "binary") {
    const Expr* op = e.child("operator");
    if (op && !kBinaryOps.count(op->text)) {
      report("operator '" + op->text + "'");
      return;
    }
  }
  for (const auto& c : e.children) check_node(c, file);
}

}  // namespace

bool check_supported(const Expr& rhs, const std::string& file, Diagnostics& diags,
                     const std::vector<HelperMethod>& helpers,
                     const std::vector<ModuleConstant>& constants,
                     const std::map<std::string, Value>& instance_variables,
                     const std::set<std::string>& collections) {
  size_t before = diags.size();
  Checker{diags, helpers, constants, instance_variables, collections, {}}.check_node(rhs, file);
  return diags.size() == before;
}

}  // namespace calm::eval
