#pragma once

#include <cstdint>
#include <string>

#include "datagen/dataset.h"
#include "envs/registry.h"

namespace uw::data {

struct ReplayResult {
  int64_t episode = 0;
  int64_t steps = 0;     // steps replayed
  std::string mismatch;  // the first difference ("step 12: state value 5 is ..."), or ""

  bool exact() const { return mismatch.empty(); }
};

// Re-simulates episode number k from its stored seed and actions in a fresh env made from the
// manifest, and compares every stored state, observation and reward bit for bit, and how it
// ended. Throws uw::Error when the dataset was recorded with other engine versions than this
// build's (see engine_difference), does not hold k, the episode is damaged, or the env made now
// has a different spec than the dataset's.
ReplayResult replay_episode(const envs::Registry& registry, const Dataset& dataset, int64_t k);

// Puts `env` (made from the dataset's manifest, on its engine versions) into episode e's state at
// step t, bit-exact: restores the nearest kept state at or before t and re-simulates the steps
// after it with the recorded actions, or resets from the episode's seed when it kept no states
// (--states none). Returns the step it re-simulated from. Throws uw::Error on a step outside
// 0..T.
int64_t seek_step(envs::Env& env, const Episode& e, int64_t t);

}  // namespace uw::data
