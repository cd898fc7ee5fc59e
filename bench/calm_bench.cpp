// The benchmark table: the shared corpus (whole process and in process) and the
// synthetic scaling series (bench/synth.h), each stage timed with its peak memory.
//
//   calm_bench [--calm PATH] [--corpus DIR] [--sizes 1000,10000,...] [--seed N]
//
// Each synthetic size is written to a temporary directory and measured in a fresh
// process (this executable re-run with --stages DIR), so that its peak RSS is its
// own; the whole-process figure runs `calm report` on the same files.

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/program_analysis.h"
#include "frontend/bud/bud_reader.h"
#include "frontend/bud/composer.h"
#include "frontend/loader.h"
#include "frontend/ruby/syntax_tree.h"
#include "report/json_report.h"
#include "synth.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

/// Peak resident set of this process so far, in MiB.
double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;
}

struct ProcessRun {
  int status = -1;
  double wall_ms = 0;
  double peak_mib = 0;
  std::string out;
};

/// Runs argv[0] with `args`, stdout captured (stderr to /dev/null), and measures it.
ProcessRun run_process(const std::vector<std::string>& args) {
  ProcessRun r;
  int fds[2];
  if (pipe(fds) != 0) return r;
  auto t0 = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    if (FILE* null = std::fopen("/dev/null", "w")) dup2(fileno(null), 2);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) r.out.append(buf, size_t(n));
  close(fds[0]);
  int st = 0;
  rusage u{};
  wait4(pid, &st, 0, &u);
  r.wall_ms = ms(Clock::now() - t0);
  r.peak_mib = double(u.ru_maxrss) / 1024.0;
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
  return r;
}

/// The stages of `calm report`, timed one by one, as the loader runs them (without
/// its throwaway read for `require`s). Prints one line of numbers for the parent.
int run_stages(const fs::path& dir, const std::string& main_file) {
  std::vector<std::string> paths;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".rb") paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());
  struct Stage {
    double ms, mib;
  };
  std::vector<Stage> stages;
  auto t = Clock::now();
  auto lap = [&]() {
    auto now = Clock::now();
    stages.push_back({ms(now - t), peak_rss_mib()});
    t = now;
  };
  calm::Diagnostics diags;
  std::vector<std::string> texts(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) calm::read_source_file(paths[i], texts[i], diags);
  lap();
  std::vector<std::unique_ptr<calm::ruby::SyntaxTree>> trees;
  for (size_t i = 0; i < paths.size(); ++i)
    trees.push_back(std::make_unique<calm::ruby::SyntaxTree>(paths[i], std::move(texts[i])));
  lap();
  calm::bud::ReaderContext ctx;
  ctx.lattice_kinds = calm::bud::builtin_lattice_kinds();
  for (const auto& tr : trees) calm::bud::scan_names(*tr, ctx);
  std::vector<calm::SourceFile> files;
  for (const auto& tr : trees) files.push_back(calm::bud::read_bud_file(*tr, ctx, diags));
  lap();
  calm::bud::Composer composer(files, diags);
  std::vector<calm::Program> programs;
  for (const std::string& root : composer.default_roots({main_file}))
    if (auto p = composer.compose({root})) programs.push_back(std::move(*p));
  if (programs.empty())
    if (auto p = composer.compose({"SynthProgram"})) programs.push_back(std::move(*p));
  lap();
  size_t points = 0, rules = 0, collections = 0;
  for (const auto& p : programs) {
    calm::ProgramAnalysis a(p);
    points += a.points_of_order().points().size();
    (void)a.sources_sinks();
    (void)a.stratification();
    (void)a.coordination();
    rules += p.rules.size();
    collections += p.collections.size();
  }
  lap();
  std::string report = calm::build_report(programs, diags, "bench").dump(2);
  lap();
  std::printf("%zu %zu %zu %zu %zu", rules, collections, points, report.size(), diags.size());
  for (const Stage& s : stages) std::printf(" %.1f %.1f", s.ms, s.mib);
  std::printf("\n");
  return 0;
}

