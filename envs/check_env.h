#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "envs/env.h"

namespace uw::envs {

struct CheckEnvConfig {
  uint64_t seed = 20261128;
  int steps = 100;              // steps compared between runs that must agree
  int save_after = 10;          // steps taken before a state is saved, cloned or clipped
  int max_full_episode = 5000;  // longest episode run to its time limit
};

struct CheckEnvReport {
  std::string env_id;
  std::vector<std::string> checks;    // the checks that ran
  std::vector<std::string> failures;  // "check: what went wrong"

  bool ok() const { return failures.empty(); }
};

// A conformance checker for Env, stricter than Gymnasium's: observations within the space;
// reset(seed) bit-identical; different seeds differ (when the spec says the reset is
// stochastic); steps bit-exact deterministic; save/restore and clone round trips bit-exact;
// truncation exactly at the step limit; finite rewards; out-of-range actions clipped; NaN and
// wrong-length actions rejected with uw::Error and no change of state; goal tasks consistent.
// Pixel envs: pixels of the declared size at every step, deterministic, restored and cloned
// like the state, and not all one colour at reset.
// `make` returns a fresh env of the spec under test at each call.
CheckEnvReport check_env(const std::function<std::unique_ptr<Env>()>& make,
                         const CheckEnvConfig& config = {});

}  // namespace uw::envs
