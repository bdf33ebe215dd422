#pragma once

#include <string>
#include <vector>

#include "envs/registry.h"

namespace uw::bench {

struct SimPerfConfig {
  std::vector<std::string> env_ids = {"cheetah-run",
                                      "mjcf:/usr/share/mujoco/model/humanoid/humanoid.xml"};
  int steps = 900;               // env steps from one saved state (within one episode)
  int steps_per_sample = 20000;  // the steps are repeated to fill each timed sample
  int rounds = 7;                // interleaved samples of each side; the best counts
  std::string vector_env_id = "cheetah-run";
  int vector_envs = 16;
  int vector_steps = 1000;  // batch steps per timed sample
  int vector_rounds = 30;   // interleaved samples of each side; the best counts
  uint64_t seed = 1;
  int background_load = 0;  // busy threads of our own kept running while measuring
};

// One model: env.step against a raw mj_step loop doing the same substeps from the same state
// with the same controls.
struct EnvVsRaw {
  std::string env_id;
  int substeps = 1;
  int dofs = 0;
  double env_steps_per_second = 0;
  double raw_steps_per_second = 0;
  double ratio = 0;  // env / raw
};

// A VectorEnv against MuJoCo's own batch (mjb_step) with as many simulations and threads,
// stepping the same model from the same states with the same controls.
struct VectorVsBatch {
  int threads = 1;
  double vector_steps_per_second = 0;  // env steps (all envs together)
  double batch_steps_per_second = 0;  // 0 before MuJoCo 4.0, which has no batch
  double ratio = 0;                   // vector / batch
};

struct SimPerfReport {
  std::vector<EnvVsRaw> env_vs_raw;
  std::string vector_env_id;
  int vector_envs = 0;
  std::vector<VectorVsBatch> vector_vs_batch;  // 1 and 2 threads
  double vector_2v1_ratio = 0;                 // the VectorEnv at 2 threads against 1
  int background_load = 0;                     // busy threads that ran beside the measurement
};

// Measures, in one run, the env wrapper's overhead, the vector env against MuJoCo's batch, and
// the vector env's scaling.
SimPerfReport run_sim_perf(const envs::Registry& registry, const SimPerfConfig& config);

}  // namespace uw::bench
