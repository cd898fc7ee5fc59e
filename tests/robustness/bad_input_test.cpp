// The bad-input catalog (docs/robustness.md): each input is generated here, given to
// the calm executable, and must give a clear message (with file:line:col where one
// exists), exit status 2, no crash, no hang (every run is under `timeout`) and no
// output file, partial or not.

#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/run_command.h"

namespace fs = std::filesystem;

namespace {

// Generous in sanitizer builds (Debug, instrumented): a hang is still caught.
#if defined(__SANITIZE_ADDRESS__)
constexpr int kTimeoutSeconds = 600;
#else
constexpr int kTimeoutSeconds = 120;
#endif

struct Run {
  int status = -1;
  std::string out;  ///< stdout and stderr together
};

Run run_calm(const std::string& args) {
  auto c = calm::test::run_command("cd '" + std::string(CALM_SOURCE_DIR) + "' && timeout " +
                                   std::to_string(kTimeoutSeconds) + " '" + CALM_BINARY + "' " +
                                   args + " 2>&1");
  return Run{c.status, std::move(c.out)};
}

/// A fresh directory per test case, removed at the end.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("calm-robustness-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    fs::path p = path / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  /// Files other than the inputs: an output or a leftover temporary file.
  size_t entries() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(path)) ++n;
    return n;
  }
};

/// Runs `calm report --strict INPUT -o DIR/report.json` and checks the catalog's promise:
/// exit 2, `message` in the output, no report and no temporary file left behind.
/// (Without --strict, input that still holds a program is reported as far as it could
/// be read, exit 0; see docs/robustness.md.)
Run expect_refused(const TempDir& dir, const std::string& args, const std::string& message) {
  size_t before = dir.entries();
  fs::path out = dir.path / "report.json";
  Run r = run_calm("report --strict " + args + " -o '" + out.string() + "'");
  INFO("calm report " << args << "\n" << r.out.substr(0, 2000));
  CHECK(r.status == 2);
  CHECK(r.out.find(message) != std::string::npos);
  CHECK(!fs::exists(out));
  CHECK(dir.entries() == before);
  return r;
}

std::string sh_quote(const std::string& p) { return "'" + p + "'"; }

const char* kGoodProgram = R"(class Good
  include Bud
  state do
    table :t, [:k] => [:v]
    scratch :s, [:k] => [:v]
  end
  bloom do
    t <= s
  end
end
)";

}  // namespace

TEST_CASE("a binary file: refused at the first NUL byte") {
  TempDir d;
  std::string bin("class X\n  \x01\x02", 12);
  bin += std::string("\0\xff\xfe\x7f", 4);
  for (int i = 0; i < 4096; ++i) bin += char(i * 37 % 256);
  std::string f = d.write("binary.rb", bin);
  expect_refused(d, sh_quote(f), f + ":2:5: error: binary file (NUL byte); not a Ruby source file");
}

TEST_CASE("an empty file: no Bloom program") {
  TempDir d;
  std::string f = d.write("empty.rb", "");
  expect_refused(d, sh_quote(f), "no program found in the given files");
}

TEST_CASE("invalid UTF-8: refused with the location of the first bad byte") {
  TempDir d;
  std::string f = d.write("latin1.rb", "class X\n  include Bud\n  # caf\xe9\nend\n");
  expect_refused(d, sh_quote(f), f + ":3:8: error: invalid UTF-8 in source file");
}

// 10 MB of code is ~3.5 million tokens: past kMaxProgramTokens, refused by the pre-scan
// before tree-sitter parses it (it was "no program found" after parsing).
TEST_CASE("a 10 MB file that is not Bloom: refused quickly, no output") {
  TempDir d;
  std::string text;
  text.reserve(10u << 20);
  for (int i = 0; text.size() < (10u << 20); ++i)
    text += "def helper_" + std::to_string(i) + "(x)\n  x * " + std::to_string(i) + " + 1\nend\n";
  std::string f = d.write("big.rb", text);
  expect_refused(d, sh_quote(f),
                 f + ":185455:17: error: program too large: more than 680000 tokens");
}

TEST_CASE("a 10 MB Bloom program is analyzed") {
  // 2,000 collections and 4,000 rules, padded to 10 MB with comments.
  TempDir d;
  std::string text = "class Big\n  include Bud\n  state do\n";
  const int n = 2000;
  for (int i = 0; i < n; ++i) text += "    table :t" + std::to_string(i) + ", [:k] => [:v]\n";
  text += "  end\n  bloom do\n";
  for (int i = 1; i <= 2 * n; ++i)
    text += "    t" + std::to_string(i % n) + " <= t" + std::to_string((i * 7) % n) +
            " { |x| [x.k, x.v] }\n";
  text += "  end\nend\n";
  const std::string pad = "# " + std::string(97, 'x') + "\n";
  while (text.size() < (10u << 20)) text += pad;
  std::string f = d.write("big.rb", text);
  fs::path out = d.path / "report.json";
  Run r = run_calm("report " + sh_quote(f) + " -o " + sh_quote(out.string()));
  CHECK(r.status == 0);
  CHECK(fs::file_size(out) > 0);
}

