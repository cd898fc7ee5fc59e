// `calm graph` and `calm html` as a user runs them: formats, files, exit codes, messages.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "support/viz_support.h"

namespace fs = std::filesystem;
using calm::viz::test::read_text;
using calm::viz::test::run_calm;
using calm::viz::test::temp_dir;
using calm::viz::test::XmlChecker;

namespace {

/// Two Bud classes in one file: two programs.
constexpr const char* kTwoPrograms = R"RUBY(require 'bud'
class One
  include Bud
  state do
    table :a, [:x]
    scratch :b, [:x]
  end
  bloom do
    b <= a
  end
end
class Two
  include Bud
  state do
    table :c, [:x]
  end
end
)RUBY";

}  // namespace

TEST_CASE("calm graph writes svg, dot, png and pdf by extension; --format overrides") {
  fs::path d = temp_dir("graph");
  const std::string in = "samples/kvs/paper2011/kvs_2011.rb -m BasicKVS";
  auto svg = run_calm("graph " + in + " -o " + (d / "k.svg").string());
  CHECK(svg.status == 0);
  CHECK(svg.out == "");
  XmlChecker x;
  CHECK(x.check(read_text(d / "k.svg")) == "");
  CHECK(x.with_id("cluster-kvstate-prev").size() == 1);

  CHECK(run_calm("graph " + in + " -o " + (d / "k.dot").string()).status == 0);
  CHECK(read_text(d / "k.dot").rfind("digraph \"BasicKVS\" {", 0) == 0);
  CHECK(run_calm("graph " + in + " -o " + (d / "k.png").string()).status == 0);
  CHECK(read_text(d / "k.png").rfind("\x89PNG", 0) == 0);
  CHECK(run_calm("graph " + in + " -o " + (d / "k.pdf").string()).status == 0);
  CHECK(read_text(d / "k.pdf").rfind("%PDF-", 0) == 0);
  CHECK(run_calm("graph " + in + " --format svg -o " + (d / "k.txt").string()).status == 0);
  CHECK(read_text(d / "k.txt").find("<svg") != std::string::npos);

  // DOT on stdout by default; the same bytes as the file.
  auto out = run_calm("graph " + in);
  CHECK(out.status == 0);
  CHECK(out.out == read_text(d / "k.dot"));
  fs::remove_all(d);
}

TEST_CASE("calm graph options: --expanded, --legend, --by-module, --no-labels, --focus/--depth") {
  const std::string in = "samples/kvs/paper2011/kvs_2011.rb -m BasicKVS";
  auto e = run_calm("graph " + in + " --expanded --legend --by-module");
  CHECK(e.status == 0);
  CHECK(e.out.find("subgraph \"cluster:kvstate,prev\"") != std::string::npos);
  CHECK(e.out.find("subgraph \"cluster_legend\"") != std::string::npos);
  CHECK(e.out.find("subgraph \"cluster_module:KVSProtocol\"") != std::string::npos);
  auto labelled = run_calm("graph " + in);
  CHECK(labelled.out.find("label-nonmonotonic") != std::string::npos);
  CHECK(labelled.out.find("fillcolor=") != std::string::npos);
  auto plain = run_calm("graph " + in + " --no-labels");
  CHECK(plain.status == 0);
  CHECK(plain.out.find("label-") == std::string::npos);
  CHECK(plain.out.find("fillcolor=") == std::string::npos);
  auto f = run_calm("graph " + in + " --focus getj --depth 1");
  CHECK(f.status == 0);
  CHECK(f.out.find("\"kvget_response\" [") != std::string::npos);
  CHECK(f.out.find("\"kvput\" [") == std::string::npos);
}

TEST_CASE("calm graph errors: exit 2 with a message") {
  fs::path d = temp_dir("errors");
  std::string two = (d / "two.rb").string();
  std::ofstream(two) << kTwoPrograms;
  auto several = run_calm("graph " + two);
  CHECK(several.status == 2);
  CHECK(several.out ==
        "calm: the files hold 2 programs (One, Two); draw one with -m NAME, or use 'calm html' "
        "for all\n");
  CHECK(run_calm("graph " + two + " -m Two").status == 0);
  auto fmt = run_calm("graph samples/kvs/kvs.rb -m BasicKVS --format gif");
  CHECK(fmt.status == 2);
  CHECK(fmt.out == "calm: unknown format 'gif' (svg, dot, png or pdf)\n");
  auto ext = run_calm("graph samples/kvs/kvs.rb -m BasicKVS -o /tmp/x.bmp");
  CHECK(ext.status == 2);
  CHECK(ext.out.find("cannot tell the format") != std::string::npos);
  auto png = run_calm("graph samples/kvs/kvs.rb -m BasicKVS --format png");
  CHECK(png.status == 2);
  CHECK(png.out == "calm: png is binary: write it to a file with -o\n");
  auto focus = run_calm("graph samples/kvs/kvs.rb -m BasicKVS --focus kvstat");
  CHECK(focus.status == 2);
  CHECK(focus.out ==
        "calm: no collection 'kvstat' in the dataflow of BasicKVS; did you mean 'kvstate'?\n");
  auto depth = run_calm("graph samples/kvs/kvs.rb -m BasicKVS --depth 2");
  CHECK(depth.status == 2);
  CHECK(depth.out == "calm: --depth needs --focus\n");
  auto bad_depth = run_calm("graph samples/kvs/kvs.rb -m BasicKVS --focus kvstate --depth x");
  CHECK(bad_depth.status == 2);
  auto dir = run_calm("graph samples/kvs/kvs.rb -m BasicKVS -o /nonexistent/dir/x.svg");
  CHECK(dir.status == 2);
  CHECK(dir.out.find("does not exist") != std::string::npos);
  auto none = run_calm("graph");
  CHECK(none.status == 2);
  CHECK(none.out.find("usage: calm graph") != std::string::npos);
  fs::remove_all(d);
}

TEST_CASE("calm help lists graph and html") {
  auto h = run_calm("help graph");
  CHECK(h.status == 0);
  CHECK(h.out.rfind("usage: calm graph FILES...", 0) == 0);
  auto o = run_calm("--help");
  CHECK(o.out.find("graph") != std::string::npos);
  CHECK(o.out.find("html") != std::string::npos);
  CHECK(run_calm("html --help").out.rfind("usage: calm html", 0) == 0);
}

TEST_CASE("calm html writes one page for every program of the files") {
  fs::path d = temp_dir("html");
  auto r = run_calm("html samples/cart/disorderly_cart.rb -o " + (d / "r.html").string());
  CHECK(r.status == 0);
  CHECK(r.out == "");
  std::string html = read_text(d / "r.html");
  CHECK(html.find("<section class=\"program\" id=\"DisorderlyCartServer\">") != std::string::npos);
  CHECK(html.find("data-target=\"DisorderlyCartServer--edge-deleted-kept\"") != std::string::npos);
  CHECK(run_calm("html samples/kvs/kvs.rb --format json").status == 2);
  std::string two = (d / "two.rb").string();
  std::ofstream(two) << kTwoPrograms;
  CHECK(run_calm("html " + two + " -o " + (d / "two.html").string()).status == 0);
  html = read_text(d / "two.html");
  CHECK(html.find("<section class=\"program\" id=\"One\">") != std::string::npos);
  CHECK(html.find("<section class=\"program\" id=\"Two\">") != std::string::npos);
  CHECK(html.find("id=\"One&#45;&#45;diagram\"") != std::string::npos);
  fs::remove_all(d);
}
