// In-process benchmark over the shared corpus: for every .rb file, the default
// programs are loaded (parse + compose), analyzed and reported. Prints the time
// per stage and the per-program analysis time (median, p90, max).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "analysis/program_analysis.h"
#include "frontend/loader.h"
#include "report/json_report.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

static double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

int main(int argc, char** argv) {
  fs::path corpus = argc > 1 ? fs::path(argv[1]) : fs::path(CALM_SHARED_DIR) / "corpus";
  if (!fs::is_directory(corpus)) {
    std::printf("calm_bench: %s is absent; nothing to measure\n", corpus.c_str());
    return 0;
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
  std::printf("calm_bench: %zu files, %zu programs, %zu rules, %zu points of order\n",
              files.size(), programs, rules, points);
  std::printf("| stage | total ms |\n|---|---|\n");
  std::printf("| parse + compose | %.1f |\n| analysis | %.1f |\n| report (incl. analysis) | %.1f |\n",
              load_ms, analyze_ms, report_ms);
  std::printf("analysis per program: median %.3f ms, p90 %.3f ms, max %.3f ms\n", pct(0.5),
              pct(0.9), pct(1.0));
  return 0;
}
