// Planners over action sequences (DESIGN §5): the cross-entropy method, MPPI, random shooting,
// and gradient descent (Adam from several starts) for scorers that give gradients. They know
// nothing of models or simulators: a SequenceScorer prices each candidate, so the latent agents
// and the oracle plan with the same code.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <vector>

#include "core/random.h"

namespace uw::agents {

struct PlannerConfig {
  // "cem", "mppi", "random" (random shooting: one round), or "grad" (Adam on the scorer's
  // gradient from `samples` starts for `iterations` steps: the plan's mean and draws around it)
  std::string method = "cem";
  int64_t horizon = 5;         // chunks planned ahead
  int64_t frameskip = 0;       // actions per chunk; 0 = the model's (the oracle's: 5)
  int64_t samples = 300;       // candidate sequences per iteration
  int64_t elites = 30;         // cem: the best samples the distribution is refitted to
  int64_t iterations = 10;     // cem and mppi
  double init_std = 1.0;       // the sampling std at the start of a plan (actions in [-1, 1])
  double min_std = 0.05;       // the std never shrinks below this
  double momentum = 0.1;       // cem: the weight the previous mean keeps in each refit
  double temperature = 0.1;    // mppi: on costs scaled to [0, 1] within each iteration
  double learning_rate = 0.1;  // grad: Adam's step, in normalised action units
  // grad: CEM iterations first (samples, elites); the descent then starts from their mean and
  // from draws around it with their std. 0 = start from the warm start and draws around it.
  int64_t cem_iterations = 0;
  bool warm_start = true;  // start from the previous plan shifted by what was executed
  int64_t execute = 1;     // chunks executed before replanning (receding horizon)
};

// Reads {"method": ..., ...}; fields left out keep their defaults. Throws uw::Error naming
// `where` and the field: an unknown field, a wrong type, a value out of range.
PlannerConfig planner_config_from_json(const nlohmann::json& json, const std::string& where);
nlohmann::json planner_config_to_json(const PlannerConfig& config);

// Prices candidate action sequences; lower is better. Sequences are [n, horizon, F, A] in
// normalised units ([-1, 1] per dimension, as envs::Policy's), costs [n].
class SequenceScorer {
 public:
  virtual ~SequenceScorer() = default;
  virtual void score(int64_t n, std::span<const float> sequences, std::span<float> costs) = 0;
  // For the gradient planner: costs and d cost / d sequence [n, horizon, F, A]. Scorers without
  // a gradient leave has_gradient() false.
  virtual bool has_gradient() const { return false; }
  virtual void score_with_gradient(int64_t n, std::span<const float> sequences,
                                   std::span<float> costs, std::span<float> gradient);
};

// One planner state for one episode: the sampling distribution of each action of the plan,
// kept between plans as a warm start. Deterministic given its seed. Not thread-safe; one per
// episode being played.
class Planner {
 public:
  // config.frameskip must be resolved (>= 1). Throws uw::Error on a config out of range.
  Planner(const PlannerConfig& config, int64_t action_size);

  const PlannerConfig& config() const { return config_; }
  int64_t sequence_size() const { return horizon_ * frameskip_ * action_size_; }

  // Forgets the previous plan and reseeds (a new episode).
  void reset(uint64_t seed);
  // Plans from scratch or from the warm start; returns the planned sequence [horizon, F, A]
  // (normalised units), valid until the next call: the sampling mean after the last iteration
  // (cem, mppi), or the best candidate (random, grad).
  std::span<const float> plan(SequenceScorer& scorer);
  // The plan's first `chunks` chunks were executed: the warm start becomes the rest, padded
  // with zeros.
  void shift(int64_t chunks);

  // Of the last plan: the lowest cost scored, the lowest after each iteration, and the number
  // of sequences scored.
  float best_cost() const { return best_cost_; }
  const std::vector<float>& cost_per_iteration() const { return iteration_costs_; }
  int64_t sequences_scored() const { return scored_; }
  // The `n` lowest-cost candidates of the last iteration scored (all of them when fewer), best
  // first: [min(n, samples), sequence_size], normalised units. For looking at a plan.
  std::vector<float> best_candidates(int64_t n) const;

 private:
  void sample(int64_t first_row);
  // Iterations of sampling around the mean, scoring, and refitting by `method` (cem, mppi; for
  // random no refit).
  void search(SequenceScorer& scorer, int64_t iterations, const std::string& method);
  void refit_cem();
  void refit_mppi();
  void descend(SequenceScorer& scorer);
  void keep_best();

  PlannerConfig config_;
  int64_t horizon_, frameskip_, action_size_;
  Rng rng_;
  bool warm_ = false;
  std::vector<float> mean_, std_;                  // [sequence_size]
  std::vector<float> samples_;                     // [samples, sequence_size]
  std::vector<float> costs_;                       // [samples]
  std::vector<int64_t> order_;                     // sample indices by cost
  std::vector<double> weights_;                    // mppi
  std::vector<float> gradient_, adam_m_, adam_v_;  // grad: [samples, sequence_size]
  std::vector<float> best_;                        // the best sample seen in this plan
  std::vector<float> result_;
  float best_cost_ = 0;
  std::vector<float> iteration_costs_;
  int64_t scored_ = 0;
};

}  // namespace uw::agents
