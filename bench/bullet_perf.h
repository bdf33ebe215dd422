#pragma once

#include <string>
#include <vector>

#include "envs/registry.h"

namespace uw::bench {

struct BulletPerfConfig {
  std::vector<std::string> env_ids = {"bullet-tower", "bullet-push-cube", "bullet-bounce"};
  int steps = 100;              // env steps from one saved state (within one episode)
  int steps_per_sample = 2000;  // the steps are repeated to fill each timed sample
  int rounds = 7;               // interleaved samples of each side; the best counts
  uint64_t seed = 1;
};

// One scene: env.step against Bullet's own stepSimulation stepping the same scene from the
// same state, the same number of physics steps.
struct BulletEnvVsRaw {
  std::string env_id;
  int substeps = 1;
  int bodies = 0;
  double env_steps_per_second = 0;
  double raw_steps_per_second = 0;  // in env steps: physics steps / substeps
  double ratio = 0;                 // env / raw
};

std::vector<BulletEnvVsRaw> run_bullet_perf(const envs::Registry& registry,
                                            const BulletPerfConfig& config);

}  // namespace uw::bench
