#pragma once

#include <memory>
#include <optional>

#include "envs/task_env.h"
#include "sim/bullet_world.h"

namespace uw::envs {

// A task simulated by Bullet. Actions are the scene's actuator controls within their ranges,
// unless the task gives its own action space and apply_action. With option sensors=1 the
// observation ends with each dynamic body's contact-force sum ("contact_force:<body>", N).
class BulletEnv : public TaskEnv {
 public:
  const sim::BulletWorld* world() const final { return &world_; }

 protected:
  // `spec` as for TaskEnv; engine and physics_dt come from the scene, and the action space too
  // unless `action_space` is given.
  BulletEnv(std::shared_ptr<const sim::BulletScene> scene, EnvSpec spec,
            std::optional<Space> action_space = std::nullopt);

  sim::BulletWorld& mutable_world() { return world_; }

 private:
  sim::World& base_world() final { return world_; }
  void reset_world() final { world_.reset(); }
  void observe_sensors(std::span<float> out) const final;

  sim::BulletWorld world_;
};

// The Bullet world behind an env (through wrappers), or nullptr when it is not a Bullet env.
const sim::BulletWorld* bullet_world_of(const Env& env);

}  // namespace uw::envs
