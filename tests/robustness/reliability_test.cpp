// Regression tests for the reliability issue (#23): every case of
// ../shared/reliability/README.md, with its input generated here (the big ones at run
// time, nothing committed). Each must end with a located diagnostic and exit 2 (or the
// right result), no crash, no hang (every run is under `timeout`), and no output file
// replaced by a failed run or turned from a device/FIFO/link into a regular file.

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "frontend/ruby/syntax_tree.h"
#include "support/run_command.h"

namespace fs = std::filesystem;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr int kTimeoutSeconds = 600;
#else
constexpr int kTimeoutSeconds = 120;
#endif

struct Run {
  int status = -1;
  std::string out;  ///< stdout and stderr together
};

std::string q(const std::string& p) { return "'" + p + "'"; }

Run calm_in(const fs::path& dir, const std::string& args) {
  auto c = calm::test::run_command("cd " + q(dir.string()) + " && timeout " +
                                   std::to_string(kTimeoutSeconds) + " " + q(CALM_BINARY) + " " +
                                   args + " 2>&1");
  return Run{c.status, std::move(c.out)};
}

struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("calm-reliability-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
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
  std::string read(const std::string& name) const {
    std::ifstream in(path / name, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};

std::string repeat(const std::string& s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

/// Exit 2, `message` in the output, no report written.
void expect_refused(const TempDir& d, const std::string& args, const std::string& message) {
  Run r = calm_in(d.path, args);
  INFO("calm " << args << "\n" << r.out.substr(0, 3000));
  CHECK(r.status == 2);
  CHECK(r.out.find(message) != std::string::npos);
  CHECK(r.out.find("Sanitizer") == std::string::npos);
}

const char* kArith = R"(module Arith
  state do
    interface input, :inp, [:x]
    scratch :out, [:tag, :v]
  end
  bloom do
    out <= inp { |i| ["e", EXPR] }
  end
end
)";

std::string arith(const std::string& expr) {
  std::string s = kArith;
  s.replace(s.find("EXPR"), 4, expr);
  return s;
}

const char* kReach = R"(module Reach
  state do
    interface input, :add_link, [:from, :to]
    interface output, :reachable, [:from, :to]
    table :link, [:from, :to]
    table :path, [:from, :to]
  end
  bloom do
    link <= add_link
    path <= link
    path <= (link * path).pairs(:to => :from) { |l, p| [l.from, p.to] }
    reachable <= path
  end
end
)";

}  // namespace

TEST_CASE("B1: brackets inside string and regex interpolations are counted before tree-sitter") {
  TempDir d;
  d.write("a.rb", "x = \"#{" + repeat("(", 70000) + "\n");
  expect_refused(d, "report a.rb -o o.json", "a.rb:1:");
  expect_refused(d, "report a.rb -o o.json", "program nested too deeply");
  d.write("b.rb", "x = /#{" + repeat("[", 70000) + "\n");
  expect_refused(d, "report b.rb -o o.json", "program nested too deeply");
  d.write("c.rb", "x = " + repeat("\"#{", 70000) + "1" + repeat("}\"", 70000) + "\n");
  expect_refused(d, "report c.rb -o o.json", "program nested too deeply");
  CHECK(!fs::exists(d.path / "o.json"));
}

TEST_CASE("B1, smaller: brackets in =begin comments, heredocs and ?( literals are not nesting") {
  TempDir d;
  std::string many = repeat("(", 12000);
  d.write("ok.rb", "=begin\n" + many + "\n=end\nx = <<~EOS\n  " + many + "\nEOS\ny = <<-'E'\n" +
                       many + "\nE\nz = [" + repeat("?(, ", 12000) + "1]\n" + kReach);
  Run r = calm_in(d.path, "report ok.rb -o o.json");
  INFO(r.out.substr(0, 2000));
  CHECK(r.status == 0);
  CHECK(fs::exists(d.path / "o.json"));
}

