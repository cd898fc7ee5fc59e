#include "verify/schedule_trie.h"

namespace calm {

std::optional<size_t> ScheduleTrie::find(uint64_t seed) const {
  size_t at = 0;
  for (size_t k = 0;; ++k) {
    const Node& n = nodes_[at];
    if (n.run != kNoRun) return n.run;
    if (!n.question) return std::nullopt;
    auto it = n.answers.find(n.question->decide(seed, k));
    if (it == n.answers.end()) return std::nullopt;
    at = it->second;
  }
}

void ScheduleTrie::add(const std::vector<eval::Draw>& draws, size_t run) {
  size_t at = 0;
  for (const eval::Draw& d : draws) {
    // Runs in the same state ask the same question; a different one (which a repeatable
    // simulation cannot ask) leaves the trie as it is rather than mixing two paths.
    if (nodes_[at].run != kNoRun) return;
    if (!nodes_[at].question)
      nodes_[at].question = d;
    else if (!nodes_[at].question->same_question(d))
      return;
    auto [it, fresh] = nodes_[at].answers.emplace(d.value, nodes_.size());
    at = it->second;
    if (fresh) nodes_.emplace_back();  // after the last use of `it`
  }
  if (nodes_[at].run == kNoRun && nodes_[at].answers.empty()) {
    nodes_[at].run = run;
    ++runs_;
  }
}

}  // namespace calm
