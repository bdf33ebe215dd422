// The oracle's objective (agent.h): plans priced by playing them on a copy of the true
// simulator, restored to the env's state before each.
#include <algorithm>

#include "agents/agent.h"
#include "core/error.h"

namespace uw::agents {
namespace {

class OracleObjective : public MpcObjective {
 public:
  explicit OracleObjective(const envs::Env& env)
      : sim_(env.clone()),
        action_space_(env.spec().action_space),
        start_(static_cast<size_t>(env.state_size())),
        action_(static_cast<size_t>(action_space_.flat_size())) {}

  void begin_episode(const envs::Env&) override {}

  void observe(const envs::Env& env) override { env.save_state_to(start_); }

  void score(int64_t n, std::span<const float> sequences, std::span<float> costs) override {
    const auto a = static_cast<size_t>(action_space_.flat_size());
    const size_t length = sequences.size() / static_cast<size_t>(n);
    for (size_t r = 0; r < static_cast<size_t>(n); ++r) {
      sim_->restore_state(start_);
      double reward = 0;
      for (size_t at = r * length; at < (r + 1) * length && !sim_->episode_ended(); at += a) {
        envs::to_action_space(action_space_, sequences.subspan(at, a), action_);
        reward += sim_->step(action_).reward;
        ++simulated_;
      }
      const envs::Goal* goal = sim_->goal();
      costs[r] = static_cast<float>(goal == nullptr ? -reward
                                                    : goal->cost(sim_->observation(), goal->values()));
    }
  }

  int64_t simulated_steps() const override { return simulated_; }

 private:
  std::unique_ptr<envs::Env> sim_;
  envs::Space action_space_;
  std::vector<double> start_;
  std::vector<float> action_;
  int64_t simulated_ = 0;
};

}  // namespace

std::unique_ptr<MpcObjective> make_oracle_objective(const envs::Env& env) {
  return std::make_unique<OracleObjective>(env);
}

}  // namespace uw::agents