void corpus_section(const fs::path& corpus, const std::string& calm) {
  if (!fs::is_directory(corpus)) {
    std::printf("\n## Corpus\n\n%s is absent; nothing to measure.\n", corpus.c_str());
    return;
  }
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(corpus))
    if (e.is_regular_file() && e.path().extension() == ".rb") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());

  double load_ms = 0, analyze_ms = 0, report_ms = 0;
  std::vector<double> per_program;
  size_t programs = 0, rules = 0, points = 0;
  for (const auto& f : files) {
    auto t0 = Clock::now();
    calm::LoadOptions o;
    o.files = {f};
    calm::LoadResult r = calm::load_programs(o);
    auto t1 = Clock::now();
    load_ms += ms(t1 - t0);
    for (const auto& p : r.programs) {
      auto a0 = Clock::now();
      calm::ProgramAnalysis a(p);
      points += a.points_of_order().points().size();
      (void)a.sources_sinks();
      (void)a.stratification();
      auto a1 = Clock::now();
      per_program.push_back(ms(a1 - a0));
      analyze_ms += ms(a1 - a0);
      ++programs;
      rules += p.rules.size();
    }
    auto r0 = Clock::now();
    std::string out = calm::build_report(r.programs, r.diagnostics, "bench").dump(2);
    report_ms += ms(Clock::now() - r0);
  }
  std::sort(per_program.begin(), per_program.end());
  auto pct = [&](double q) {
    return per_program.empty() ? 0.0 : per_program[size_t(q * double(per_program.size() - 1))];
  };
  std::printf("\n## Corpus: %zu files, %zu default programs, %zu rules, %zu points of order\n\n",
              files.size(), programs, rules, points);
  std::printf("| measure | time | peak RSS |\n|---|---|---|\n");
  for (const char* cmd : {"model", "report"}) {
    std::vector<std::string> args{calm, cmd};
    args.insert(args.end(), files.begin(), files.end());
    args.push_back("-o");
    args.push_back("/dev/null");
    ProcessRun all = run_process(args);
    std::printf("| whole process: `calm %s` over all files, one process | %.0f ms | %.0f MiB |\n",
                cmd, all.wall_ms, all.peak_mib);
  }
  double per_file_ms = 0, per_file_peak = 0;
  for (const auto& f : files) {
    ProcessRun one = run_process({calm, "report", f, "-o", "/dev/null"});
    per_file_ms += one.wall_ms;
    per_file_peak = std::max(per_file_peak, one.peak_mib);
  }
  std::printf(
      "| whole process: `calm report`, one process per file | %.0f ms (%.1f ms per file) | %.0f "
      "MiB (largest) |\n",
      per_file_ms, per_file_ms / double(std::max<size_t>(files.size(), 1)), per_file_peak);
  std::printf("| in process: parse + compose, every file | %.1f ms | |\n", load_ms);
  std::printf("| in process: analysis, every default program | %.1f ms | |\n", analyze_ms);
  std::printf("| in process: JSON report (including its analysis) | %.1f ms | |\n", report_ms);
  std::printf("| in process: peak RSS of the benchmark so far | | %.0f MiB |\n", peak_rss_mib());
  std::printf("\nAnalysis per program: median %.3f ms, p90 %.3f ms, max %.3f ms.\n", pct(0.5),
              pct(0.9), pct(1.0));
}

