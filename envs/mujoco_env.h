#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "core/function_ref.h"
#include "core/options.h"
#include "core/random.h"
#include "envs/env.h"
#include "envs/env_renderer.h"
#include "envs/registry.h"
#include "sim/mujoco_world.h"

namespace uw::envs {

// The options every MuJoCo task takes, with the task's defaults.
std::vector<OptionSpec> mujoco_task_options(int default_substeps, int default_max_steps);

// A task's spec from its id and resolved options (substeps, max_steps); the rest is filled in
// by MujocoEnv from the model.
EnvSpec mujoco_task_spec(const std::string& id, const Options& options, Space observation_space,
                         std::optional<Space> goal_space = std::nullopt,
                         bool stochastic_reset = true);

// The common machinery of MuJoCo tasks: action checks and clipping, substeps, the time limit,
// physics faults, the env state, seeding. A task says how it starts, what it observes, what it
// rewards and when it ends. Actions are the actuator controls within their ctrlrange.
// Base is Env or GoalEnv.
template <class Base>
class MujocoEnv : public Base {
 public:
  const EnvSpec& spec() const final { return spec_; }
  TimeStep reset(std::optional<uint64_t> seed) final;
  TimeStep step(std::span<const float> action) final;
  std::vector<double> save_state() const final;
  void restore_state(std::span<const double> state) final;
  std::span<const float> observation() const final { return obs_; }
  void render_into(const RenderRequest& request, std::span<uint8_t> rgb) final {
    renderer_.render(world_, request, rgb);
  }
  std::vector<std::string> camera_names() const final { return EnvRenderer::camera_names(world_); }
  std::string engine_warnings() const final;

  const sim::MujocoWorld& world() const { return world_; }

 protected:
  // `spec` comes with id, observation_space, goal_space (goal tasks), substeps,
  // max_episode_steps, stochastic_reset and options; engine, physics_dt and the action space
  // are filled in from the model.
  MujocoEnv(std::shared_ptr<const sim::MujocoModel> model, EnvSpec spec);

  // Sets up a new episode on a world already reset to the model's default state; draws all
  // randomness from rng. Goal tasks call set_goal().
  virtual void reset_task(Rng& rng) = 0;
  // Writes the observation of the current state (positions are up to date).
  virtual void observe(std::span<float> obs) const = 0;
  // The reward of the step just taken with the (clipped) action.
  virtual float reward(std::span<const float> action) const = 0;
  // Whether the task has ended in the current state (kSuccess or kFailure), else kNone.
  virtual EndReason end_condition() const { return EndReason::kNone; }
  // Whether the goal is reached now; goal tasks only.
  virtual std::optional<bool> success_now() const { return std::nullopt; }

  sim::MujocoWorld& mutable_world() { return world_; }
  // Tasks that observe body or site positions (not just qpos/qvel) ask for them to be
  // recomputed after each step; mj_step leaves them one substep behind.
  void observe_positions() { positions_needed_ = true; }
  // Goal tasks: sets the episode's goal, and its goal observation: the observation of the
  // state that `goal_pose` sets up from the current one (which is unchanged afterwards).
  void set_goal(std::span<const float> goal, FunctionRef<void(mjData*)> goal_pose);
  std::span<const float> goal_values() const { return goal_; }
  std::span<const float> goal_observation_values() const { return goal_obs_; }

  // Moves `fresh` (a new env of the same task and options) into this env's state.
  std::unique_ptr<Env> clone_into(std::unique_ptr<Base> fresh) const;

 private:
  TimeStep current_step() const;
  std::string action_error(std::span<const float> action) const;

  EnvSpec spec_;
  sim::MujocoWorld world_;
  EnvRenderer renderer_;
  Rng rng_{0};
  std::vector<float> obs_;
  std::vector<float> action_;
  std::vector<double> control_;
  std::vector<float> goal_;
  std::vector<float> goal_obs_;
  std::vector<double> pose_scratch_;  // set_goal keeps the current state here
  int elapsed_steps_ = 0;
  bool started_ = false;
  bool episode_over_ = false;
  bool positions_needed_ = false;
};

// A MuJoCo goal task whose achieved goal is a slice of the observation, reached within a
// radius (a point, a fingertip, a block position).
class MujocoGoalEnv : public MujocoEnv<GoalEnv> {
 public:
  std::span<const float> goal() const final { return goal_values(); }
  std::span<const float> goal_observation() const final { return goal_observation_values(); }
  void achieved_goal(std::span<const float> obs, std::span<float> out) const final;
  bool success(std::span<const float> obs, std::span<const float> goal) const final;

 protected:
  // The achieved goal is obs[achieved_offset, achieved_offset + goal size); success within
  // success_radius. terminate_on_success comes from the option of that name.
  MujocoGoalEnv(std::shared_ptr<const sim::MujocoModel> model, EnvSpec spec, int achieved_offset,
                float success_radius);

  std::optional<bool> success_now() const override;
  EndReason end_condition() const override;
  float success_radius() const { return success_radius_; }
  // Distance from the achieved goal of the current observation to the goal.
  float goal_distance() const;

 private:
  double distance_to(std::span<const float> obs, std::span<const float> goal) const;

  int achieved_offset_;
  float success_radius_;
  bool terminate_on_success_;
};

// The MuJoCo world behind an env, or nullptr when it is not a MuJoCo env.
const sim::MujocoWorld* mujoco_world_of(const Env& env);

// Options of goal tasks, added to mujoco_task_options.
std::vector<OptionSpec> goal_task_options(int default_substeps, int default_max_steps);

// The registry entry of a task made as Task(model, id, options) from one MJCF file.
template <class Task>
EnvEntry mujoco_task_entry(std::string id, std::string summary, std::vector<OptionSpec> options,
                           std::filesystem::path model_file) {
  return {std::move(id), std::move(summary), std::move(options),
          [model_file](const std::string& id, const Options& options) -> std::unique_ptr<Env> {
            return std::make_unique<Task>(sim::MujocoModel::load(model_file), id, options);
          }};
}

}  // namespace uw::envs
