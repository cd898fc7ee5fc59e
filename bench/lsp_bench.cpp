// The `calm lsp` benchmark (#22): how long an editor waits for calm's answer to an edit.
//
//   calm_lsp_bench --calm PATH [--source DIR] [--debounce MS]
//
// Drives a real `calm lsp` process over pipes with a recorded editing session: on one
// rule line, every character is deleted from the end (backspace), then the line is
// typed again, one character per didChange (incremental, as editors send them). For
// each keystroke it measures the time from sending the change to receiving the
// publishDiagnostics for that version (debounce included: the server's default unless
// --debounce); every tenth keystroke is instead followed at once by a hover on the
// rule's operator, and the time to the hover's answer is measured (the server analyses
// the change first, without waiting for the debounce). Programs: a generated 100-rule program in
// two files with a .calm.json (bench/synth.h; the edits are in the module file, the program is
// composed through require) and the 151-rule sample samples/scheduler/job_scheduler.rb. Also times
// the analysis one keystroke costs, in process (load_programs + run_checks). Prints each figure
// next to the target of #22, 50 ms, and their ratio.

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "checks/check_run.h"
#include "frontend/loader.h"
#include "lsp/documents.h"
#include "lsp/json_rpc.h"
#include "synth.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

constexpr double kTargetMs = 50;

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

class LspProcess {
 public:
  explicit LspProcess(const std::vector<std::string>& argv) {
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      close(in[0]), close(in[1]), close(out[0]), close(out[1]);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to_ = in[1];
    from_ = out[0];
  }
  ~LspProcess() {
    close(to_);
    close(from_);
    int st = 0;
    kill(pid_, SIGTERM);
    waitpid(pid_, &st, 0);
  }
  void send(const json& m) {
    std::string f = calm::lsp::frame(m);
    size_t done = 0;
    while (done < f.size()) {
      ssize_t n = write(to_, f.data() + done, f.size() - done);
      if (n <= 0) throw std::runtime_error("calm lsp went away");
      done += size_t(n);
    }
  }
  /// The next message, waiting at most 20 s.
  json read() {
    for (;;) {
      if (auto f = reader_.next()) {
        if (!f->message) throw std::runtime_error("bad frame: " + f->error);
        return *f->message;
      }
      pollfd p{from_, POLLIN, 0};
      if (poll(&p, 1, 20000) <= 0) throw std::runtime_error("no answer from calm lsp in 20 s");
      char buf[1 << 16];
      ssize_t n = ::read(from_, buf, sizeof buf);
      if (n <= 0) throw std::runtime_error("calm lsp closed its output");
      reader_.feed(std::string_view(buf, size_t(n)));
    }
  }
  /// Reads until a message satisfies `done`.
  template <class F>
  json until(F done) {
    for (;;) {
      json m = read();
      if (done(m)) return m;
    }
  }

 private:
  pid_t pid_ = -1;
  int to_ = -1, from_ = -1;
  calm::lsp::FrameReader reader_;
};

struct Stats {
  std::vector<double> v;
  double pct(double p) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[std::min(v.size() - 1, size_t(p * double(v.size())))];
  }
};

void row(const char* what, Stats& s) {
  double p90 = s.pct(0.9), mx = s.pct(1.0);
  std::printf("  %-34s n=%3zu  median %6.1f  p90 %6.1f  max %6.1f ms   p90/target %.2f  %s\n", what,
              s.v.size(), s.pct(0.5), p90, mx, p90 / kTargetMs,
              mx < kTargetMs ? "(all under 50 ms)" : "");
}

struct Workload {
  std::string name;
  std::string file;                        ///< the file edited
  std::string config;                      ///< "" or a .calm.json next to the program
  std::vector<std::string> program_files;  ///< for the in-process figure
};

/// The rule line edited: the middle one of the lines holding " <= " outside comments.
int pick_line(const std::string& text) {
  std::vector<int> rules;
  std::istringstream in(text);
  std::string l;
  for (int i = 0; std::getline(in, l); ++i) {
    auto first = l.find_first_not_of(' ');
    if (first != std::string::npos && l[first] != '#' && l.find(" <= ") != std::string::npos &&
        l.size() < 100)
      rules.push_back(i);
  }
  return rules.empty() ? 0 : rules[rules.size() / 2];
}

