// The latent agents' objective (agent.h): plans priced by the world model's imagination.
#include <algorithm>
#include <cmath>
#include <map>

#include "agents/agent.h"
#include "agents/world_model.h"
#include "core/error.h"

namespace uw::agents {
namespace {

// What a plan's imagined latents are priced by.
enum class Cost {
  kFinal,     // the last latent's squared distance to the encoded goal
  kSum,       // the same summed over the horizon
  kProbe,     // the task's planning cost of what the state probe decodes from the last latent
  kProbeSum,  // the same summed over the horizon: reaching the goal sooner is cheaper
};

bool by_probe(Cost cost) { return cost == Cost::kProbe || cost == Cost::kProbeSum; }

const std::map<std::string, Cost>& cost_names() {
  static const std::map<std::string, Cost> names = {{"final", Cost::kFinal},
                                                    {"sum", Cost::kSum},
                                                    {"probe", Cost::kProbe},
                                                    {"probe_sum", Cost::kProbeSum}};
  return names;
}

class LatentGoalObjective : public MpcObjective {
 public:
  LatentGoalObjective(const WorldModel& model, const envs::EnvSpec& spec, int64_t horizon,
                      Cost cost)
      : model_(model),
        action_space_(spec.action_space),
        horizon_(horizon),
        cost_(cost),
        z_(static_cast<size_t>(model.latent_dim())),
        goal_(z_.size()),
        history_(static_cast<size_t>(model.history()) * z_.size()) {
    const envs::Space& space = spec.action_space;
    for (int64_t i = 0; i < space.flat_size(); ++i) {
      const double low = space.low()[i], high = space.high()[i];
      const bool bounded = std::isfinite(low) && std::isfinite(high);
      half_range_.push_back(bounded ? static_cast<float>(0.5 * (high - low)) : 1.0f);
    }
  }

  void begin_episode(const envs::Env& env) override {
    const envs::Goal* goal = env.goal();
    if (goal == nullptr) throw Error(env.spec().id + ": latent goal planning needs a goal task");
    if (model_.pixel_size() > 0 && goal->pixels().empty()) {
      throw Error(env.spec().id +
                  ": the model reads pictures and the env drew no picture of this episode's goal "
                  "(make the env with the model's pixels option, and reset it)");
    }
    encode(goal->observation(), goal->pixels(), goal_);
    goal_task_ = goal;
    fresh_ = true;
  }

  void observe(const envs::Env& env) override {
    encode(env.observation(), env.pixels(), z_);
    const auto z = static_cast<std::ptrdiff_t>(z_.size());
    if (fresh_) {
      for (auto at = history_.begin(); at != history_.end(); at += z) {
        std::copy(z_.begin(), z_.end(), at);
      }
      fresh_ = false;
    } else {
      std::copy(history_.begin() + z, history_.end(), history_.begin());
      std::copy(z_.begin(), z_.end(), history_.end() - z);
    }
  }

  void score(int64_t n, std::span<const float> sequences, std::span<float> costs) override {
    prepare(n, sequences);
    const auto z = static_cast<size_t>(model_.latent_dim());
    latents_.resize(static_cast<size_t>(n * horizon_) * z);
    model_.rollout(n, horizon_, batch_history_, chunks_, latents_, &scratch_);
    predictor_calls_ += n * horizon_;
    if (by_probe(cost_)) {
      score_by_probe(n, costs);
      return;
    }
    for (size_t r = 0; r < static_cast<size_t>(n); ++r) {
      double cost = 0;
      for (int64_t k = cost_ == Cost::kSum ? 0 : horizon_ - 1; k < horizon_; ++k) {
        const float* zk = latents_.data() + (r * static_cast<size_t>(horizon_) + k) * z;
        for (size_t j = 0; j < z; ++j) cost += (zk[j] - goal_[j]) * (zk[j] - goal_[j]);
      }
      costs[r] = static_cast<float>(cost);
    }
  }

  bool has_gradient() const override { return !by_probe(cost_); }

  void score_with_gradient(int64_t n, std::span<const float> sequences, std::span<float> costs,
                           std::span<float> gradient) override {
    prepare(n, sequences);
    model_.goal_cost_gradient(n, horizon_, batch_history_, chunks_, goal_, cost_ == Cost::kSum,
                              costs, gradient);
    predictor_calls_ += n * horizon_;
    // from action units back to normalised ones: d action / d unit is the half-range
    const size_t a = half_range_.size();
    for (size_t i = 0; i < gradient.size(); ++i) gradient[i] *= half_range_[i % a];
  }

