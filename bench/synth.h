#pragma once

// A seeded generator of Bloom programs (current Bud dialect) of a given size, for
// the scaling benchmark and stress tests. Each generated module has the shapes of
// real programs: scans with blocks, a recursive join (a monotone SCC), grouping,
// negation (notin), a deferred insert plus a join-driven deletion (a temporal
// cluster, like the paper's BasicKVS), an async channel round trip that closes an
// outer cycle around the recursive one (nested SCCs), links into earlier modules,
// and a shared interface protocol. Modules are grouped in files; each file has an
// aggregate module; one class includes every aggregate and is the only program.

#include <cstdint>
#include <map>
#include <string>

namespace calm::bench {

struct SynthOptions {
  size_t rules = 1000;            ///< exactly this many rules in the program
  uint64_t seed = 1;              ///< same seed, same program
  size_t modules_per_file = 100;  ///< modules in one generated file
};

struct SynthProgram {
  /// file name (relative, e.g. "synth_main.rb", "synth_0003.rb") -> Bud source.
  std::map<std::string, std::string> files;
  std::string main_file;   ///< requires every other file and declares the class
  std::string class_name;  ///< the program
  size_t rules = 0;        ///< rules written (== SynthOptions::rules)
  size_t collections = 0;  ///< collections declared (protocol and temps included)
  size_t modules = 0;
};

SynthProgram generate_program(const SynthOptions& options);

}  // namespace calm::bench