TEST_CASE("a file over the 64 MiB limit: refused before reading") {
  TempDir d;
  fs::path f = d.path / "huge.rb";
  {
    std::ofstream out(f, std::ios::binary);
    out << "# x\n";
  }
  fs::resize_file(f, (64u << 20) + 1);  // sparse: no 64 MiB written
  expect_refused(d, sh_quote(f.string()), "file is too large");
}

TEST_CASE("deeply nested expressions (100k levels) do not overflow the stack") {
  TempDir d;
  const int depth = 100000;
  std::string head =
      "class Deep\n  include Bud\n  state do\n    scratch :a, [:k]\n  end\n"
      "  bloom do\n    a <= ";
  SUBCASE("parentheses") {
    std::string f = d.write("parens.rb", head + std::string(depth, '(') + "a" +
                                             std::string(depth, ')') + "\n  end\nend\n");
    expect_refused(d, sh_quote(f), f + ":7:10008: error: program nested too deeply");
  }
  SUBCASE("arrays in a block") {
    std::string body = "a { |x| ";
    for (int i = 0; i < depth; ++i) body += "[";
    body += "x";
    for (int i = 0; i < depth; ++i) body += "]";
    std::string f = d.write("arrays.rb", head + body + " }\n  end\nend\n");
    expect_refused(d, sh_quote(f), f + ":7:10015: error: program nested too deeply");
  }
  SUBCASE("binary operators") {
    std::string body = "a { |x| [1";
    for (int i = 0; i < depth; ++i) body += " + 1";
    std::string f = d.write("sum.rb", head + body + "] }\n  end\nend\n");
    expect_refused(d, sh_quote(f),
                   f + ":7:5: error: expression nested too deeply (more than 1000 levels)");
  }
  SUBCASE("unbalanced: a syntax error") {
    std::string f = d.write("open.rb", head + std::string(depth, '(') + "a\n  end\nend\n");
    expect_refused(d, sh_quote(f), f + ":7:10008: error: program nested too deeply");
  }
  SUBCASE("nested modules") {
    std::string text;
    for (int i = 0; i < depth / 10; ++i) text += "module M" + std::to_string(i) + "\n";
    for (int i = 0; i < depth / 10; ++i) text += "end\n";
    std::string f = d.write("modules.rb", text);
    expect_refused(d, sh_quote(f), f + ":501:1: error: program nested too deeply (more than 1000");
  }
}

// Found while building this catalog: the tree-sitter 0.20 that Debian ships frees an
// invalid pointer when more than 65535 entries are left on its parse stack at the end
// of the input (70,000 unclosed openers of any kind crashed calm with SIGABRT), and
// reading an ERROR node of n tokens was O(n^2) (15,000 `[a, ` took over a minute).
TEST_CASE("regression: 70,000 unclosed openers are refused before parsing, quickly") {
  TempDir d;
  const std::string head =
      "class Deep\n  include Bud\n  state do\n    scratch :a, [:k]\n  end\n  bloom do\n"
      "    a <= ";
  for (const char* opener : {"[", "(", "f(", "{a => ", "if x then ", "begin ", "[a, "}) {
    CAPTURE(opener);
    std::string body;
    for (int i = 0; i < 70000; ++i) body += opener;
    std::string f = d.write("open.rb", head + body + "a\n  end\nend\n");
    expect_refused(d, sh_quote(f), "error: program nested too deeply (more than 10000");
  }
}

TEST_CASE("regression: a wide syntax error is read in linear time") {
  TempDir d;
  const std::string head =
      "class Deep\n  include Bud\n  state do\n    scratch :a, [:k]\n  end\n  bloom do\n"
      "    a <= ";
  for (const char* opener : {"[a, ", "if x then ", "f(a, "}) {
    CAPTURE(opener);
    std::string body;
    for (int i = 0; i < 9000; ++i) body += opener;
    std::string f = d.write("wide.rb", head + body + "a\n  end\nend\n");
    auto t0 = std::chrono::steady_clock::now();
    expect_refused(d, sh_quote(f), "error: syntax error");
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20));
  }
}