  int64_t predictor_calls() const override { return predictor_calls_; }

 private:
  // Decodes each row's last imagined latent (or all of them, for the sum) into an observation
  // and prices it with the task's own planning cost (Goal::cost).
  void score_by_probe(int64_t n, std::span<float> costs) {
    const auto z = static_cast<size_t>(model_.latent_dim());
    const auto rows = static_cast<size_t>(n);
    const auto horizon = static_cast<size_t>(horizon_);
    const size_t steps = cost_ == Cost::kProbeSum ? horizon : 1;  // priced per row
    std::span<const float> priced = latents_;                     // [rows, steps, Z]
    if (steps == 1) {                                             // the last latent of each row
      last_.resize(rows * z);
      for (size_t r = 0; r < rows; ++r) {
        const auto from =
            latents_.begin() + static_cast<std::ptrdiff_t>((r * horizon + horizon - 1) * z);
        std::copy(from, from + static_cast<std::ptrdiff_t>(z),
                  last_.begin() + static_cast<std::ptrdiff_t>(r * z));
      }
      priced = last_;
    }
    const auto d = static_cast<size_t>(model_.obs_size());
    decoded_.resize(rows * steps * d);
    model_.decode_state(static_cast<int64_t>(rows * steps), priced, decoded_, &scratch_);
    const std::span<const float> target = goal_task_->values();
    for (size_t r = 0; r < rows; ++r) {
      double cost = 0;
      for (size_t k = 0; k < steps; ++k) {
        cost += goal_task_->cost(std::span<const float>(decoded_).subspan((r * steps + k) * d, d),
                                 target);
      }
      costs[r] = static_cast<float>(cost);
    }
  }

  // The candidates in action units (chunks_), and the history once per candidate.
  void prepare(int64_t n, std::span<const float> sequences) {
    const size_t a = half_range_.size();
    const auto rows = static_cast<size_t>(n);
    chunks_.resize(sequences.size());
    for (size_t i = 0; i < sequences.size(); i += a) {
      envs::to_action_space(action_space_, sequences.subspan(i, a),
                            std::span(chunks_).subspan(i, a));
    }
    batch_history_.resize(rows * history_.size());
    for (size_t r = 0; r < rows; ++r) {
      std::copy(history_.begin(), history_.end(), batch_history_.begin() + r * history_.size());
    }
  }

  void encode(std::span<const float> obs, std::span<const uint8_t> pixels, std::vector<float>& z) {
    if (model_.pixel_size() > 0 && pixels.empty()) {
      throw Error("latent planning with a pixel model: the env gives no pictures");
    }
    model_.encode(1, model_.obs_size() > 0 ? obs : std::span<const float>(), pixels, z, &scratch_);
  }

  const WorldModel& model_;
  envs::Space action_space_;
  int64_t horizon_;
  Cost cost_;
  std::vector<float> z_, goal_, history_;  // [Z], [Z], [H, Z] oldest first
  const envs::Goal* goal_task_ = nullptr;  // the env's, for the probe cost
  std::vector<float> last_, decoded_;      // the probe cost's last latents, decoded observations
  bool fresh_ = true;
  std::vector<float> half_range_;  // [A]: what one normalised unit is in action units
  std::vector<float> chunks_, batch_history_, latents_;
  InferenceScratch scratch_;
  int64_t predictor_calls_ = 0;
};

}  // namespace

std::unique_ptr<MpcObjective> make_latent_goal_objective(const WorldModel& model,
                                                         const envs::EnvSpec& spec, int64_t horizon,
                                                         const std::string& cost) {
  const auto found = cost_names().find(cost);
  if (found == cost_names().end()) {
    throw Error("objective cost '" + cost + "': expected one of " + latent_costs());
  }
  if (by_probe(found->second) && !model.has_probe()) {
    throw Error("objective cost " + cost +
                ": the model has no state probe (it was trained on pictures "
                "alone; train on pixels_and_state=1 data)");
  }
  if (model.action_size() != spec.action_space.flat_size()) {
    throw Error("the model's actions have " + std::to_string(model.action_size()) +
                " values, the env's " + std::to_string(spec.action_space.flat_size()));
  }
  return std::make_unique<LatentGoalObjective>(model, spec, horizon, found->second);
}

bool is_latent_cost(const std::string& name) { return cost_names().contains(name); }

std::string latent_costs() {
  std::string names;
  for (const auto& [name, cost] : cost_names()) {
    if (!names.empty()) names.append("|");
    names.append(name);
  }
  return names;
}

}  // namespace uw::agents