TEST_CASE("B2: overlong forms, surrogates and code points beyond U+10FFFF are invalid UTF-8") {
  TempDir d;
  for (const std::string bad :
       {"\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80"}) {
    d.write("a.rb",
            "module M\n  state do\n    table :t, [:x]\n  end\n  bloom do\n"
            "    t <= [[\"a" +
                bad + "\"]]\n  end\nend\n");
    expect_refused(d, "report a.rb -o o.json", "a.rb:6:14: error: invalid UTF-8");
    d.write("a.ded", ".decl table t(x);\nt(\"a" + bad + "\") :- t(X);\n");
    expect_refused(d, "report a.ded -o o.json", "a.ded:2:");
    d.write("a.rkt", "#lang syndicate\n(assert \"a" + bad + "\")\n");
    expect_refused(d, "report a.rkt -o o.json", "a.rkt:2:");
    d.write(".calm.json", "{\"programs\": [{\"name\": \"a" + bad + "\", \"files\": [\"a.rb\"]}]}");
    expect_refused(d, "check --config .calm.json", ".calm.json:1:");
  }
  CHECK(!fs::exists(d.path / "o.json"));
}

TEST_CASE("B3: a 30,000-module include chain is refused, not a stack overflow") {
  TempDir d;
  std::string text;
  for (int i = 0; i < 30000; ++i)
    text += "module M" + std::to_string(i) + "\n" +
            (i ? "  include M" + std::to_string(i - 1) + "\n" : "") + "  state do\n    table :t" +
            std::to_string(i) + ", [:x]\n  end\nend\n";
  d.write("chain.rb", text);
  expect_refused(d, "report --strict chain.rb -o o.json", "modules include each other too deeply");
  CHECK(!fs::exists(d.path / "o.json"));
}

TEST_CASE("B4: exponential import expansion is bounded (a located error)") {
  TempDir d;
  std::string text =
      "module M0\n  state do\n    table :t, [:x]\n  end\n  bloom do\n    t <= [[1]]\n  end\nend\n";
  for (int i = 1; i <= 24; ++i)
    text += "module M" + std::to_string(i) + "\n  import M" + std::to_string(i - 1) +
            " => :a\n  import M" + std::to_string(i - 1) +
            " => :b\n  state do\n    table :t, [:x]\n  end\n  bloom do\n    t <= a.t\n  end\nend\n";
  d.write("diamond.rb", text);
  expect_refused(d, "report --strict diamond.rb -o o.json", "makes the program too large");
  expect_refused(d, "report --strict diamond.rb -o o.json", "[calm-bad-import]");
}

TEST_CASE("B5: an acyclic 35-deep import chain is not a cycle") {
  TempDir d;
  std::string text =
      "module M0\n  state do\n    table :t, [:x]\n  end\n  bloom do\n    t <= [[1]]\n  end\nend\n";
  for (int i = 1; i <= 35; ++i)
    text += "module M" + std::to_string(i) + "\n  import M" + std::to_string(i - 1) +
            " => :m\n  state do\n    table :t, [:x]\n  end\n  bloom do\n    t <= m.t\n  end\nend\n";
  d.write("chain.rb", text);
  Run r = calm_in(d.path, "report chain.rb -o o.json");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.find("imports itself") == std::string::npos);
  CHECK(d.read("o.json").find(
            "m.m.m.m.m.m.m.m.m.m.m.m.m.m.m.m.m.m.m.m.m.m.m.m.m.m.m.m.m.m.m.m.m.m.t") !=
        std::string::npos);
}

