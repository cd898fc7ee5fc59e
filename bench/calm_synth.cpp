// Writes a synthetic Bloom program (bench/synth.h) to a directory:
//   calm_synth RULES DIR [SEED]
// then `calm report DIR/synth_main.rb` analyzes it.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "synth.h"

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: calm_synth RULES DIR [SEED]\n");
    return 2;
  }
  calm::bench::SynthOptions o;
  o.rules = std::strtoull(argv[1], nullptr, 10);
  if (argc == 4) o.seed = std::strtoull(argv[3], nullptr, 10);
  std::filesystem::path dir = argv[2];
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::fprintf(stderr, "calm_synth: cannot create %s: %s\n", dir.c_str(), ec.message().c_str());
    return 2;
  }
  calm::bench::SynthProgram p = calm::bench::generate_program(o);
  for (const auto& [name, text] : p.files) {
    std::ofstream out(dir / name, std::ios::binary);
    out << text;
    if (!out) {
      std::fprintf(stderr, "calm_synth: cannot write %s\n", (dir / name).c_str());
      return 2;
    }
  }
  std::printf("%s: %zu rules, %zu modules, %zu collections, %zu files; class %s\n",
              (dir / p.main_file).c_str(), p.rules, p.modules, p.collections, p.files.size(),
              p.class_name.c_str());
  return 0;
}
