#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "agents/world_model.h"
#include "envs/registry.h"
#include "viewer/scene_view.h"

namespace uw::viewer {

// A world model's imagination made visible: its rollouts from an observation, decoded by the
// model's state probe, posed as ghost bodies in a twin of the env (Env::pose_observation).
class Imaginer {
 public:
  // Loads the model at `dir` for envs of `spec`. Throws uw::Error naming what is wrong: a model
  // of another env or other options, a model without a state probe (nothing to pose), a task
  // that cannot pose its observations.
  Imaginer(const envs::Registry& registry, const std::filesystem::path& dir,
           const envs::EnvSpec& spec);

  const agents::WorldModel& model() const { return model_; }
  int64_t frameskip() const { return model_.frameskip(); }
  int64_t obs_size() const { return model_.obs_size(); }
  int64_t action_size() const { return model_.action_size(); }

  // The probe's decoding [n, steps, D] of the model's rollouts of `chunks` [n, steps, F, A] (env
  // units) from one observation [D] and, for pixel models, its picture.
  void imagine(std::span<const float> obs, std::span<const uint8_t> pixels, int64_t n,
               int64_t steps, std::span<const float> chunks, std::vector<float>& decoded);
  // Poses `obs` [D] (in the env state `state` first when one is given: what the observation
  // does not hold) and adds it to the view as a ghost in `rgba`.
  void add_ghost(SceneView& view, std::span<const float> obs, std::span<const double> state,
                 const std::array<float, 4>& rgba);
  // How far an imagined observation is from the real one: the distance of what they achieve
  // in the goal space for goal tasks, else the RMS difference over the observation.
  double error(std::span<const float> imagined, std::span<const float> real) const;
  // What error() measures, for labels.
  const std::string& error_name() const { return error_name_; }

 private:
  agents::WorldModel model_;
  std::unique_ptr<envs::Env> ghost_;  // the twin posed for drawing, observing state
  std::vector<float> latent_, history_, latents_;
  mutable std::vector<float> achieved_a_, achieved_b_;  // error()'s working memory
  std::string error_name_;
};

// The colour of the i-th of n ghosts of a trajectory: `rgb`, fading with distance ahead.
std::array<float, 4> ghost_colour(const std::array<float, 3>& rgb, int64_t i, int64_t n);

}  // namespace uw::viewer
