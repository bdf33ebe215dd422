#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "agents/batch_source.h"
#include "agents/evaluate.h"
#include "agents/model_file.h"
#include "datagen/dataset.h"

namespace uw::agents {

struct TrainOptions {
  std::filesystem::path data;  // a dataset directory (umwelt gen)
  std::filesystem::path out;   // the model directory
  // the config: this file, else the built-in one for the dataset's env; then the overrides
  std::optional<std::filesystem::path> config_file;
  std::vector<std::string> overrides;  // "section.field=value"
  std::optional<int64_t> steps;        // overrides train.steps
  int threads = 1;                     // LibTorch's threads
  std::string device = "cpu";          // "cpu" or "cuda"
  uint64_t seed = 0;
  bool resume = false;   // continue the run in `out` from its last checkpoint
  bool progress = true;  // a progress line on stderr
  // When it becomes true (a signal handler sets it), training checkpoints and returns.
  const std::atomic<bool>* stop = nullptr;
};

struct TrainResult {
  ModelFile model;                // as saved
  EvalReport eval;                // the last held-out evaluation
  int64_t first_step = 0;         // where this run started (0, or the checkpoint it resumed)
  int64_t steps = 0;              // the step it ended at
  double seconds = 0;             // training, without the evaluations
  double samples_per_second = 0;  // windows per second through the optimiser
  double data_wait_seconds = 0;   // time the optimiser waited for batches
  bool interrupted = false;       // stopped early through `stop`
};

// Trains a world model on a dataset and writes it to `out`: weights.safetensors and
// config.json at every checkpoint (each replaced atomically, so a kill leaves the last one
// usable), train_state.safetensors for --resume (weights, optimiser moments, step), and
// metrics.jsonl (training losses, and each held-out evaluation). Same seed, threads and device
// on CPU give bit-identical weights, also across a resume. Throws uw::Error on a bad dataset,
// config or device, an `out` that holds another run (without resume), or a checkpoint that
// does not fit the config.
TrainResult train_world_model(const TrainOptions& options);

// The config a run uses: `file`, else the built-in one for the env and whether its dataset has
// pictures (builtin_config_path), with
// the overrides and the step count applied and the input ("auto") chosen for the dataset.
// Throws uw::Error naming the file and field.
WorldModelConfig resolve_config(const std::optional<std::filesystem::path>& file,
                                std::span<const std::string> overrides,
                                std::optional<int64_t> steps, const std::string& env_id,
                                bool has_pixels);

// How a config cuts training windows.
WindowGeometry window_geometry(const WorldModelConfig& config);

// A dataset cut for training a model of `config`: its sizes, the normalisation from the
// training episodes, and the training and held-out windows (split by episode number). When the
// config streams (train.stream_episodes), split.train stays empty and `streamed` lists the
// dataset positions of the training episodes instead.
struct TrainingData {
  DataShape shape;
  Normalization normalization;
  data::SplitSamplers split;
  std::vector<int64_t> streamed;
  int64_t train_episodes() const;
};
// Throws uw::Error naming the dataset when no training episode is long enough.
TrainingData load_training_data(data::Dataset& dataset, const WorldModelConfig& config);

// Whether this build can train on CUDA (a CUDA LibTorch and a GPU).
bool cuda_available();

}  // namespace uw::agents
