// The experimental Syndicate front end: the s-expression reader, the mapping of each
// dataspace form onto the program model, the inline expectations of samples/syndicate,
// and the calm executable on a Syndicate sample (docs/syndicate.md).

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "analysis/program_analysis.h"
#include "frontend/loader.h"
#include "frontend/syndicate/sexp.h"
#include "frontend/syndicate/syndicate_reader.h"
#include "support/run_command.h"
#include "support/string_lists.h"

namespace calm::test {
namespace {

namespace fs = std::filesystem;
using syndicate::Sexp;

std::vector<Sexp> read_ok(const std::string& text) {
  Diagnostics d;
  auto forms = syndicate::read_sexps("t.rkt", text, d);
  CHECK_MESSAGE(d.empty(), (d.empty() ? "" : d.items().front().message));
  return forms;
}

/// The single error of reading `text`, as "line:col: message".
std::string read_error(const std::string& text) {
  Diagnostics d;
  auto forms = syndicate::read_sexps("t.rkt", text, d);
  CHECK(forms.empty());
  REQUIRE(d.size() == 1);
  const Diagnostic& e = d.items().front();
  CHECK(e.check == "calm-parse-error");
  CHECK(e.severity == Severity::Error);
  return std::to_string(e.location.line) + ":" + std::to_string(e.location.column) + ": " +
         e.message;
}

/// The one program of an in-memory Syndicate file, with its load diagnostics.
struct Loaded {
  LoadResult load;
  const Program& program() const { return load.programs.front(); }
};

Loaded load_text(const std::string& text) {
  LoadOptions o;
  o.files = {"m.rkt"};
  o.memory_files["m.rkt"] = "#lang syndicate\n" + text;
  Loaded l{load_programs(o)};
  REQUIRE(l.load.programs.size() == 1);
  return l;
}

const Rule& rule_for(const Program& p, const std::string& lhs, size_t nth = 0) {
  for (const Rule& r : p.rules)
    if (r.lhs == lhs && nth-- == 0) return r;
  FAIL("no rule for " << lhs);
  return p.rules.front();
}

/// "collection context method" of each reference of a rule.
std::vector<std::string> refs_of(const Rule& r) {
  std::vector<std::string> out;
  for (const Reference& ref : r.refs)
    out.push_back(ref.collection + " " + to_string(ref.context) + " " + ref.method);
  std::sort(out.begin(), out.end());
  return out;
}

CollectionKind kind_of(const Program& p, const std::string& name) {
  const Collection* c = p.find(name);
  REQUIRE_MESSAGE(c, "no collection " << name);
  return c->kind;
}

}  // namespace

// ---------------------------------------------------------------------------
// The reader

TEST_CASE("sexp: atoms, brackets, keywords, strings and the quote family") {
  auto forms = read_ok(
      "#lang syndicate\n"
      "(spawn #:name 'box [field x] \"a \\\"q\\\" (not a list)\" 42 -1.5 +inf.0 #t #\\( sym)\n"
      "`(a ,b ,@c) #'stx {curly}");
  REQUIRE(forms.size() == 4);
  const Sexp& s = forms[0];
  CHECK(s.head() == "spawn");
  CHECK(s.location.line == 2);
  CHECK(s.location.column == 1);
  REQUIRE(s.items.size() == 11);
  CHECK(s.items[1].kind == Sexp::Kind::Keyword);
  CHECK(s.items[1].text == "name");
  CHECK(s.items[2].is_form("quote"));
  CHECK(s.items[2].items[1].is_symbol("box"));
  CHECK(s.items[3].open == '[');
  CHECK(s.items[3].head() == "field");
  CHECK(s.items[3].location.column == 20);
  CHECK(s.items[4].kind == Sexp::Kind::String);
  CHECK(s.items[4].text == "a \"q\" (not a list)");
  CHECK(s.items[5].kind == Sexp::Kind::Number);
  CHECK(s.items[6].kind == Sexp::Kind::Number);
  CHECK(s.items[7].kind == Sexp::Kind::Number);
  CHECK(s.items[8].kind == Sexp::Kind::Boolean);
  CHECK(s.items[9].kind == Sexp::Kind::Char);
  CHECK(s.items[9].text == "(");
  CHECK(s.items[10].is_symbol("sym"));
  CHECK(syndicate::to_text(forms[1]) == "(quasiquote (a (unquote b) (unquote-splicing c)))");
  CHECK(forms[2].is_form("syntax"));
  CHECK(forms[3].open == '{');
}

TEST_CASE("sexp: line, datum and nested block comments") {
  auto forms = read_ok(
      "; a line comment (with an unbalanced paren\n"
      "(a #;(ignored (datum)) b) #| block #| nested |# still ) comment |# (c ; tail\n"
      " d)\n"
      "#; e");
  // `#;` at the end comments out `e`.
  REQUIRE(forms.size() == 2);
  CHECK(syndicate::to_text(forms[0]) == "(a b)");
  CHECK(syndicate::to_text(forms[1]) == "(c d)");
  CHECK(forms[1].location.line == 2);
}

TEST_CASE("sexp: malformed input is a located parse error") {
  // An unclosed list: at its opening bracket.
  CHECK(read_error("(spawn\n  (assert (x 1))\n  (on (asserted (y $v))\n") ==
        "3:3: unclosed '(': expected ')' before the end of the file");
  CHECK(read_error("(a\n (b [c d)))") == "2:9: '[' closed by ')'");
  CHECK(read_error("(a b))") == "1:6: unexpected ')' with no matching opening bracket");
  CHECK(read_error("(a \"open string)") == "1:4: unterminated string");
  CHECK(read_error("#| never closed") == "1:1: unterminated block comment '#|'");

  // Through the loader: no program, the error at the opening paren.
  LoadOptions o;
  o.files = {"bad.rkt"};
  o.memory_files["bad.rkt"] = "#lang syndicate\n(spawn #:name 'x\n  (assert (y 1))\n";
  LoadResult r = load_programs(o);
  CHECK(r.programs.empty());
  REQUIRE(r.diagnostics.has_errors());
  CHECK(to_string(r.diagnostics.sorted().front().location) == "bad.rkt:2:1");
}

// ---------------------------------------------------------------------------
// The mapping, form by form

TEST_CASE("mapping: structs, fields, assert, during and relays") {
  Loaded l = load_text(
      "(assertion-struct link (from to))\n"
      "(assertion-struct path (from to))\n"
      "(message-struct ping (n))\n"
      "(spawn #:name 'a\n"
      "  (field [count 0] [seen (set)])\n"
      "  (assert (link 1 (count)) #:when (seen))\n"
      "  (during (link $x $y) (assert (path x y)))\n"
      "  (assert (observe (path _ _)))\n"
      "  (assert (undeclared 1 2)))\n"
      "(spawn #:name 'host\n"
      "  (dataspace #:name 'inner\n"
      "    (spawn #:name 'relay\n"
      "      (during (inbound (link $x $y)) (assert (outbound (path y x)))))\n"
      "    (spawn #:name 'local (assert (link 0 0)))))\n");
  const Program& p = l.program();
  CHECK(p.name == "m");
  CHECK(kind_of(p, "link") == CollectionKind::Scratch);
  CHECK(p.find("link")->keys == std::vector<std::string>{"from", "to"});
  CHECK(kind_of(p, "a.count") == CollectionKind::Table);
  CHECK(kind_of(p, "observe:path") == CollectionKind::Scratch);
  CHECK(kind_of(p, "undeclared/2") == CollectionKind::Scratch);
  CHECK(p.find("ping") == nullptr);  // declared but never used

  const Rule& assert_link = rule_for(p, "link");
  CHECK(assert_link.op == RuleOp::Merge);
  CHECK(assert_link.module == "a");
  CHECK(refs_of(assert_link) == std::vector<std::string>{"a.count scan ", "a.seen scan "});
  CHECK(assert_link.location.line == 7);

  const Rule& during = rule_for(p, "path");
  CHECK(during.op == RuleOp::Merge);
  CHECK(refs_of(during) == std::vector<std::string>{"link scan during"});

  // The nested dataspace's actor reads the outer level and writes it: a relay (<+).
  const Rule& relay = rule_for(p, "path", 1);
  CHECK(relay.op == RuleOp::Deferred);
  CHECK(relay.module == "relay");
  CHECK(refs_of(relay) == std::vector<std::string>{"link scan during"});
  // Assertions inside the nested dataspace are another class: link@inner.
  CHECK(kind_of(p, "link@inner") == CollectionKind::Scratch);
}

TEST_CASE("mapping: handlers, messages, field writes and stop conditions") {
  Loaded l = load_text(
      "(assertion-struct up (n))\n"
      "(assertion-struct out (n))\n"
      "(message-struct tick (n))\n"
      "(spawn #:name 'b\n"
      "  (field [hi 0] [val 0] [flag #f])\n"
      "  (stop-when (asserted (up 99)))\n"
      "  (on (asserted (up $n)) (hi (max (hi) n)))\n"
      "  (on (retracted (up $n)) (val n))\n"
      "  (on (message (tick $n)) (send! (tick (+ n 1))))\n"
      "  (stop-when-true (flag))\n"
      "  (on-stop (send! (tick 0))))\n"
      "(spawn #:name 'c\n"
      "  (during (up $n)\n"
      "    (stop-when (retracted (up 0)))\n"
      "    (assert (out n))))\n");
  const Program& p = l.program();
  CHECK(kind_of(p, "tick") == CollectionKind::Channel);
  CHECK(p.find("tick")->location_column == "dataspace");

  // A lattice-like merge into a field: deferred and monotone (but for the facet's stop-when).
  const Rule& hi = rule_for(p, "b.hi");
  CHECK(hi.op == RuleOp::Deferred);
  CHECK(refs_of(hi) == std::vector<std::string>{"b.flag notin stop-when-true", "b.hi scan ",
                                                "up notin stop-when", "up scan on-asserted"});
  // Reacting to a retraction and overwriting a field.
  const Rule& val = rule_for(p, "b.val");
  CHECK(val.op == RuleOp::Upsert);
  const auto val_refs = refs_of(val);
  CHECK(std::count(val_refs.begin(), val_refs.end(), "up notin on-retracted") == 1);
  // send! is a temporal (<+) edge into the message class.
  const Rule& send = rule_for(p, "tick");
  CHECK(send.op == RuleOp::Deferred);
  CHECK(refs_of(send) == std::vector<std::string>{"b.flag notin stop-when-true",
                                                  "tick scan on-message", "up notin stop-when"});
  // on-stop reacts to the end of the facet.
  const Rule& stop = rule_for(p, "tick", 1);
  CHECK(refs_of(stop) ==
        std::vector<std::string>{"b.flag notin stop-when-true", "up notin stop-when"});
  // stop-when (retracted P) is monotone (the facet lives while P is asserted).
  const Rule& out = rule_for(p, "out");
  CHECK(refs_of(out) == std::vector<std::string>{"up scan during", "up scan stop-when-retracted"});

  ProgramAnalysis a(p);
  std::set<std::string> nonmonotonic;
  for (const auto& e : a.graph().edges())
    if (e.nonmonotonic) nonmonotonic.insert(e.from_name + " -> " + e.to_name);
  CHECK(nonmonotonic.count("up -> b.val"));
  CHECK(nonmonotonic.count("up -> b.hi"));  // because of the stop-when
  CHECK(!nonmonotonic.count("up -> out"));
}

TEST_CASE("mapping: queries, helpers, opaque calls and the timer driver") {
  Loaded l = load_text(
      "(assertion-struct item (k v))\n"
      "(assertion-struct total (n))\n"
      "(define (twice x) (* 2 x))\n"
      "(define (announce n) (send! (set-timer 'x n 'relative)))\n"
      "(spawn #:name 'q\n"
      "  (define/query-set items (item $k _) k)\n"
      "  (define/query-hash table (item $k $v) k v)\n"
      "  (define/query-count n (item _ _))\n"
      "  (define/query-value latest 0 (item 'last $v) v)\n"
      "  (assert (total (twice (set-count (items)))))\n"
      "  (assert (item 'z (mystery (n))))\n"
      "  (on (message (timer-expired 'x _)) (announce 5))\n"
      "  (on-start (announce 1)))\n");
  const Program& p = l.program();
  CHECK(refs_of(rule_for(p, "q.items")) == std::vector<std::string>{"item scan query-set"});
  CHECK(refs_of(rule_for(p, "q.table")) == std::vector<std::string>{"item scan query-hash"});
  CHECK(refs_of(rule_for(p, "q.n")) == std::vector<std::string>{"item group query-count"});
  CHECK(refs_of(rule_for(p, "q.latest")) == std::vector<std::string>{"item notin query-value"});
  // The helper is inlined; set-count is an aggregate.
  CHECK(refs_of(rule_for(p, "total")) == std::vector<std::string>{"q.items group set-count"});
  // An unknown function: a warning at the call, and the rule's edges are opaque.
  CHECK(refs_of(rule_for(p, "item")) ==
        std::vector<std::string>{"q.n scan ", "q.n unknown-method opaque mystery"});
  bool warned = false;
  for (const auto& d : l.load.diagnostics.items())
    if (d.check == "calm-syndicate-opaque" && d.location.line == 12 && d.location.column == 20)
      warned = true;
  CHECK(warned);
  // Helpers with effects are inlined at each call; the timer driver closes the loop.
  CHECK(kind_of(p, "set-timer") == CollectionKind::Channel);
  const Rule& driver = rule_for(p, "timer-expired");
  CHECK(driver.module == "timer-driver");
  CHECK(driver.op == RuleOp::Deferred);
  CHECK(refs_of(rule_for(p, "set-timer")) ==
        std::vector<std::string>{"timer-expired scan on-message"});
}

TEST_CASE("front end selection: extension, --lang, and programs per dataspace") {
  LoadOptions o;
  o.files = {"prog.txt"};
  o.memory_files["prog.txt"] =
      "(dataspace #:name 'one (spawn (assert (x 1))))\n"
      "(dataspace (spawn (assert (y 1))))\n";
  o.lang = "syndicate";
  LoadResult r = load_programs(o);
  REQUIRE(r.programs.size() == 2);
  CHECK(r.programs[0].name == "one");
  CHECK(r.programs[1].name == "prog.ds2");
  CHECK(r.programs[0].find("x/1") != nullptr);
  CHECK(r.programs[0].find("y/1") == nullptr);

  o.modules = {"one"};
  r = load_programs(o);
  REQUIRE(r.programs.size() == 1);
  CHECK(r.programs[0].name == "one");

  o.lang = "cobol";
  r = load_programs(o);
  CHECK(r.diagnostics.has_errors());
  CHECK(syndicate::is_syndicate_file("a/b.rkt", ""));
  CHECK(!syndicate::is_syndicate_file("a/b.rkt", "bud"));
  CHECK(!syndicate::is_syndicate_file("a/b.rb", ""));
}

// ---------------------------------------------------------------------------
// The samples' inline expectations

namespace {

struct SampleExpectations {
  std::set<std::tuple<int, std::string, std::string>> points;  ///< (line, from, to)
  std::set<std::vector<std::string>> clusters;
};

SampleExpectations parse_expectations(const std::string& text) {
  static const std::regex expect(R"(;\s*expect:(.*)$)");
  static const std::regex point(R"(\s*point-of-order\s+(\S+)\s*->\s*(\S+)\s*)");
  static const std::regex cluster(R"(\s*temporal-cluster\s+(.+?)\s*)");
  SampleExpectations out;
  std::istringstream in(text);
  int line = 0;
  for (std::string s; std::getline(in, s);) {
    ++line;
    std::smatch m;
    if (!std::regex_search(s, m, expect)) continue;
    std::stringstream all(m[1].str());
    for (std::string one; std::getline(all, one, ';');) {
      std::smatch e;
      if (std::regex_match(one, e, point)) {
        out.points.insert({line, e[1], e[2]});
      } else if (std::regex_match(one, e, cluster)) {
        std::vector<std::string> members;
        std::stringstream names(e[1].str());
        for (std::string n; std::getline(names, n, ',');) {
          n.erase(0, n.find_first_not_of(' '));
          n.erase(n.find_last_not_of(' ') + 1);
          members.push_back(n);
        }
        std::sort(members.begin(), members.end());
        out.clusters.insert(members);
      } else {
        FAIL_CHECK("line " << line << ": malformed expectation '" << one << "'");
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("samples/syndicate: calm reports exactly the inline expectations") {
  const fs::path dir = fs::path(CALM_SOURCE_DIR) / "samples" / "syndicate";
  int samples = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".rkt") continue;
    ++samples;
    const std::string file = entry.path().string();
    CAPTURE(file);
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    SampleExpectations want = parse_expectations(text.str());

    LoadOptions o;
    o.files = {file};
    LoadResult r = load_programs(o);
    CHECK(r.diagnostics.empty());  // no opaque constructs in our samples
    REQUIRE(r.programs.size() == 1);
    ProgramAnalysis a(r.programs.front());
    SampleExpectations got;
    for (const auto& p : a.points_of_order().points())
      if (p.kind != PointKind::ClusterSelf) got.points.insert({p.location.line, p.from, p.to});
    for (const auto& c : a.clusters().clusters()) got.clusters.insert(c.member_names);
    CHECK(got.points == want.points);
    CHECK(got.clusters == want.clusters);
  }
  CHECK(samples >= 4);
}

TEST_CASE("samples/syndicate: the paper's claims per sample") {
  auto analyze = [](const std::string& name) {
    LoadOptions o;
    o.files = {std::string(CALM_SOURCE_DIR) + "/samples/syndicate/" + name};
    return load_programs(o);
  };
  LoadResult closure = analyze("transitive_closure.rkt");
  REQUIRE(closure.programs.size() == 1);
  ProgramAnalysis tc(closure.programs.front());
  CHECK(tc.points_of_order().points().empty());
  CHECK(tc.clusters().clusters().empty());

  LoadResult box = analyze("box_and_client.rkt");
  REQUIRE(box.programs.size() == 1);
  ProgramAnalysis bc(box.programs.front());
  REQUIRE(bc.clusters().clusters().size() == 1);
  CHECK(bc.clusters().clusters().front().id == "cluster:box-state,box.value,set-box");
}

// ---------------------------------------------------------------------------
// The calm executable

TEST_CASE("calm graph and calm check --format sarif on a Syndicate sample") {
  const fs::path tmp =
      fs::temp_directory_path() / ("calm-syndicate-test-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  const std::string calm = std::string("'") + CALM_BINARY + "'";
  const std::string root = std::string("cd '") + CALM_SOURCE_DIR + "' && ";

  auto dot = run_command(root + calm + " graph samples/syndicate/box_and_client.rkt --format dot");
  CHECK(dot.status == 0);
  CHECK(dot.out.find("digraph") != std::string::npos);
  CHECK(dot.out.find("set-box") != std::string::npos);

  const fs::path svg = tmp / "box.svg";
  auto g = run_command(root + calm + " graph samples/syndicate/box_and_client.rkt -o '" +
                       svg.string() + "' 2>&1");
  CHECK(g.status == 0);
  CHECK(fs::exists(svg));

  auto sarif = run_command(root + calm + " check --format sarif samples/syndicate/lease_mutex.rkt");
  CHECK(sarif.out.find("\"version\": \"2.1.0\"") != std::string::npos);
  CHECK(sarif.out.find("calm-point-of-order") != std::string::npos);
  CHECK(sarif.out.find("calm-temporal-cluster") != std::string::npos);
  CHECK(sarif.out.find("samples/syndicate/lease_mutex.rkt") != std::string::npos);

  // --lang syndicate reads a file without the .rkt extension.
  const fs::path plain = tmp / "box.sexp";
  fs::copy_file(fs::path(CALM_SOURCE_DIR) / "samples/syndicate/box_and_client.rkt", plain,
                fs::copy_options::overwrite_existing);
  auto model = run_command(calm + " model --lang syndicate '" + plain.string() + "'");
  CHECK(model.status == 0);
  CHECK(model.out.find("box.value") != std::string::npos);
  auto bad = run_command(calm + " model --lang fortran '" + plain.string() + "' 2>&1");
  CHECK(bad.status != 0);
  fs::remove_all(tmp);
}

}  // namespace calm::test