TEST_CASE("a file that is not Bloom at all") {
  TempDir d;
  SUBCASE("plain Ruby") {
    std::string f = d.write("plain.rb", "class Greeter\n  def hi\n    puts 'hi'\n  end\nend\n");
    expect_refused(d, sh_quote(f), "no program found in the given files");
  }
  SUBCASE("Python") {
    std::string f = d.write("script.rb", "import os\n\ndef main():\n    print(os.getcwd())\n");
    expect_refused(d, sh_quote(f), "error: syntax error");
  }
  SUBCASE("a directory") {
    expect_refused(d, sh_quote(d.path.string()), "is a directory, not a file");
  }
}

TEST_CASE("an unknown collection: located, with a suggestion") {
  TempDir d;
  std::string f = d.write("unknown.rb", R"(class U
  include Bud
  state do
    table :kvstate, [:k] => [:v]
  end
  bloom do
    kvstate <= kvstat { |x| x }
  end
end
)");
  expect_refused(d, sh_quote(f),
                 f + ":7:16: error: unknown collection 'kvstat'; did you mean 'kvstate'?");
}

TEST_CASE("a duplicate collection declaration") {
  TempDir d;
  std::string f = d.write("dup.rb", R"(class D
  include Bud
  state do
    table :t, [:k] => [:v]
    scratch :t, [:k] => [:v]
  end
end
)");
  expect_refused(d, sh_quote(f), f + ":5:13: error: collection already exists: t");
}

TEST_CASE("conflicting schemas from two modules") {
  TempDir d;
  std::string f = d.write("conflict.rb", R"(module A
  state do
    table :t, [:k] => [:v]
  end
end
module B
  state do
    table :t, [:k, :j] => [:v]
  end
end
class C
  include Bud
  include A
  include B
end
)");
  expect_refused(d, sh_quote(f), f + ":8:11: error: collection already exists: t");
}

TEST_CASE("cyclic requires are read once; cyclic includes are refused") {
  TempDir d;
  SUBCASE("requires") {
    d.write("b.rb", "require_relative 'a'\nmodule B\n  state do\n    table :b, [:k]\n  end\nend\n");
    std::string a = d.write("a.rb", std::string("require_relative 'b'\n") + kGoodProgram);
    fs::path out = d.path / "report.json";
    Run r = run_calm("report " + sh_quote(a) + " -o " + sh_quote(out.string()));
    CHECK(r.status == 0);
    CHECK(fs::exists(out));
  }
  SUBCASE("includes") {
    std::string f = d.write("cycle.rb", R"(module A
  include B
  state do
    table :a, [:k]
  end
end
module B
  include A
end
class C
  include Bud
  include A
end
)");
    expect_refused(d, sh_quote(f), f + ":1:1: error: module 'A' includes itself");
  }
}

TEST_CASE("a module name that does not exist") {
  TempDir d;
  std::string f = d.write("good.rb", kGoodProgram);
  expect_refused(d, sh_quote(f) + " -m Goood", "did you mean 'Good'?");
}

TEST_CASE("an output path in a directory that does not exist") {
  TempDir d;
  std::string f = d.write("good.rb", kGoodProgram);
  for (const char* cmd : {"report", "graph", "html", "check --format json"}) {
    std::string ext = std::string(cmd) == "graph" ? "dot" : "out";
    fs::path out = d.path / "no-such-dir" / ("x." + ext);
    Run r = run_calm(std::string(cmd) + " " + sh_quote(f) + " -o " + sh_quote(out.string()));
    INFO(cmd << ": " << r.out);
    CHECK(r.status == 2);
    CHECK(r.out.find("does not exist") != std::string::npos);
    CHECK(!fs::exists(d.path / "no-such-dir"));
  }
}

// -- the evaluator (`calm run`) ----------------------------------------------------

namespace {

const char* kCounter = R"(class Counter
  include Bud
  state do
    interface input, :put, [:key] => [:val]
    table :store, [:key] => [:val]
    scratch :next_n, [:n]
    table :numbers, [:n]
  end
  bloom do
    store <= put
    numbers <= next_n
    next_n <= numbers { |x| [x.n + 1] }
  end
end
)";

/// Runs `calm run ARGS` and checks: exit 2, `message` in the output.
void expect_run_refused(const std::string& args, const std::string& message) {
  Run r = run_calm("run " + args);
  INFO("calm run " << args << "\n" << r.out.substr(0, 3000));
  CHECK(r.status == 2);
  CHECK(r.out.find(message) != std::string::npos);
}

}  // namespace

TEST_CASE("a key-constraint violation at run time: exit 2, the collection and both facts") {
  TempDir d;
  std::string prog = d.write("counter.rb", kCounter);
  std::string facts = d.write("facts.json", R"({"steps": [{"put": [["k", 1], ["k", 2]]}]})");
  expect_run_refused(sh_quote(prog) + " --facts " + sh_quote(facts), "[calm-key-conflict]");
}

