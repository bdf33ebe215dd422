#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "agents/model_config.h"
#include "envs/env_spec.h"

namespace uw::agents {

// What a model reads, fixed by its dataset: the observation, action and picture sizes.
struct DataShape {
  int64_t obs_size = 0;      // D: the state observation (the probe's target); 0 for pixels only
  int64_t action_size = 0;   // A
  int64_t pixel_height = 0;  // 0 without pixels
  int64_t pixel_width = 0;

  friend bool operator==(const DataShape&, const DataShape&) = default;
};

// Per-dimension statistics of the training episodes: inputs are (x - mean) / std.
struct Normalization {
  std::vector<float> obs_mean, obs_std;        // [D]
  std::vector<float> action_mean, action_std;  // [A]

  friend bool operator==(const Normalization&, const Normalization&) = default;
};

// One float32 tensor of a model's weights.
struct NamedTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> values;
};

// A model directory: weights.safetensors (every tensor, float32) and config.json (the
// architecture, env spec, sizes, normalisation, dataset, training run and last metrics).
struct ModelFile {
  WorldModelConfig config;
  envs::EnvSpec spec;
  DataShape shape;
  Normalization normalization;
  nlohmann::json dataset = nlohmann::json::object();   // dir, content hash, episode split
  nlohmann::json training = nlohmann::json::object();  // step, seed, threads, versions, commit
  nlohmann::json metrics = nlohmann::json::object();   // the last held-out evaluation
  std::vector<NamedTensor> weights;
  std::filesystem::path dir;  // where it was read from (for messages); empty when made in memory

  // The tensor named `name`, checked to have `shape`: throws uw::Error naming the weights file
  // and the tensor when it is missing or shaped otherwise.
  const NamedTensor& tensor(const std::string& name, std::span<const int64_t> shape) const;
  // A hash of everything the weights' meaning depends on (config, spec, sizes, normalisation):
  // weights.safetensors carries it, so weights cannot be paired with another model's config.
  std::string fingerprint() const;
};

// Writes weights.safetensors, then config.json, each atomically. A kill between the two leaves
// the previous config.json, which still describes the new weights (the architecture and
// normalisation do not change in a run; only the step and metrics it shows lag behind).
void save_model(const std::filesystem::path& dir, const ModelFile& model);

// Reads and checks a model directory; never executes anything from it. Throws uw::Error naming
// the file and what is wrong: missing files, a damaged safetensors file (see Safetensors), a
// tensor that is not float32, a config that does not parse, or weights that belong to another
// model. The tensors' names and shapes are checked against the architecture when a model is
// built from the file (WorldModel).
ModelFile load_model_file(const std::filesystem::path& dir);

// The first difference between the env spec a model was trained on and `spec`, as a sentence
// ("the model was trained on 'pointmass-reach', not 'reacher-reach'"), or "" when they agree.
std::string spec_difference(const envs::EnvSpec& trained, const envs::EnvSpec& spec);

// config.json's content.
nlohmann::json model_json(const ModelFile& model);

}  // namespace uw::agents