TEST_CASE("B6: no input makes calm read or quote a file that is not a program") {
  TempDir d;
  std::string secret = d.write("secret", "root:SECRET-HASH:19000:0:99999:7:::\nline2 SECRET\n");
  SUBCASE("a location in the program IR") {
    std::string ir =
        R"({"programs": [{"name": "P", "location": {"file": "FILE", "line": 1, "column": 1},
      "collections": [{"name": "a", "kind": "table", "keys": ["x"], "location": {"file": "FILE", "line": 1, "column": 1}},
                      {"name": "b", "kind": "table", "keys": ["x"], "location": {"file": "FILE", "line": 2, "column": 1}}],
      "rules": [{"lhs": "b", "op": "<=", "references": [{"collection": "a", "context": "scan", "negated": true}],
                 "location": {"file": "FILE", "line": 1, "column": 1}},
                {"lhs": "nope", "op": "<=", "references": [], "location": {"file": "FILE", "line": 2, "column": 1}}]}]})";
    for (const std::string& f : {secret, std::string("secret"),
                                 std::string("../") + d.path.filename().string() + "/secret"}) {
      std::string text = ir;
      for (size_t p; (p = text.find("FILE")) != std::string::npos;) text.replace(p, 4, f);
      d.write("p.calm.json", text);
      Run r = calm_in(d.path, "check p.calm.json");
      INFO(r.out);
      CHECK(r.out.find("SECRET") == std::string::npos);
    }
  }
  SUBCASE("a scenario's program") {
    d.write("s.json", "{\"nodes\": [{\"name\": \"n\", \"program\": {\"files\": [\"" + secret +
                          "\"]}}], \"steps\": 3}");
    Run r = calm_in(d.path, "run --scenario s.json");
    INFO(r.out);
    CHECK(r.status == 2);
    CHECK(r.out.find("s.json:1:") != std::string::npos);
    CHECK(r.out.find("is not a program file") != std::string::npos);
    CHECK(r.out.find("SECRET") == std::string::npos);
  }
  SUBCASE("a configuration's files and baseline") {
    d.write(".calm.json", "{\"programs\": [{\"files\": [\"secret\"]}]}");
    Run r = calm_in(d.path, "check");
    INFO(r.out);
    CHECK(r.status == 2);
    CHECK(r.out.find(".calm.json:1:") != std::string::npos);
    CHECK(r.out.find("SECRET") == std::string::npos);
    d.write("r.rb", kReach);
    d.write(".calm.json", "{\"programs\": [{\"files\": [\"r.rb\"]}], \"baseline\": \"secret\"}");
    r = calm_in(d.path, "check");
    INFO(r.out);
    CHECK(r.status == 2);
    CHECK(r.out.find("must name a .json file") != std::string::npos);
    CHECK(r.out.find("SECRET") == std::string::npos);
  }
}

TEST_CASE("B7, B8: integers beyond 64 bits are refused, never wrapped or clamped") {
  TempDir d;
  d.write("facts.json", R"({"steps":[{"inp":[[9223372036854775807]]}]})");
  d.write("small.json", R"({"steps":[{"inp":[[1]]}]})");
  struct Case {
    std::string expr, facts, message;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"99999999999999999999999", "small.json",
            "integer literal 99999999999999999999999 does not fit in 64 bits"},
           {"i.x + 1", "facts.json", "integer overflow: 9223372036854775807 + 1"},
           {"i.x * 2", "facts.json", "integer overflow"},
           {"-i.x - 2", "facts.json", "integer overflow"},
           {"2 ** 64", "small.json", "integer overflow"},
           {"(-i.x - 1).abs", "facts.json", "integer overflow"},
           {"(-i.x - 1) / -1", "facts.json", "integer overflow"},
           {"i.x.succ", "facts.json", "integer overflow"},
           {"(0.0 / 0).to_i", "small.json", "FloatDomainError: NaN"},
           {"(1.0 / 0).round", "small.json", "FloatDomainError: Infinity"},
           {"\"99999999999999999999\".to_i", "small.json", "integer overflow"}}) {
    d.write("a.rb", arith(c.expr));
    Run r = calm_in(d.path, "run a.rb --steps 1 --facts " + c.facts);
    INFO(c.expr << "\n" << r.out);
    CHECK(r.status == 2);
    CHECK(r.out.find("a.rb:7:") != std::string::npos);
    CHECK(r.out.find(c.message) != std::string::npos);
  }
  // What fits still works: 2**62, INT64_MIN % -1, 3 ** 39.
  d.write("a.rb", arith("[2 ** 62, (-i.x - 1) % -1, 3 ** 39]"));
  Run r = calm_in(d.path, "run a.rb --steps 1 --record out --facts facts.json");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.find("4611686018427387904, 0, 4052555153018976267") != std::string::npos);
  d.write("a.ded",
          ".decl input add_link(from, to);\n.decl table path(from, to);\n"
          "path(F, 99999999999999999999999999999) :- add_link(F, T);\n");
  d.write("links.json", R"({"steps":[{"add_link":[[1,2]]}]})");
  r = calm_in(d.path, "run a.ded --steps 1 --facts links.json");
  INFO(r.out);
  CHECK(r.status == 2);
  CHECK(r.out.find("does not fit in 64 bits") != std::string::npos);
}