void synthetic_section(const std::vector<size_t>& sizes, uint64_t seed, const std::string& self,
                       const std::string& calm) {
  std::printf("\n## Synthetic scaling (bench/synth.h, seed %llu)\n\n",
              static_cast<unsigned long long>(seed));
  std::printf(
      "Per stage: time in ms / peak RSS so far in MiB (in process, fresh process per size).\n\n");
  std::printf(
      "| rules | collections | files | MB | read | parse (tree-sitter) | Bud reader | compose | "
      "analysis | report | in-process total | whole process `calm report` | points of order |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  double prev_total = 0;
  size_t prev_rules = 0;
  std::vector<std::string> growth;
  for (size_t n : sizes) {
    calm::bench::SynthOptions so;
    so.rules = n;
    so.seed = seed;
    calm::bench::SynthProgram prog = calm::bench::generate_program(so);
    fs::path dir = fs::temp_directory_path() /
                   ("calm-bench-synth-" + std::to_string(getpid()) + "-" + std::to_string(n));
    fs::create_directories(dir);
    size_t bytes = 0;
    for (const auto& [name, text] : prog.files) {
      std::ofstream(dir / name, std::ios::binary) << text;
      bytes += text.size();
    }
    const size_t nfiles = prog.files.size();
    prog.files.clear();
    std::fflush(stdout);
    ProcessRun stages = run_process({self, "--stages", dir.string(), prog.main_file});
    fs::path out = dir / "report.json";
    ProcessRun whole =
        run_process({calm, "report", (dir / prog.main_file).string(), "-o", out.string()});
    fs::remove_all(dir);
    std::istringstream in(stages.out);
    size_t rules = 0, collections = 0, points = 0, report_bytes = 0, ndiags = 0;
    in >> rules >> collections >> points >> report_bytes >> ndiags;
    std::vector<std::pair<double, double>> st(6);
    double total = 0;
    for (auto& [t, m] : st) {
      in >> t >> m;
      total += t;
    }
    if (!in || stages.status != 0) {
      std::printf("| %zu | stage run failed (status %d) |\n", n, stages.status);
      continue;
    }
    std::printf("| %zu | %zu | %zu | %.1f |", rules, collections, nfiles, double(bytes) / 1e6);
    for (const auto& [t, m] : st) std::printf(" %.0f / %.0f |", t, m);
    std::printf(" %.0f ms / %.0f MiB | %.0f ms / %.0f MiB%s | %zu |\n", total, st.back().second,
                whole.wall_ms, whole.peak_mib, whole.status == 0 ? "" : " (exit != 0)", points);
    if (prev_rules) {
      char g[160];
      std::snprintf(g, sizeof g, "%zu -> %zu rules: in-process time x%.1f for x%.0f rules",
                    prev_rules, rules, total / prev_total, double(rules) / double(prev_rules));
      growth.push_back(g);
    }
    prev_rules = rules;
    prev_total = total;
    if (ndiags) std::printf("<!-- %zu diagnostics at %zu rules -->\n", ndiags, n);
  }
  std::printf("\n");
  for (const auto& g : growth) std::printf("- %s\n", g.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::string self = fs::canonical("/proc/self/exe").string();
  if (argc == 4 && std::strcmp(argv[1], "--stages") == 0) return run_stages(argv[2], argv[3]);
  fs::path corpus = fs::path(CALM_SHARED_DIR) / "corpus";
  std::string calm = (fs::path(self).parent_path().parent_path() / "bin" / "calm").string();
  // 1,000,000 is opt-in (--sizes): at today's constant factors it needs about 20 GiB.
  std::vector<size_t> sizes{1000, 10000, 100000};
  uint64_t seed = 1;
  bool do_corpus = true, do_synth = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "calm_bench: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--calm") {
      calm = next();
    } else if (a == "--corpus") {
      corpus = next();
    } else if (a == "--seed") {
      seed = std::strtoull(next().c_str(), nullptr, 10);
    } else if (a == "--sizes") {
      sizes.clear();
      std::stringstream ss(next());
      for (std::string s; std::getline(ss, s, ',');) sizes.push_back(std::stoul(s));
    } else if (a == "--no-corpus") {
      do_corpus = false;
    } else if (a == "--no-synthetic") {
      do_synth = false;
    } else {
      std::fprintf(stderr,
                   "usage: calm_bench [--calm PATH] [--corpus DIR] [--sizes N,N,...] [--seed N] "
                   "[--no-corpus] [--no-synthetic]\n");
      return 2;
    }
  }
  std::printf("# calm benchmarks (calm: %s)\n", calm.c_str());
  if (do_corpus) corpus_section(corpus, calm);
  if (do_synth) synthetic_section(sizes, seed, self, calm);
  return 0;
}
