#include "envs/mujoco_env.h"

namespace uw::envs {

template <class Base>
MujocoEnv<Base>::MujocoEnv(WorldSource model, EnvSpec spec)
    : TaskEnv<Base>(std::move(spec)), world_(std::move(model)) {
  this->finish_spec("mujoco", world_.model()->opt.timestep, control_space(world_.control_bounds()));
}

template <class Base>
void MujocoEnv<Base>::set_goal(std::span<const float> goal, FunctionRef<void(mjData*)> goal_pose) {
  TaskEnv<Base>::set_goal(goal, [&] { goal_pose(world_.data()); });
}

template <class Base>
std::string MujocoEnv<Base>::engine_warnings() const {
  std::string warnings = world_.shared_model()->load_warning();
  const std::string runtime = world_.warnings();
  if (!warnings.empty() && !runtime.empty()) warnings += "; ";
  return warnings + runtime;
}

template class MujocoEnv<Env>;
template class MujocoEnv<GoalEnv>;

const sim::MujocoWorld* mujoco_world_of(const Env& env) {
  if (const auto* plain = dynamic_cast<const MujocoEnv<Env>*>(&env)) return &plain->world();
  if (const auto* goal = dynamic_cast<const MujocoEnv<GoalEnv>*>(&env)) return &goal->world();
  return nullptr;
}

}  // namespace uw::envs