TEST_CASE("a program that never quiesces hits the evaluator's limits") {
  TempDir d;
  std::string prog = d.write("counter.rb", kCounter);
  SUBCASE("facts: a fixpoint that grows forever within one timestep") {
    std::string s = d.write("grow.scenario.json", R"({
  "nodes": [{"name": "n", "program": {"files": ["counter.rb"]}}],
  "steps": 3, "max_facts": 1000,
  "inputs": [{"step": 0, "facts": {"numbers": [[0]]}}]
})");
    expect_run_refused("--scenario " + sh_quote(s), "[calm-eval-limit]");
  }
  SUBCASE("timesteps: until_quiescent within the step limit") {
    std::string tick = d.write("tick.rb", R"(class Tick
  include Bud
  state do
    table :count, [:n]
    scratch :seen, [:n]
  end
  bloom do
    count <+ count { |c| [c.n + 1] }
    seen <= count
  end
end
)");
    std::string s = d.write("tick.scenario.json", R"({
  "nodes": [{"name": "n", "program": {"files": ["tick.rb"]}}],
  "steps": 50, "until_quiescent": true, "max_facts": 100000,
  "inputs": [{"step": 0, "facts": {"count": [[0]]}}]
})");
    expect_run_refused("--scenario " + sh_quote(s), "[calm-eval-limit]");
  }
}

TEST_CASE("a scenario naming unknown nodes or collections, or facts of the wrong arity") {
  TempDir d;
  d.write("counter.rb", kCounter);
  auto scenario = [&](const std::string& inputs) {
    return d.write("s.scenario.json",
                   "{\n  \"nodes\": [{\"name\": \"n\", \"program\": {\"files\": "
                   "[\"counter.rb\"]}}],\n  \"steps\": 2,\n  \"inputs\": [" +
                       inputs + "]\n}\n");
  };
  SUBCASE("unknown node") {
    std::string s = scenario(R"({"node": "m", "facts": {"put": [["k", 1]]}})");
    expect_run_refused("--scenario " + sh_quote(s), s + ":4:");
    expect_run_refused("--scenario " + sh_quote(s), "[calm-bad-scenario]");
  }
  SUBCASE("unknown collection, with a suggestion") {
    std::string s = scenario(R"({"facts": {"puts": [["k", 1]]}})");
    expect_run_refused("--scenario " + sh_quote(s), "did you mean 'put'?");
  }
  SUBCASE("wrong arity") {
    std::string s = scenario(R"({"facts": {"put": [["k", 1, 2]]}})");
    expect_run_refused("--scenario " + sh_quote(s), "[calm-bad-scenario]");
  }
  SUBCASE("not JSON") {
    std::string s = d.write("bad.scenario.json", "{\"nodes\": [,]}");
    expect_run_refused("--scenario " + sh_quote(s), s + ":1:");
  }
  SUBCASE("a scenario that is binary") {
    std::string s = d.write("bin.scenario.json", std::string("\0\x01\x02\xff", 4));
    expect_run_refused("--scenario " + sh_quote(s), "[calm-bad-scenario]");
  }
}

// Found while building this catalog: a message quoting the first 57 bytes of a long
// statement cut a UTF-8 character in two, and `calm check --format json` aborted on the
// invalid UTF-8 (nlohmann::json type_error 316).
TEST_CASE("regression: quoting a long non-ASCII statement keeps JSON output valid") {
  TempDir d;
  std::string text = "class X\n  include Bud\n  bloom do\n    )";
  for (int i = 0; i < 40; ++i) text += "\xc3\xa9";  // é
  std::string f = d.write("utf8.rb", text + "\n  end\nend\n");
  for (const char* format : {"json", "sarif", "text"}) {
    CAPTURE(format);
    auto c = calm::test::run_command("timeout 60 '" + std::string(CALM_BINARY) + "' check " +
                                     sh_quote(f) + " --format " + format + " 2>/dev/null");
    // The stray `)` is a syntax error now: exit 2, nothing on stdout (no findings from a
    // broken parse); the quoted statement is in the stderr message, which must not abort.
    CHECK(c.status == 2);
    CHECK(c.out.empty());
  }
}

// Found while building this catalog: 65,536 consecutive comment lines crashed calm the
// same way (tree-sitter keeps each comment on its stack until the next token).
TEST_CASE("regression: 70,000 consecutive comment lines") {
  TempDir d;
  std::string text = std::string(kGoodProgram);
  for (int i = 0; i < 70000; ++i) text += "# note\n";
  std::string f = d.write("comments.rb", text);
  fs::path out = d.path / "report.json";
  Run r = run_calm("report " + sh_quote(f) + " -o " + sh_quote(out.string()));
  CHECK(r.status == 0);
  CHECK(fs::exists(out));
}
