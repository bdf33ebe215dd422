#include "envs/mujoco_env.h"

#include <cmath>
#include <vector>

namespace uw::envs {
namespace {

// Control bounds as floats rounded away from the range's inside (direction -1 for lower
// bounds, +1 for upper), so that clipping a float action never narrows MuJoCo's ctrlrange:
// a value the float bounds allow but MuJoCo does not is clamped by MuJoCo itself, exactly as a
// raw loop's would be.
std::vector<float> outward_floats(const std::vector<double>& bounds, double direction) {
  std::vector<float> out;
  for (double b : bounds) {
    float f = static_cast<float>(b);
    if (direction * (static_cast<double>(f) - b) < 0) {
      f = std::nextafter(f, static_cast<float>(direction * INFINITY));
    }
    out.push_back(f);
  }
  return out;
}

}  // namespace

template <class Base>
MujocoEnv<Base>::MujocoEnv(WorldSource model, EnvSpec spec)
    : TaskEnv<Base>(std::move(spec)), world_(std::move(model)) {
  const sim::Bounds& bounds = world_.control_bounds();
  this->finish_spec("mujoco", world_.model()->opt.timestep,
                    Space::box({world_.control_size()}, outward_floats(bounds.low, -1.0),
                               outward_floats(bounds.high, +1.0)));
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
