// ScheduleTrie: a seed is matched to the recorded run whose decisions its generator would
// make, question by question, and to no run when it decides otherwise anywhere.

#include "verify/schedule_trie.h"

#include <doctest/doctest.h>

using namespace calm;
using calm::eval::Draw;

namespace {

/// The decisions the generator seeded with `seed` makes when asked `questions`.
std::vector<Draw> decisions(uint64_t seed, std::vector<Draw> questions) {
  for (size_t k = 0; k < questions.size(); ++k) questions[k].value = questions[k].decide(seed, k);
  return questions;
}

const Draw kDelay{Draw::Delay, 1, 3, 0, 0};
const Draw kCoin{Draw::Chance, 0, 0, 0.5, 0};

/// A seed other than `not_this` whose first draws decide `questions` as `want` does, or
/// whose decisions differ from it (`same` false).
uint64_t seed_like(const std::vector<Draw>& want, bool same, uint64_t not_this) {
  for (uint64_t s = 1;; ++s) {
    if (s == not_this) continue;
    bool all = true;
    for (size_t k = 0; k < want.size(); ++k) all &= want[k].decide(s, k) == want[k].value;
    if (all == same) return s;
  }
}

}  // namespace

TEST_CASE("schedule trie: seeds that decide alike repeat a recorded run") {
  ScheduleTrie trie;
  CHECK_FALSE(trie.find(1));
  auto run0 = decisions(11, {kDelay, kCoin, kDelay});
  trie.add(run0, 0);
  CHECK(trie.size() == 1);
  CHECK(trie.find(11) == std::optional<size_t>(0));
  CHECK(trie.find(seed_like(run0, true, 11)) == std::optional<size_t>(0));
  uint64_t other = seed_like(run0, false, 11);
  CHECK_FALSE(trie.find(other));

  // A second path that shares the first question.
  auto run1 = decisions(other, {kDelay, kCoin, kDelay});
  trie.add(run1, 1);
  CHECK(trie.size() == 2);
  CHECK(trie.find(other) == std::optional<size_t>(1));
  CHECK(trie.find(11) == std::optional<size_t>(0));

  // The same path again keeps the first run.
  trie.add(run0, 7);
  CHECK(trie.size() == 2);
  CHECK(trie.find(11) == std::optional<size_t>(0));
}

TEST_CASE("schedule trie: a run that made no decision is every seed's") {
  ScheduleTrie trie;
  trie.add({}, 3);
  for (uint64_t s = 1; s < 50; ++s) CHECK(trie.find(s) == std::optional<size_t>(3));
}

TEST_CASE("schedule trie: a path that asks another question is not mixed in") {
  ScheduleTrie trie;
  auto run0 = decisions(5, {kDelay, kDelay});
  trie.add(run0, 0);
  Draw wide{Draw::Delay, 1, 9, 0, 0};
  auto odd = decisions(5, {wide, kDelay});
  trie.add(odd, 1);  // a repeatable simulation cannot ask this; it is ignored
  CHECK(trie.size() == 1);
  CHECK(trie.find(5) == std::optional<size_t>(0));
}
