// `umwelt perf plan`: the latency of latent CEM planning, through the planner and the model's
// inference path, against the same CEM loop written on raw LibTorch tensors and modules.
#pragma once

#include <cstdint>
#include <filesystem>

namespace uw::agents {

struct PlanPerfConfig {
  std::filesystem::path model;  // a state world model of a goal task
  int64_t samples = 300, elites = 30, horizon = 5, iterations = 10;
  int threads = 1;  // LibTorch's intra-op threads for both sides
  int rounds = 5;   // interleaved rounds of each side
  int plans_per_round = 10;
  uint64_t seed = 0;
};

struct PlanPerf {
  // best round's milliseconds per plan, and predictor calls (one row, one chunk) per second
  double ours_ms_per_plan = 0, raw_ms_per_plan = 0;
  double ours_calls_per_second = 0, raw_calls_per_second = 0;
  double raw_vs_ours = 0;  // median over rounds of raw time / our time (1 = no overhead)
  int64_t predictor_calls_per_plan = 0;
};

// Throws uw::Error on a model that cannot plan (pixels only, no goal task, no such directory).
PlanPerf measure_planning(const PlanPerfConfig& config);

}  // namespace uw::agents
