#include "envs/bullet_env.h"

#include "core/error.h"

namespace uw::envs {

BulletEnv::BulletEnv(std::shared_ptr<const sim::BulletScene> scene, EnvSpec spec,
                     std::optional<Space> action_space)
    : TaskEnv(std::move(spec)), world_(std::move(scene)) {
  if (!action_space) action_space = control_space(world_.control_bounds());
  finish_spec("bullet", world_.scene().timestep, std::move(*action_space));
  if (sensors_on()) {
    // per-body contact-force sums are yet to come (they must be part of the saved state)
    throw Error("option 'sensors' of env '" + TaskEnv::spec().id +
                "' = 1: Bullet envs have no sensor readings yet; only MuJoCo envs take it");
  }
}

const sim::BulletWorld* bullet_world_of(const Env& env) {
  return env.world() != nullptr ? env.world()->as_bullet() : nullptr;
}

}  // namespace uw::envs
