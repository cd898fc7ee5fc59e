#pragma once

// The schedules `calm verify` has run, by the decisions of their seeded generator
// (eval::Draw): a run is a function of those decisions (eval::Simulation::repeatable), so
// a seed whose generator would decide the same is the same schedule, and verify reuses
// that run's result instead of running it again. A scenario without channels, or with few
// messages, has few distinct schedules among the hundreds of seeds verify tries.
//
// Runs that share their first k decisions were in the same state until then, so they
// asked the same (k+1)-th question (a delay range, or a probability): each node of the
// trie holds that question once, and a child per answer.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "eval/simulation.h"

namespace calm {

class ScheduleTrie {
 public:
  /// The run recorded with add() that the generator seeded with `seed` would repeat, if
  /// any.
  std::optional<size_t> find(uint64_t seed) const;
  /// Records that run `run` made the decisions `draws` and then no more (its simulation
  /// was repeatable). Keeps the first run recorded for a path.
  void add(const std::vector<eval::Draw>& draws, size_t run);
  /// Runs recorded (distinct paths).
  size_t size() const { return runs_; }

 private:
  static constexpr size_t kNoRun = SIZE_MAX;
  struct Node {
    std::optional<eval::Draw> question;  ///< asked next on this path (its value unused)
    std::map<int64_t, size_t> answers;   ///< value -> child node
    size_t run = kNoRun;                 ///< a run that ended here
  };
  std::vector<Node> nodes_{1};
  size_t runs_ = 0;
};

}  // namespace calm
