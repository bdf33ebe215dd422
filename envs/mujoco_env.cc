#include "envs/mujoco_env.h"

namespace uw::envs {

MujocoEnv::MujocoEnv(std::shared_ptr<const sim::MujocoModel> model, EnvSpec spec)
    : TaskEnv(std::move(spec)), world_(std::move(model)) {
  finish_spec("mujoco", world_.model()->opt.timestep, control_space(world_.control_bounds()));
}

void MujocoEnv::set_goal(std::span<const float> goal, FunctionRef<void(mjData*)> goal_pose) {
  TaskEnv::set_goal(goal, [&] { goal_pose(world_.data()); });
}

std::string MujocoEnv::engine_warnings() const {
  std::string warnings = world_.shared_model()->load_warning();
  const std::string runtime = world_.warnings();
  if (!warnings.empty() && !runtime.empty()) warnings += "; ";
  return warnings + runtime;
}

const sim::MujocoWorld* mujoco_world_of(const Env& env) {
  return env.world() != nullptr ? env.world()->as_mujoco() : nullptr;
}

}  // namespace uw::envs
