#include "agents/agent.h"

#include <algorithm>
#include <chrono>

#include "core/error.h"

namespace uw::agents {

double squared_goal_distance(const envs::Env& env, std::span<float> achieved) {
  const envs::Goal& goal = *env.goal();
  goal.achieved(env.observation(), achieved);
  const std::span<const float> target = goal.values();
  double d = 0;
  for (size_t i = 0; i < achieved.size(); ++i) {
    d += (achieved[i] - target[i]) * (achieved[i] - target[i]);
  }
  return d;
}

PolicyAgent::PolicyAgent(std::unique_ptr<envs::Policy> policy, const envs::EnvSpec& spec)
    : policy_(std::move(policy)),
      action_space_(spec.action_space),
      unit_(static_cast<size_t>(spec.action_space.flat_size())) {}

void PolicyAgent::reset(const envs::Env&, uint64_t seed) { policy_->reset(0, seed); }

void PolicyAgent::act(const envs::Env& env, std::span<float> action) {
  const envs::Goal* goal = env.goal();
  policy_->act(env.observation(), goal ? goal->values() : std::span<const float>(), unit_);
  envs::to_action_space(action_space_, unit_, action);
  ++stats_.actions;
}

MpcAgent::MpcAgent(const PlannerConfig& planner, const envs::Space& action_space,
                   std::unique_ptr<MpcObjective> objective)
    : planner_(planner, action_space.flat_size()),
      action_space_(action_space),
      objective_(std::move(objective)) {}

void MpcAgent::reset(const envs::Env& env, uint64_t seed) {
  planner_.reset(seed);
  objective_->begin_episode(env);
  plan_.clear();
  step_ = 0;
  next_ = 0;
}

void MpcAgent::act(const envs::Env& env, std::span<float> action) {
  unit_.resize(action.size());
  act_normalised(env, unit_);
  envs::to_action_space(action_space_, unit_, action);
}

void MpcAgent::act_normalised(const envs::Env& env, std::span<float> unit) {
  const PlannerConfig& c = planner_.config();
  const int64_t a = action_space_.flat_size();
  if (step_ % c.frameskip == 0) {
    const int64_t calls = objective_->predictor_calls();
    const int64_t simulated = objective_->simulated_steps();
    objective_->observe(env);
    if (next_ * a >= static_cast<int64_t>(plan_.size())) {
      if (!plan_.empty()) planner_.shift(c.execute);
      const auto start = std::chrono::steady_clock::now();
      const std::span<const float> plan = planner_.plan(*objective_);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      stats_.plan_seconds += seconds;
      ++stats_.plans;
      if (trace_candidates_ >= 0) {
        keep_trace(env, plan, seconds, objective_->predictor_calls() - calls);
      }
      plan_.assign(plan.begin(), plan.begin() + c.execute * c.frameskip * a);
      next_ = 0;
    }
    stats_.predictor_calls += objective_->predictor_calls() - calls;
    stats_.simulated_steps += objective_->simulated_steps() - simulated;
  }
  UW_CHECK((next_ + 1) * a <= static_cast<int64_t>(plan_.size()), "the plan ran out of actions");
  UW_CHECK(static_cast<int64_t>(unit.size()) == a, "an action of the wrong size");
  const auto from = plan_.begin() + next_ * a;
  std::copy(from, from + a, unit.begin());
  ++next_;
  ++step_;
  ++stats_.actions;
}

void MpcAgent::keep_trace(const envs::Env& env, std::span<const float> plan, double seconds,
                          int64_t predictor_calls) {
  trace_.number = stats_.plans;
  trace_.step = step_;
  trace_.plan.assign(plan.begin(), plan.end());
  trace_.candidates = planner_.best_candidates(trace_candidates_);
  trace_.iteration_costs = planner_.cost_per_iteration();
  trace_.seconds = seconds;
  trace_.predictor_calls = predictor_calls;
  trace_.observation.assign(env.observation().begin(), env.observation().end());
  trace_.pixels.assign(env.pixels().begin(), env.pixels().end());
}

}  // namespace uw::agents
