#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "core/function_ref.h"
#include "envs/registry.h"
#include "envs/task_env.h"
#include "sim/mujoco_world.h"

namespace uw::envs {

// A task simulated by MuJoCo. Actions are the actuator controls within their ctrlrange. With
// option sensors=1 the observation ends with the model's sensordata, each <sensor> declared in
// the spec by its name (or "<type>[i]" when unnamed); they are recomputed at the state after
// each step (an mj_forward more per step), as after a reset or restore.
class MujocoEnv : public TaskEnv {
 public:
  std::string engine_warnings() const final;
  const sim::MujocoWorld* world() const final { return &world_; }

 protected:
  // `spec` as for TaskEnv; engine, physics_dt and the action space come from the model.
  MujocoEnv(std::shared_ptr<const sim::MujocoModel> model, EnvSpec spec);

  sim::MujocoWorld& mutable_world() { return world_; }
  // Tasks that observe body or site positions (not just qpos/qvel) ask for them to be
  // recomputed after each step; mj_step leaves them one substep behind.
  void observe_positions() { positions_needed_ = true; }
  // For pose_task: the data with every velocity zeroed.
  mjData* still_data();
  // Goal tasks: sets the goal; `goal_pose` poses the data in the goal state.
  void set_goal(std::span<const float> goal, FunctionRef<void(mjData*)> goal_pose);

 private:
  sim::World& base_world() final { return world_; }
  void reset_world() final { world_.reset(); }
  void refresh_world() final { world_.forward(); }
  void after_step() final;
  void observe_sensors(std::span<float> out) const final;

  sim::MujocoWorld world_;
  bool positions_needed_ = false;
};

// The MuJoCo world behind an env (through wrappers), or nullptr when it is not a MuJoCo env.
const sim::MujocoWorld* mujoco_world_of(const Env& env);

// The registry entry of a task made as Task(model, id, options) from one MJCF file.
template <class Task>
EnvEntry mujoco_task_entry(std::string id, std::string summary, std::vector<OptionSpec> options,
                           std::filesystem::path model_file) {
  return {std::move(id), std::move(summary), std::move(options),
          [model_file](const std::string& id, const Options& options) {
            return make_task<Task>(sim::MujocoModel::load(model_file), id, options);
          }};
}

}  // namespace uw::envs