TEST_CASE("B9: one value is bounded (calm-eval-limit, located)") {
  TempDir d;
  d.write("facts.json", R"({"steps":[{"inp":[[9223372036854775807]]}]})");
  for (const std::string expr :
       {"\"a\" * i.x", "[0] * i.x", "(\"ab\" * 3000000) + (\"ab\" * 3000000)"}) {
    d.write("a.rb", arith(expr));
    Run r = calm_in(d.path, "run a.rb --steps 1 --facts facts.json");
    INFO(expr << "\n" << r.out);
    CHECK(r.status == 2);
    CHECK(r.out.find("a.rb:7:") != std::string::npos);
    CHECK(r.out.find("[calm-eval-limit]") != std::string::npos);
  }
  d.write("g.rb", R"(module SG
  state do
    table :s, [:v]
  end
  bootstrap do
    s <= [["ab"]]
  end
  bloom do
    s <+ s { |x| [x.v + x.v] }
  end
end
)");
  Run r = calm_in(d.path, "run g.rb --steps 40");
  INFO(r.out.substr(0, 2000));
  CHECK(r.status == 2);
  CHECK(r.out.find("[calm-eval-limit]") != std::string::npos);
}

TEST_CASE("B10: a failed run replaces no output file") {
  TempDir d;
  d.write("keep.out", "GOOD\n");
  d.write("a.rb", arith("i.x + 1"));
  d.write("facts.json", R"({"steps":[{"inp":[[1]]}, {"inp":[[9223372036854775807]]}]})");
  Run r = calm_in(d.path,
                  "run a.rb --steps 3 --record out --facts facts.json -o keep.out --trace t.json");
  INFO(r.out);
  CHECK(r.status == 2);
  CHECK(r.out.find("keep.out: not written (the run failed)") != std::string::npos);
  CHECK(d.read("keep.out") == "GOOD\n");
  CHECK(!fs::exists(d.path / "t.json"));
  CHECK(fs::directory_iterator(d.path) != fs::directory_iterator());
  for (const auto& e : fs::directory_iterator(d.path))
    CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
}

