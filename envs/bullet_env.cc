#include "envs/bullet_env.h"

namespace uw::envs {

template <class Base>
BulletEnv<Base>::BulletEnv(WorldSource scene, EnvSpec spec, std::optional<Space> action_space)
    : TaskEnv<Base>(std::move(spec)), world_(std::move(scene)) {
  if (!action_space) action_space = control_space(world_.control_bounds());
  this->finish_spec("bullet", world_.scene().timestep, std::move(*action_space));
}

template class BulletEnv<Env>;
template class BulletEnv<GoalEnv>;

const sim::BulletWorld* bullet_world_of(const Env& env) {
  if (const auto* plain = dynamic_cast<const BulletEnv<Env>*>(&env)) return &plain->world();
  if (const auto* goal = dynamic_cast<const BulletEnv<GoalEnv>*>(&env)) return &goal->world();
  return nullptr;
}

}  // namespace uw::envs
