#include "viewer/imagination.h"

#include <algorithm>
#include <cmath>

#include "agents/agent_factory.h"
#include "core/error.h"

namespace uw::viewer {

Imaginer::Imaginer(const envs::Registry& registry, const std::filesystem::path& dir,
                   const envs::EnvSpec& spec)
    : model_(agents::WorldModel::load(dir, &spec)) {
  // one imagination is a few small calls: more threads only spin beside the renderer's
  agents::set_inference_threads(1);
  if (!model_.has_probe()) {
    throw Error("model " + dir.string() +
                ": it has no state probe (trained on pictures alone), so what it imagines "
                "cannot be drawn");
  }
  ghost_ = registry.make(spec.id, agents::without_pixels(spec.options));
  ghost_->reset(0);
  const std::vector<float> obs(ghost_->observation().begin(), ghost_->observation().end());
  if (static_cast<int64_t>(obs.size()) != model_.obs_size()) {
    throw Error("model " + dir.string() + ": its probe decodes " +
                std::to_string(model_.obs_size()) + " values, " + spec.id + " observes " +
                std::to_string(obs.size()));
  }
  if (!ghost_->pose_observation(obs)) {
    throw Error(spec.id +
                " cannot pose an observation, so a model's imagination of it cannot "
                "be drawn (the reach, push, cartpole and cheetah tasks can)");
  }
  const envs::Goal* goal = ghost_->goal();
  error_name_ = goal != nullptr ? "goal-space distance" : "RMS observation error";
  if (goal != nullptr) {
    achieved_a_.resize(goal->values().size());
    achieved_b_.resize(goal->values().size());
  }
}

void Imaginer::imagine(std::span<const float> obs, std::span<const uint8_t> pixels, int64_t n,
                       int64_t steps, std::span<const float> chunks, std::vector<float>& decoded) {
  const int64_t z = model_.latent_dim(), h = model_.history();
  if (model_.pixel_size() > 0 && static_cast<int64_t>(pixels.size()) != model_.pixel_size()) {
    throw Error("the model reads pictures of " + std::to_string(model_.pixel_size()) +
                " bytes; this step has " + std::to_string(pixels.size()));
  }
  latent_.resize(static_cast<size_t>(z));
  model_.encode(1, obs, pixels, latent_);
  // the history starts as the first latent repeated, as the planners' does
  history_.resize(static_cast<size_t>(n * h * z));
  for (int64_t i = 0; i < n * h; ++i) {
    std::copy(latent_.begin(), latent_.end(), history_.begin() + i * z);
  }
  latents_.resize(static_cast<size_t>(n * steps * z));
  model_.rollout(n, steps, history_, chunks, latents_);
  decoded.resize(static_cast<size_t>(n * steps * model_.obs_size()));
  model_.decode_state(n * steps, latents_, decoded);
}

void Imaginer::add_ghost(SceneView& view, std::span<const float> obs, std::span<const double> state,
                         const std::array<float, 4>& rgba) {
  if (!state.empty() && static_cast<int64_t>(state.size()) == ghost_->state_size()) {
    ghost_->restore_state(state);
  }
  ghost_->pose_observation(obs);
  view.add_ghost(ghost_->world()->draw(), rgba);
}

double Imaginer::error(std::span<const float> imagined, std::span<const float> real) const {
  if (const envs::Goal* goal = ghost_->goal(); goal != nullptr) {
    goal->achieved(imagined, achieved_a_);
    goal->achieved(real, achieved_b_);
    double sum = 0;
    for (size_t i = 0; i < achieved_a_.size(); ++i) {
      sum += (achieved_a_[i] - achieved_b_[i]) * (achieved_a_[i] - achieved_b_[i]);
    }
    return std::sqrt(sum);
  }
  double sum = 0;
  for (size_t i = 0; i < imagined.size(); ++i) {
    sum += (imagined[i] - real[i]) * (imagined[i] - real[i]);
  }
  return std::sqrt(sum / static_cast<double>(std::max<size_t>(1, imagined.size())));
}

std::array<float, 4> ghost_colour(const std::array<float, 3>& rgb, int64_t i, int64_t n) {
  const float ahead = n > 1 ? static_cast<float>(i) / static_cast<float>(n - 1) : 0.0f;
  return {rgb[0], rgb[1], rgb[2], 0.6f - 0.35f * ahead};
}

}  // namespace uw::viewer
