#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "envs/registry.h"

namespace uw::bench {

struct PixelPerfConfig {
  std::vector<std::string> env_ids;  // empty: every registered task
  int width = 64;
  int height = 64;
  int steps = 200;              // env steps from one saved state (within one episode)
  int min_state_steps = 20000;  // the state side repeats its run to fill a timed sample
  int rounds = 5;               // interleaved samples of each side; the best counts
  std::string vector_env_id = "cheetah-run";
  int vector_envs = 4;
  int vector_steps = 100;  // batch steps per timed sample
  uint64_t seed = 1;
};

// One env: a rollout with pixel observations (one fast render per step) against the same
// rollout without them, from the same state with the same random actions.
struct PixelVsState {
  std::string env_id;
  double frames_per_second = 0;       // pixel env steps per second, each with its frame
  double state_steps_per_second = 0;  // the same env without pixels
  double ratio = 0;                   // pixels / state
};

struct PixelPerfReport {
  std::string backend;  // the EGL platform and OpenGL renderer, e.g. "surfaceless: llvmpipe"
  int width = 0;
  int height = 0;
  std::vector<PixelVsState> envs;
  // a VectorEnv of pixel envs on 2 threads against 1 (each env renders on its worker thread)
  std::string vector_env_id;
  int vector_envs = 0;
  double vector_1_thread_frames_per_second = 0;
  double vector_2_threads_frames_per_second = 0;
  double vector_2v1_ratio = 0;
};

// Measures, in one run, what pixel observations cost per env step.
PixelPerfReport run_pixel_perf(const envs::Registry& registry, const PixelPerfConfig& config);

}  // namespace uw::bench