void run_workload(const Workload& w, const std::string& calm, int debounce) {
  std::ifstream f(w.file);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string text = ss.str();
  int line = pick_line(text);
  calm::lsp::Text t(text);
  std::string original(t.line(line));
  size_t indent = original.find_first_not_of(' ');
  std::string body = original.substr(indent);
  size_t op = original.find(" <= ") + 1;

  // In process: what one keystroke costs to analyse.
  Stats analysis;
  for (int i = 0; i < 15; ++i) {
    auto t0 = Clock::now();
    calm::LoadOptions lo;
    lo.files = w.program_files;
    calm::LoadResult load = calm::load_programs(lo);
    calm::CheckRun run = calm::run_checks(load, {});
    analysis.v.push_back(ms(Clock::now() - t0));
  }

  std::vector<std::string> argv = {calm, "lsp"};
  if (debounce >= 0) argv.insert(argv.end(), {"--debounce", std::to_string(debounce)});
  LspProcess p(argv);
  std::string uri = calm::lsp::path_to_uri(fs::absolute(w.file).lexically_normal().string());
  p.send({{"jsonrpc", "2.0"},
          {"id", 1},
          {"method", "initialize"},
          {"params",
           {{"processId", nullptr}, {"rootUri", nullptr}, {"capabilities", json::object()}}}});
  p.until([](const json& m) { return m.value("id", json()) == 1; });
  p.send({{"jsonrpc", "2.0"}, {"method", "initialized"}, {"params", json::object()}});
  auto t_open = Clock::now();
  p.send({{"jsonrpc", "2.0"},
          {"method", "textDocument/didOpen"},
          {"params",
           {{"textDocument",
             {{"uri", uri}, {"languageId", "ruby"}, {"version", 1}, {"text", text}}}}}});
  json first = p.until([&](const json& m) {
    return m.value("method", "") == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri;
  });
  double open_ms = ms(Clock::now() - t_open);
  size_t findings = first["params"]["diagnostics"].size();

  Stats keystroke, hover;
  int version = 1, next_id = 2;
  auto edit = [&](int col0, int del, const std::string& ins) {
    ++version;
    auto t0 = Clock::now();
    p.send({{"jsonrpc", "2.0"},
            {"method", "textDocument/didChange"},
            {"params",
             {{"textDocument", {{"uri", uri}, {"version", version}}},
              {"contentChanges",
               json::array({{{"range",
                              {{"start", {{"line", line}, {"character", col0}}},
                               {"end", {{"line", line}, {"character", col0 + del}}}}},
                             {"text", ins}}})}}}});
    bool with_hover = (version - 1) % 10 == 0, published = false;
    auto is_publish = [&](const json& m) {
      return m.value("method", "") == "textDocument/publishDiagnostics" &&
             m["params"]["uri"] == uri && m["params"].value("version", 0) == version;
    };
    if (with_hover) {  // asked at once: the answer waits for the analysis, not the debounce
      int id = next_id++;
      p.send({{"jsonrpc", "2.0"},
              {"id", id},
              {"method", "textDocument/hover"},
              {"params",
               {{"textDocument", {{"uri", uri}}},
                {"position", {{"line", line}, {"character", int(op)}}}}}});
      p.until([&](const json& m) {
        published = published || is_publish(m);
        return m.value("id", json()) == id && !m.contains("method");
      });
      hover.v.push_back(ms(Clock::now() - t0));
    }
    if (!published) p.until(is_publish);
    if (!with_hover) keystroke.v.push_back(ms(Clock::now() - t0));
  };
  for (size_t n = body.size(); n > 0; --n) edit(int(indent + n - 1), 1, "");
  for (size_t n = 0; n < body.size(); ++n) edit(int(indent + n), 0, body.substr(n, 1));
  p.send({{"jsonrpc", "2.0"}, {"id", next_id}, {"method", "shutdown"}});
  p.until([&](const json& m) { return m.value("id", json()) == next_id; });
  p.send({{"jsonrpc", "2.0"}, {"method", "exit"}});

  std::printf("%s: line %d `%s`, %zu findings at open (open answered in %.1f ms)\n", w.name.c_str(),
              line + 1, body.c_str(), findings, open_ms);
  row("analysis of one keystroke (in process)", analysis);
  row("keystroke -> diagnostics (debounce incl.)", keystroke);
  row("keystroke + hover -> hover answer", hover);
}

}  // namespace

int main(int argc, char** argv) {
  std::string calm, source = ".";
  int debounce = -1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--calm" && i + 1 < argc)
      calm = argv[++i];
    else if (a == "--source" && i + 1 < argc)
      source = argv[++i];
    else if (a == "--debounce" && i + 1 < argc)
      debounce = std::stoi(argv[++i]);
    else {
      std::fprintf(stderr, "usage: calm_lsp_bench --calm PATH [--source DIR] [--debounce MS]\n");
      return 2;
    }
  }
  if (calm.empty()) {
    std::fprintf(stderr, "calm_lsp_bench: --calm PATH is required\n");
    return 2;
  }
  calm = fs::absolute(calm).string();
  fs::path dir = fs::temp_directory_path() / ("calm-lsp-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  calm::bench::SynthOptions so;
  so.rules = 100;
  calm::bench::SynthProgram synth = calm::bench::generate_program(so);
  std::string module_file;
  std::vector<std::string> files;
  for (const auto& [name, text] : synth.files) {
    std::ofstream(dir / name) << text;
    files.push_back((dir / name).string());
    if (name != synth.main_file) module_file = (dir / name).string();
  }
  std::ofstream(dir / ".calm.json")
      << json{{"programs", json::array({{{"files", json::array({synth.main_file})}}})}}.dump();

  std::printf(
      "calm lsp: keystroke latency, target %.0f ms (#22); debounce %s\n", kTargetMs,
      debounce < 0 ? "the server's default (20 ms)" : (std::to_string(debounce) + " ms").c_str());
  int status = 0;
  try {
    run_workload({"generated 100-rule program (2 files, .calm.json)",
                  module_file,
                  (dir / ".calm.json").string(),
                  {(dir / synth.main_file).string()}},
                 calm, debounce);
    std::string sched = (fs::path(source) / "samples/scheduler/job_scheduler.rb").string();
    run_workload({"samples/scheduler/job_scheduler.rb (151 rules)", sched, "", {sched}}, calm,
                 debounce);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "calm_lsp_bench: %s\n", e.what());
    status = 1;
  }
  fs::remove_all(dir);
  return status;
}
