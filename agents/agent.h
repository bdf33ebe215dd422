// Agents that act in an env one episode at a time, for `umwelt eval`: a policy of the datasets
// (random, the scripted controller), or model-predictive control with a planner scoring plans in
// a world model's latent space or on the true simulator (the oracle).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "agents/planner.h"
#include "envs/env.h"
#include "envs/policy.h"

namespace uw::agents {

class WorldModel;

// What an agent spent, summed over its episodes.
struct AgentStats {
  int64_t actions = 0;
  int64_t plans = 0;
  double plan_seconds = 0;      // wall time in the planner
  int64_t predictor_calls = 0;  // latent steps predicted (one row of a batch, one chunk each)
  int64_t simulated_steps = 0;  // env steps the oracle simulated
};

class Agent {
 public:
  virtual ~Agent() = default;
  // Starts an episode: `env` was just reset. All the agent's randomness comes from `seed`.
  virtual void reset(const envs::Env& env, uint64_t seed) = 0;
  // The action for the env's current state, in the env's action units.
  virtual void act(const envs::Env& env, std::span<float> action) = 0;
  const AgentStats& stats() const { return stats_; }

 protected:
  AgentStats stats_;
};

// The squared distance of what the env's current observation achieves to its goal;
// `achieved` is goal-sized working memory. Requires a goal task.
double squared_goal_distance(const envs::Env& env, std::span<float> achieved);

// A policy of envs::make_policy (random, scripted, ...) as an agent of one row.
class PolicyAgent : public Agent {
 public:
  PolicyAgent(std::unique_ptr<envs::Policy> policy, const envs::EnvSpec& spec);
  void reset(const envs::Env& env, uint64_t seed) override;
  void act(const envs::Env& env, std::span<float> action) override;

 private:
  std::unique_ptr<envs::Policy> policy_;
  envs::Space action_space_;
  std::vector<float> unit_;
};

// What an MPC agent plans against: told where the episode starts and, at every chunk boundary,
// where the env is now; then prices plans (SequenceScorer) from there.
class MpcObjective : public SequenceScorer {
 public:
  virtual void begin_episode(const envs::Env& env) = 0;
  // Called every `frameskip` env steps, before any plan made there.
  virtual void observe(const envs::Env& env) = 0;
  virtual int64_t predictor_calls() const { return 0; }
  virtual int64_t simulated_steps() const { return 0; }
};

// One plan of an MPC agent, kept to look at (the viewer's agent mode).
struct PlanTrace {
  int64_t number = 0;                  // the agent's plans so far, this one included
  int64_t step = 0;                    // the env step it was made at, in its episode
  std::vector<float> plan;             // [horizon, F, A], normalised: what the agent follows
  std::vector<float> candidates;       // [n, horizon, F, A]: the best of the last iteration
  std::vector<float> iteration_costs;  // the lowest cost after each iteration
  double seconds = 0;                  // wall time planning
  int64_t predictor_calls = 0;
  std::vector<float> observation;  // what the env observed when the plan was made
  std::vector<uint8_t> pixels;     // and its picture, for pixel envs
};

// Receding-horizon control: at every `execute`-th chunk boundary, plan over `horizon` chunks,
// then execute the first `execute` chunks of the plan; the next plan starts from the rest.
class MpcAgent : public Agent {
 public:
  // planner.frameskip must be resolved.
  MpcAgent(const PlannerConfig& planner, const envs::Space& action_space,
           std::unique_ptr<MpcObjective> objective);
  void reset(const envs::Env& env, uint64_t seed) override;
  void act(const envs::Env& env, std::span<float> action) override;
  // The same action in normalised units ([-1, 1], as envs::Policy's).
  void act_normalised(const envs::Env& env, std::span<float> unit);
  const Planner& planner() const { return planner_; }
  // From now on keep each plan with its `candidates` best candidates (last_trace).
  void keep_traces(int64_t candidates) { trace_candidates_ = candidates; }
  // The latest plan kept, or nullptr before the first.
  const PlanTrace* last_trace() const { return trace_.number > 0 ? &trace_ : nullptr; }

 private:
  void keep_trace(const envs::Env& env, std::span<const float> plan, double seconds,
                  int64_t predictor_calls);

  Planner planner_;
  envs::Space action_space_;
  std::unique_ptr<MpcObjective> objective_;
  std::vector<float> plan_;        // the actions being executed, normalised
  std::vector<float> unit_;        // act's normalised action
  int64_t step_ = 0;               // env steps into the episode
  int64_t next_ = 0;               // the next action of plan_ to execute
  int64_t trace_candidates_ = -1;  // -1: no traces kept
  PlanTrace trace_;
};

// The cost of a plan in a world model's latent space: the squared distance between the
// imagined latent and the encoded goal observation, at the last chunk ("final") or summed over
// the chunks ("sum"); or ("probe") the task's planning cost (Goal::cost) of what the model's
// state probe decodes from the last imagined latent (the task's own measure, read from
// imagination), or that summed over the chunks ("probe_sum"). The model's history starts as
// the first latent repeated. Throws uw::Error on another cost.
std::unique_ptr<MpcObjective> make_latent_goal_objective(const WorldModel& model,
                                                         const envs::EnvSpec& spec, int64_t horizon,
                                                         const std::string& cost = "final");

// Whether make_latent_goal_objective takes `name`; all it takes, as "final|probe|...".
bool is_latent_cost(const std::string& name);
std::string latent_costs();

// The same on the true simulator: a copy of the env restored to the current state plays each
// plan; the cost is the squared distance of what is achieved to the goal at the end (goal
// tasks), else minus the reward summed over the plan.
std::unique_ptr<MpcObjective> make_oracle_objective(const envs::Env& env);

}  // namespace uw::agents
