#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

#include "agents/model_file.h"

namespace uw::agents {

// Memory that one thread's inference calls reuse. Given one, predict, rollout, decode_state,
// infer_actions and the state encoder allocate no tensor memory once it has served a call of
// the same batch size: the planners' hot path. (A pixel encoder's convolutions still allocate.)
// Keep one per thread; the model itself is shared.
class InferenceScratch {
 public:
  InferenceScratch();
  ~InferenceScratch();
  InferenceScratch(InferenceScratch&&) noexcept;
  InferenceScratch& operator=(InferenceScratch&&) noexcept;

 private:
  friend class WorldModel;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A trained world model, loaded once, for planners, evaluation and the viewer. Every call is
// batched (N rows) and const, and may run from several threads at once. Arrays are row-major;
// observations and actions are in the env's own units (the model normalises them). Each call
// takes an optional InferenceScratch; without one it allocates its working memory.
class WorldModel {
 public:
  // Loads and checks a model directory (see load_model_file); with `spec`, also refuses a model
  // trained on another env or other env options, saying which.
  static WorldModel load(const std::filesystem::path& dir, const envs::EnvSpec* spec = nullptr);
  // Builds the model a file describes; throws uw::Error when its weights do not fit the
  // architecture (naming the tensor).
  static WorldModel from_file(ModelFile file);

  WorldModel(WorldModel&&) noexcept;
  WorldModel& operator=(WorldModel&&) noexcept;
  ~WorldModel();

  const ModelFile& file() const;
  int64_t latent_dim() const;
  int64_t frameskip() const;  // F: actions per predictor step
  int64_t history() const;    // H: latents the predictor sees
  int64_t obs_size() const;   // D (0 when the dataset observed pixels only)
  int64_t action_size() const;
  int64_t pixel_size() const;  // H * W * 3 of the pictures it encodes, 0 for state models
  bool has_probe() const { return obs_size() > 0; }
  bool has_inverse_dynamics() const;

  // z [N, Z] from observations [N, D] and/or pictures [N, H, W, 3] (whichever the model reads;
  // the other may be empty).
  void encode(int64_t n, std::span<const float> obs, std::span<const uint8_t> pixels,
              std::span<float> z, InferenceScratch* scratch = nullptr) const;
  // One predictor step: latents [N, H, Z] (oldest first) and action chunks [N, F, A] -> the next
  // latent [N, Z].
  void predict(int64_t n, std::span<const float> history, std::span<const float> chunks,
               std::span<float> next, InferenceScratch* scratch = nullptr) const;
  // `steps` predictor steps open loop: latents [N, H, Z] and chunks [N, steps, F, A] -> the
  // imagined latents [N, steps, Z].
  void rollout(int64_t n, int64_t steps, std::span<const float> history,
               std::span<const float> chunks, std::span<float> latents,
               InferenceScratch* scratch = nullptr) const;
  // The state probe: z [N, Z] -> observations [N, D]. Requires has_probe().
  void decode_state(int64_t n, std::span<const float> z, std::span<float> obs,
                    InferenceScratch* scratch = nullptr) const;
  // For gradient planners: rollout's `steps` imagined latents priced by their squared distance
  // to `goal` [Z] (the last one, or summed over all when `sum`) -> costs [N] and their gradient
  // with respect to the chunks [N, steps, F, A]. Allocates (autograd builds a graph per call).
  void goal_cost_gradient(int64_t n, int64_t steps, std::span<const float> history,
                          std::span<const float> chunks, std::span<const float> goal, bool sum,
                          std::span<float> costs, std::span<float> gradient) const;
  // The inverse-dynamics head: z_t and z_t+1 [N, Z] each -> chunks [N, F, A].
  void infer_actions(int64_t n, std::span<const float> z, std::span<const float> z_next,
                     std::span<float> chunks, InferenceScratch* scratch = nullptr) const;

 private:
  struct Impl;
  explicit WorldModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// LibTorch's threads for one call's work (intra-op), for the whole process. Planners that run
// episodes in parallel set 1.
void set_inference_threads(int threads);

}  // namespace uw::agents