TEST_CASE("B11: -o writes through devices, FIFOs and links, keeps modes, reports every error") {
  TempDir d;
  d.write("r.rb", kReach);
  SUBCASE("a character device is written through, never replaced") {
    std::string dev = (d.path / "mynull").string();
    if (::mknod(dev.c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) {
      MESSAGE("skipped: mknod needs root");
      return;
    }
    Run r = calm_in(d.path, "report r.rb -o mynull");
    CHECK(r.status == 0);
    struct stat st;
    REQUIRE(::stat(dev.c_str(), &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
  }
  SUBCASE("/dev/full: no space left on device") {
    if (!fs::exists("/dev/full")) return;
    for (const std::string cmd :
         {"report r.rb", "check r.rb", "graph r.rb --format dot", "model r.rb"}) {
      Run r = calm_in(d.path, cmd + " -o /dev/full");
      INFO(cmd << ": " << r.out);
      CHECK(r.status == 2);
      CHECK(r.out.find("/dev/full: write failed: No space left on device") != std::string::npos);
    }
    struct stat st;
    REQUIRE(::stat("/dev/full", &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
  }
  SUBCASE("a FIFO is written through") {
    std::string fifo = (d.path / "pipe").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    auto c = calm::test::run_command("cd " + q(d.path.string()) +
                                     " && (timeout 60 cat pipe > got &) && timeout 60 " +
                                     q(CALM_BINARY) + " report r.rb -o pipe; echo rc=$?; sleep 1");
    CHECK(c.out.find("rc=0") != std::string::npos);
    struct stat st;
    REQUIRE(::lstat(fifo.c_str(), &st) == 0);
    CHECK(S_ISFIFO(st.st_mode));
    CHECK(d.read("got").find("\"programs\"") != std::string::npos);
  }
  SUBCASE("/dev/stdout into a pipe (a link to a pipe with no name)") {
    auto c = calm::test::run_command("cd " + q(d.path.string()) + " && " + q(CALM_BINARY) +
                                     " report r.rb -o /dev/stdout | cat");
    CHECK(c.status == 0);
    CHECK(c.out.find("\"schema_version\"") != std::string::npos);
  }
  SUBCASE("a symbolic link: the target is replaced, the link kept") {
    d.write("target.json", "old");
    fs::create_symlink("target.json", d.path / "link.json");
    Run r = calm_in(d.path, "report r.rb -o link.json");
    CHECK(r.status == 0);
    CHECK(fs::is_symlink(d.path / "link.json"));
    CHECK(d.read("target.json").find("\"programs\"") != std::string::npos);
  }
  SUBCASE("the mode of an existing file is kept") {
    d.write("out.json", "old");
    fs::permissions(d.path / "out.json", fs::perms(0640));
    Run r = calm_in(d.path, "report r.rb -o out.json");
    CHECK(r.status == 0);
    CHECK((fs::status(d.path / "out.json").permissions() & fs::perms::all) == fs::perms(0640));
    CHECK(d.read("out.json").find("\"programs\"") != std::string::npos);
  }
  SUBCASE("a directory: Is a directory") {
    fs::create_directory(d.path / "dir");
    Run r = calm_in(d.path, "report r.rb -o dir");
    INFO(r.out);
    CHECK(r.status == 2);
    CHECK(r.out.find("dir: Is a directory") != std::string::npos);
    CHECK(r.out.find("Success") == std::string::npos);
  }
  SUBCASE("a full file system") {
    // A small tmpfs when the test may mount one (root, outside containers that forbid it).
    fs::path mnt = d.path / "mnt";
    fs::create_directory(mnt);
    auto m = calm::test::run_command("mount -t tmpfs -o size=12k tmpfs " + q(mnt.string()) +
                                     " 2>/dev/null && echo mounted");
    if (m.out.find("mounted") == std::string::npos) {
      MESSAGE("skipped: cannot mount a small tmpfs");
      return;
    }
    std::ofstream(mnt / "keep.json") << "GOOD";
    std::string big;
    for (int i = 0; i < 400; ++i) big += "    table :t" + std::to_string(i) + ", [:x]\n";
    d.write("big.rb", "module Big\n  state do\n" + big + "  end\nend\n");
    Run r = calm_in(d.path, "report big.rb -o mnt/keep.json");
    INFO(r.out);
    CHECK(r.status == 2);
    CHECK(r.out.find("No space left on device") != std::string::npos);
    CHECK(d.read("mnt/keep.json") == "GOOD");
    size_t files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(mnt)) ++files;
    CHECK(files == 1);
    calm::test::run_command("umount " + q(mnt.string()));
  }
}

TEST_CASE("B12, B14: deep JSON and s-expressions are refused, located") {
  TempDir d;
  d.write("deep.json", repeat("[", 100000) + repeat("]", 100000));
  expect_refused(d, "check --config deep.json", "deep.json:1:1001: error: JSON nested too deeply");
  expect_refused(d, "check --no-config --baseline deep.json r.rb", "deep.json:1:1001:");
  expect_refused(d, "diff deep.json deep.json", "deep.json:1:1001:");
  d.write("deep.rkt", "#lang syndicate\n" + repeat("(", 20000) + "\n");
  expect_refused(d, "report deep.rkt -o o.json", "deep.rkt:2:1001: error: nested too deeply");
  d.write("quotes.rkt", "#lang syndicate\n" + repeat("'", 20000) + "x\n");
  expect_refused(d, "report quotes.rkt -o o.json", "nested too deeply");
}

// The one depth limit, kMaxNestingDepth (1000, model/limits.h), for every reader of nested
// structure: each at the limit (read, analysed, and run where it runs, so no later walk
// of the model overflows the stack: checked in the ASan+UBSan build too) and one past it
// (a located error).
TEST_CASE("one depth limit: every reader at kMaxNestingDepth and one level past it") {
  TempDir d;
  SUBCASE("Ruby: a Bloom statement's syntax tree") {
    // `a <= b { |x| [x.k + 1 + ... + 1] }`: the statement, the block, its body and the
    // array are 7 levels, each `+` one more: 993 `+` make 1000 levels.
    auto program = [](int plus) {
      return "class Deep\n  include Bud\n  state do\n    scratch :a, [:k]\n    scratch :b, [:k]\n"
             "  end\n  bloom do\n    a <= b { |x| [x.k" +
             repeat(" + 1", size_t(plus)) + "] }\n  end\nend\n";
    };
    d.write("at.rb", program(993));
    d.write("facts.json", R"({"steps":[{"b":[[1]]}]})");
    for (const char* cmd : {"report at.rb -o o.json", "check --no-config at.rb",
                            "html at.rb -o o.html", "graph at.rb -o o.dot"}) {
      Run r = calm_in(d.path, cmd);
      INFO(cmd << "\n" << r.out.substr(0, 2000));
      CHECK(r.status == 0);
    }
    Run r = calm_in(d.path, "run at.rb --steps 1 --record a --facts facts.json");
    INFO(r.out.substr(0, 2000));
    CHECK(r.status == 0);
    CHECK(r.out.find("[994]") != std::string::npos);
    d.write("past.rb", program(994));
    expect_refused(d, "report --strict past.rb -o o.json",
                   "past.rb:8:5: error: expression nested too deeply (more than 1000 levels)");
  }
  SUBCASE("the program IR (JSON)") {
    d.write("at.calm.json", "{\"programs\": " + repeat("[", 999) + repeat("]", 999) + "}");
    Run r = calm_in(d.path, "report at.calm.json -o o.json");
    INFO(r.out.substr(0, 2000));
    CHECK(r.out.find("at.calm.json:1:15: error: expected an object") != std::string::npos);
    d.write("past.calm.json", "{\"programs\": " + repeat("[", 1000) + repeat("]", 1000) + "}");
    expect_refused(d, "report past.calm.json -o o.json",
                   "past.calm.json:1:1013: error: JSON nested too deeply (more than 1000 levels");
  }
  SUBCASE("scenarios") {
    d.write("at.json", repeat("[", 1000) + repeat("]", 1000));
    Run r = calm_in(d.path, "run --scenario at.json");
    INFO(r.out.substr(0, 2000));
    CHECK(r.out.find("at.json:1:1: error: a scenario is a JSON object") != std::string::npos);
    d.write("past.json", repeat("[", 1001) + repeat("]", 1001));
    expect_refused(
        d, "run --scenario past.json",
        "past.json:1:1001: error: invalid JSON: nested too deeply (more than 1000 levels)");
  }
  SUBCASE("Dedalus: parentheses and operator chains") {
    const std::string decls = ".decl input add_link(from, to);\n.decl table path(from, to);\n";
    d.write("links.json", R"({"steps":[{"add_link":[[1,2]]}]})");
    // The term and 999 parentheses: 1000 levels, read, translated and run.
    d.write("at.ded", decls + "path(F, " + repeat("(", 999) + "T" + repeat(")", 999) +
                          ") :- add_link(F, T);\n");
    Run r = calm_in(d.path, "run at.ded --steps 1 --record path --facts links.json");
    INFO(r.out.substr(0, 2000));
    CHECK(r.status == 0);
    CHECK(r.out.find("[1, 2]") != std::string::npos);
    d.write("past.ded", decls + "path(F, " + repeat("(", 1000) + "T" + repeat(")", 1000) +
                            ") :- add_link(F, T);\n");
    expect_refused(d, "report --strict past.ded -o o.json",
                   "past.ded:3:1009: error: expression nested too deeply (more than 1000 levels)");
    d.write("long.ded", decls + "path(F, T" + repeat(" + 1", 1001) + ") :- add_link(F, T);\n");
    expect_refused(d, "report --strict long.ded -o o.json",
                   "long.ded:3:4011: error: expression too long (more than 1000 operators)");
  }
  SUBCASE("Dedalus in Molly's dialect") {
    auto program = [](int parens, int plus) {
      return "q(\"a\", 1)@1;\nq(N, X)@next :- q(N, X);\np(N, " + repeat("(", size_t(parens)) + "X" +
             repeat(")", size_t(parens)) + repeat(" + 1", size_t(plus)) + ") :- q(N, X);\n";
    };
    d.write("at.ded", program(1000, 1000));
    Run r = calm_in(d.path, "run --eot 2 at.ded");
    INFO(r.out.substr(0, 2000));
    CHECK(r.status == 0);
    CHECK(r.out.find("1001") != std::string::npos);
    d.write("past.ded", program(1001, 0));
    expect_refused(d, "report --strict past.ded -o o.json",
                   "past.ded:3:1006: error: expression nested too deeply (more than 1000 levels)");
    d.write("long.ded", program(0, 1001));
    expect_refused(d, "report --strict long.ded -o o.json",
                   "error: expression too long (more than 1000 operators)");
  }
}

// A 50 MB program of dense code once needed ~14 GB (about 280 bytes per byte of code).
// The lexical pre-scan counts tokens before tree-sitter parses, and refuses a program of
// more than kMaxProgramTokens (680,000; under 1 GB in the worst shape measured,
// bench/big_input.sh) at the token that passes the limit.
TEST_CASE("50 MB: a dense program just over kMaxProgramTokens is refused before parsing") {
  using calm::ruby::kMaxProgramTokens;
  using calm::ruby::lexical_scan;
  // Words, numbers, literals and punctuation count; comments and string contents do not.
  const std::string_view small = "x = [1, 22] # a comment\n\"a b c\" 'd e'";  // 9 tokens
  CHECK(lexical_scan(small, 10000, 9).too_large_at == std::string_view::npos);
  CHECK(lexical_scan(small, 10000, 8).too_large_at == 32);  // 'd e'
  CHECK(lexical_scan(small, 10000, 7).too_large_at == 24);  // "a b c"
  CHECK(lexical_scan("x = [1, 22]", 10000, 5).too_large_at == 8);
  // The dense shape of bench/big_input.sh: every line code, 34 tokens a rule.
  TempDir d;
  std::string text = "class Dense\n  include Bud\n  state do\n";
  for (int i = 0; i < 1000; ++i) text += "    table :t" + std::to_string(i) + ", [:k] => [:v]\n";
  text += "  end\n  bloom do\n";
  auto tokens = [](std::string_view t) {
    size_t k = 0;
    while (lexical_scan(t, 10000, k).too_large_at != std::string_view::npos) ++k;
    return k;
  };
  auto rule = [](int i) {
    return "    t" + std::to_string(i % 1000) + " <= (t" + std::to_string(i * 7 % 1000) + " * t" +
           std::to_string(i * 13 % 1000) + ").pairs(:k => :k) { |a, b| [a.k, b.v] }\n";
  };
  const size_t per_rule = tokens(rule(1));
  REQUIRE(per_rule == 34);
  const size_t rules = (kMaxProgramTokens - tokens(text)) / per_rule + 1;
  for (size_t i = 0; i < rules; ++i) text += rule(int(i));
  text += "  end\nend\n";
  const size_t at = lexical_scan(text).too_large_at;
  REQUIRE(at != std::string_view::npos);
  // The first token past the limit is on the last rule line.
  const size_t line = size_t(std::count(text.begin(), text.begin() + long(at), '\n')) + 1;
  const size_t column = at - text.rfind('\n', at - 1);
  d.write("dense.rb", text);
  const std::string where = "dense.rb:" + std::to_string(line) + ":" + std::to_string(column) +
                            ": error: program too large: more than " +
                            std::to_string(kMaxProgramTokens) + " tokens";
  expect_refused(d, "report dense.rb -o o.json", where);
  expect_refused(d, "check --no-config dense.rb", where);
  CHECK_FALSE(fs::exists(d.path / "o.json"));
  // One rule fewer is within the limit (not parsed here: bench/big_input.sh measures it).
  std::string within = text.substr(0, text.rfind("    t", at)) + "  end\nend\n";
  CHECK(lexical_scan(within).too_large_at == std::string_view::npos);
}

// Found by the 10-minute fuzz_config run: a number beyond a double made the JSON library
// throw out_of_range (not parse_error) and calm abort (rc 134).
TEST_CASE("a JSON number beyond a double is a located error in every JSON input") {
  TempDir d;
  d.write("r.rb", kReach);
  d.write("big.json", R"({"calm_baseline": 1e99999})");
  expect_refused(d, "check --no-config --baseline big.json r.rb",
                 "big.json:1:19: error: invalid JSON: number overflow parsing '1e99999'");
  d.write("conf.json", R"({"fail_on": 1e99999})");
  expect_refused(d, "check --config conf.json r.rb",
                 "conf.json:1:13: error: invalid JSON: number overflow parsing '1e99999'");
  d.write("p.calm.json", R"({"programs": [1e99999]})");
  expect_refused(d, "report p.calm.json -o o.json",
                 "p.calm.json:1:15: error: invalid JSON: number overflow parsing '1e99999'");
}

TEST_CASE("B13: /dev/zero and FIFOs as inputs: refused at once, no hang") {
  TempDir d;
  d.write("r.rb", kReach);
  REQUIRE(::mkfifo((d.path / "fifo").c_str(), 0600) == 0);
  expect_refused(d, "check --no-config --baseline /dev/zero r.rb",
                 "/dev/zero: error: is a character device, not a regular file");
  // A FIFO nobody writes reads as empty (never waits for a writer): a located error.
  expect_refused(d, "check --no-config --baseline fifo r.rb", "fifo:1:1: error: invalid JSON");
  expect_refused(d, "check --config fifo", "fifo:1:1: error: invalid JSON");
  expect_refused(d, "check --config /dev/zero", "/dev/zero: error:");
  expect_refused(d, "diff fifo fifo", "fifo:1:1: error: invalid JSON");
  expect_refused(d, "diff /dev/zero /dev/zero", "/dev/zero: error: is a character device");
  expect_refused(d, "report fifo -o o.json", "no program found");
  expect_refused(d, "run r.rb --facts fifo", "fifo:1:1: error: invalid JSON");
  expect_refused(d, "run r.rb --facts /dev/zero", "/dev/zero: error: is a character device");
  expect_refused(d, "run --scenario /dev/zero", "/dev/zero");
  // A pipe with a writer is read (`--facts <(...)`, `--facts /dev/stdin`).
  auto piped =
      calm::test::run_command("cd " + q(d.path.string()) + " && echo '{\"steps\": []}' | " +
                              q(CALM_BINARY) + " run r.rb --steps 1 --facts /dev/stdin 2>&1");
  INFO(piped.out);
  CHECK(piped.status == 0);
  d.write(".calm.json", "{\"programs\": [{\"files\": [\"r.rb\"]}], \"baseline\": \"/dev/zero\"}");
  expect_refused(d, "check", "must name a .json file");
}

TEST_CASE("configurations: duplicate keys and NUL bytes in paths are refused, located") {
  TempDir d;
  d.write(".calm.json", "{\"fail_on\": \"error\",\n \"fail_on\": \"note\"}");
  expect_refused(d, "check", ".calm.json:2:2: error: duplicate key 'fail_on'");
  d.write(".calm.json", "{\"programs\": [{\"files\": [\"a\\u0000.rb\"]}]}");
  expect_refused(d, "check", "a path cannot hold a NUL byte");
}

TEST_CASE("baseline and diff errors carry a line and column") {
  TempDir d;
  d.write("r.rb", kReach);
  d.write("b.json", "{\"calm_baseline\": 1,\n \"findings\": [{\"fingerprint\": 3}]}");
  expect_refused(d, "check --no-config --baseline b.json r.rb", "b.json:2:15:");
  d.write("bad.json", "{\"calm_baseline\": 1,\n \"findings\": [}");
  expect_refused(d, "check --no-config --baseline bad.json r.rb", "bad.json:2:");
  d.write("rep.json", "{\"schema_version\": \"2.0\",\n \"programs\": []}");
  expect_refused(d, "diff rep.json rep.json", "rep.json:1:");
}

TEST_CASE("a wrongly typed lattice fact in a scenario is refused at the fact") {
  TempDir d;
  d.write("l.rb", R"(module L
  state do
    interface input, :inp, [:x]
    lset :s
    lbool :b
  end
  bloom do
    s <= inp { |i| [i.x] }
  end
end
)");
  d.write("s.json",
          "{\"nodes\": [{\"name\": \"n\", \"program\": {\"files\": [\"l.rb\"]}}], \"steps\": 1,\n"
          " \"inputs\": [{\"facts\": {\"b\": [[5]]}}]}");
  expect_refused(d, "run --scenario s.json", "s.json:2:");
  expect_refused(d, "run --scenario s.json", "a fact of 'b' (lbool)");
}
