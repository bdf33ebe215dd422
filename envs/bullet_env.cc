#include "envs/bullet_env.h"

#include "core/error.h"

namespace uw::envs {

BulletEnv::BulletEnv(std::shared_ptr<const sim::BulletScene> scene, EnvSpec spec,
                     std::optional<Space> action_space)
    : TaskEnv(std::move(spec)), world_(std::move(scene)) {
  if (!action_space) action_space = control_space(world_.control_bounds());
  const Options& options = TaskEnv::spec().options;
  std::vector<ObservationField> sensors;
  if (options.contains("sensors") && options.get_bool("sensors")) {
    world_.sense_contact_forces();
    const sim::BulletScene& scene = world_.scene();
    for (const sim::BodyDesc& body : scene.bodies) {
      if (body.mass <= 0) continue;
      const auto slot = static_cast<int64_t>(sensors.size());
      sensors.push_back({"contact_force:" + body.name, slot, 1});
    }
  }
  finish_spec("bullet", world_.scene().timestep, std::move(*action_space), sensors);
}

void BulletEnv::observe_sensors(std::span<float> out) const {
  const std::span<const double> forces = world_.contact_forces();
  for (size_t i = 0; i < forces.size(); ++i) out[i] = static_cast<float>(forces[i]);
}

const sim::BulletWorld* bullet_world_of(const Env& env) {
  return env.world() != nullptr ? env.world()->as_bullet() : nullptr;
}

}  // namespace uw::envs
