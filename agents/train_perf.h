#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "agents/model_config.h"

namespace uw::agents {

struct TrainPerfConfig {
  std::filesystem::path data;                        // a dataset
  std::optional<std::filesystem::path> config_file;  // as umwelt train
  std::vector<std::string> overrides;
  int threads = 2;  // LibTorch's
  int rounds = 5;   // interleaved samples of each side
  int64_t steps_per_round = 20;
};

struct TrainPerf {
  WorldModelConfig config;  // as resolved for the dataset
  int64_t obs_size = 0, action_size = 0;
  int64_t batch_size = 0;
  // windows per second through the optimiser: the trainer's path (batches sampled, cut and
  // normalised on its data threads), and the same optimiser steps on one batch held in memory
  double trainer_samples_per_second = 0;    // best round
  double in_memory_samples_per_second = 0;  // best round
  double trainer_vs_in_memory = 0;          // median over rounds of the ratio
  double data_wait_fraction = 0;            // of the trainer's time, waiting for batches
};

// Measures training throughput on a dataset: the trainer's data path against none.
TrainPerf measure_training(const TrainPerfConfig& config);

}  // namespace uw::agents
