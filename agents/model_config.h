#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

namespace uw::agents {

// The architecture of a JEPA world model: an encoder E(o) -> z, an action-conditioned residual
// predictor P(z history, action chunk) -> z', optional heads, and a state probe.
struct ModelConfig {
  // what the encoder sees: "state" (an MLP), "pixels" (a CNN), "both" (the two, fused), or
  // "auto" (pixels when the dataset has them, else state; a trained model records its choice)
  std::string input = "auto";
  int64_t latent_dim = 16;
  // state encoder
  int64_t encoder_hidden = 256;
  int64_t encoder_layers = 2;
  // pixel encoder: 4x4 convolutions of stride 2, one per entry, then a linear map to the latent
  // from the last feature maps ("flatten"), or from each map's keypoint ("keypoints": the
  // softmax-weighted mean position of a map, x and y; small moving objects, since a latent
  // that holds their coordinates predicts and plans in them smoothly)
  std::vector<int64_t> cnn_channels = {32, 64, 128, 256};
  std::string cnn_head = "flatten";
  // predictor: a linear map in, residual blocks, a linear map out added to the last latent
  int64_t predictor_hidden = 256;
  int64_t predictor_blocks = 2;
  int64_t frameskip = 1;  // actions per predictor step (an action chunk)
  int64_t history = 1;    // latents the predictor sees (the current one and history-1 before)
  // optional heads
  bool inverse_dynamics = false;  // (z_t, z_t+1) -> the action chunk between
  bool reward_head = false;       // (z_t, chunk) -> the reward summed over the chunk
  bool termination_head = false;  // z_t+1 -> whether the episode terminated in the chunk
  // the state probe (trained on detached latents: it never shapes them)
  int64_t probe_hidden = 256;
};

// The training objective.
struct LossConfig {
  int64_t horizon = 5;                  // predictor steps rolled out per window
  double open_loop_weight = 1.0;        // imagined latents against the targets
  double teacher_forcing_weight = 1.0;  // one step from each encoded latent
  std::string target = "stopgrad";      // "stopgrad" (the online encoder) or "ema" (a copy)
  double ema_decay = 0.99;
  // against collapse: "vicreg" (variance and covariance), "sigreg" (Epps-Pulley on random
  // projections: isotropic Gaussian latents), or "none"
  std::string regularizer = "vicreg";
  double variance_weight = 25.0;
  double covariance_weight = 1.0;
  double sigreg_weight = 1.0;
  int64_t sigreg_projections = 256;
  double inverse_dynamics_weight = 1.0;
  double reward_weight = 1.0;
  double termination_weight = 1.0;
};

// How the trainer runs.
struct TrainConfig {
  int64_t steps = 5000;
  int64_t batch_size = 256;
  double learning_rate = 1e-3;
  // "constant", or "cosine": from learning_rate down to min_learning_rate_fraction of it at the
  // last step (a function of the step alone, so a resumed run follows it exactly)
  std::string lr_schedule = "constant";
  double min_learning_rate_fraction = 0.1;
  double weight_decay = 0.0;
  int64_t eval_every = 500;        // held-out evaluation, in steps; 0 = only at the end
  int64_t checkpoint_every = 500;  // steps; 0 = only at the end
  int64_t heldout_every = 10;      // episode k is held out when k mod heldout_every = that - 1
  int64_t eval_windows = 1024;     // held-out windows per evaluation
  int64_t data_threads = 1;        // threads preparing batches ahead of the optimiser
  // Datasets larger than memory: 0 holds every training episode in memory; N > 0 streams them
  // from the shards N at a time (a seeded shuffle per pass), drawing stream_batches batches
  // from each pool while the next one is read.
  int64_t stream_episodes = 0;
  int64_t stream_batches = 200;
  // Train the state probe alone, on the world model as initialised: the untrained baseline that
  // shows what training learned.
  bool probe_only = false;
};

// The learning rate of optimiser step `step` (0-based) under the config's schedule.
double learning_rate(const TrainConfig& train, int64_t step);

struct WorldModelConfig {
  ModelConfig model;
  LossConfig loss;
  TrainConfig train;
};

nlohmann::json config_to_json(const WorldModelConfig& config);
// Reads {"model": {...}, "loss": {...}, "train": {...}}; fields left out keep their defaults.
// Throws uw::Error naming `where` and the field: an unknown field, a wrong type, a value out of
// range.
WorldModelConfig config_from_json(const nlohmann::json& json, const std::string& where);
// Applies "section.field=value" overrides (value as JSON, else as a string) to a config's JSON.
// Throws uw::Error naming the override when it is malformed.
void apply_overrides(nlohmann::json& json, std::span<const std::string> overrides);

// The folder of built-in configs: $UMWELT_CONFIG_DIR when set, else the source tree's
// agents/configs/.
std::filesystem::path default_config_dir();
// The built-in config for an env's dataset: configs/<env id>.json, else configs/default.json;
// for a dataset with pictures configs/<env id>-pixels.json, else configs/default-pixels.json.
std::filesystem::path builtin_config_path(const std::string& env_id, bool pixels);
// Reads a config file; throws uw::Error naming it.
nlohmann::json read_config_file(const std::filesystem::path& path);

}  // namespace uw::agents
