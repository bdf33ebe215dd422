#pragma once

#include <memory>
#include <optional>

#include "envs/task_env.h"
#include "sim/bullet_world.h"

namespace uw::envs {

// A task simulated by Bullet. Actions are the scene's actuator controls within their ranges,
// unless the task gives its own action space and apply_action. Base is Env or GoalEnv.
template <class Base>
class BulletEnv : public TaskEnv<Base> {
 public:
  using WorldSource = std::shared_ptr<const sim::BulletScene>;

  const sim::BulletWorld& world() const { return world_; }

 protected:
  // `spec` as for TaskEnv; engine and physics_dt come from the scene, and the action space too
  // unless `action_space` is given.
  BulletEnv(WorldSource scene, EnvSpec spec, std::optional<Space> action_space = std::nullopt);

  sim::BulletWorld& mutable_world() { return world_; }

 private:
  sim::World& base_world() final { return world_; }
  void reset_world() final { world_.reset(); }

  sim::BulletWorld world_;
};

// A Bullet goal task whose achieved goal is a slice of the observation.
using BulletGoalEnv = SliceGoalEnv<BulletEnv<GoalEnv>>;

// The Bullet world behind an env, or nullptr when it is not a Bullet env.
const sim::BulletWorld* bullet_world_of(const Env& env);

}  // namespace uw::envs
