#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/function_ref.h"
#include "core/options.h"
#include "core/random.h"
#include "envs/env.h"
#include "envs/env_renderer.h"
#include "sim/world.h"

namespace uw::envs {

// The options every physics task takes, with the task's defaults.
std::vector<OptionSpec> task_options(int default_substeps, int default_max_steps);
// The options of goal tasks: task_options plus terminate_on_success.
std::vector<OptionSpec> goal_task_options(int default_substeps, int default_max_steps);

// A task's spec from its id and resolved options (substeps, max_steps); engine, physics_dt
// and the action space are filled in by the engine's env from its world.
EnvSpec task_spec(const std::string& id, const Options& options, Space observation_space,
                  std::optional<Space> goal_space = std::nullopt, bool stochastic_reset = true);

// The action space of a world's controls: its bounds as floats rounded outward, so that
// clipping a float action never narrows the engine's own range (the engine clamps the rest).
Space control_space(const sim::Bounds& bounds);

// The engine-independent machinery of physics tasks: action checks and clipping, substeps,
// the time limit, physics faults, the env state, seeding. An engine's env (MujocoEnv,
// BulletEnv) owns the world and says how it resets; a task says how an episode starts, what
// it observes, what it rewards and when it ends. Base is Env or GoalEnv.
template <class Base>
class TaskEnv : public Base {
 public:
  const EnvSpec& spec() const final { return spec_; }
  TimeStep reset(std::optional<uint64_t> seed) final;
  TimeStep step(std::span<const float> action) final;
  std::vector<double> save_state() const final;
  void append_state(std::vector<double>& out) const final;
  void restore_state(std::span<const double> state) final;
  std::span<const float> observation() const final { return obs_; }
  void render_into(const RenderRequest& request, std::span<uint8_t> rgb) final {
    renderer_.render(base_world(), request, rgb);
  }
  std::vector<std::string> camera_names() const final {
    return EnvRenderer::camera_names(base_world());
  }

 protected:
  // `spec` comes with id, observation_space, goal_space (goal tasks), substeps,
  // max_episode_steps, stochastic_reset and options.
  explicit TaskEnv(EnvSpec spec);

  // Engine envs: called once the world exists; completes the spec and sizes the buffers.
  void finish_spec(std::string engine, double physics_dt, Space action_space);

  // --- engine hooks ---
  virtual sim::World& base_world() = 0;
  const sim::World& base_world() const { return const_cast<TaskEnv*>(this)->base_world(); }
  // Puts the world in its default state and clears its health.
  virtual void reset_world() = 0;
  // Brings derived quantities (positions, contacts) up to date after the task changed the
  // state, without changing what the next step does.
  virtual void refresh_world() {}
  // Called after the substeps of each env step, before observing.
  virtual void after_step() {}
  // Turns the clipped action into world controls; by default they are the same values.
  virtual void apply_action(std::span<const float> action);

  // --- task hooks ---
  // Sets up a new episode on a world in its default state; draws all randomness from rng.
  // Goal tasks call set_goal().
  virtual void reset_task(Rng& rng) = 0;
  // Writes the observation of the current state.
  virtual void observe(std::span<float> obs) const = 0;
  // The reward of the step just taken with the (clipped) action.
  virtual float reward(std::span<const float> action) const = 0;
  // Whether the task has ended in the current state (kSuccess or kFailure), else kNone.
  virtual EndReason end_condition() const { return EndReason::kNone; }
  // Whether the goal is reached now; goal tasks only.
  virtual std::optional<bool> success_now() const { return std::nullopt; }

  // Goal tasks: sets the episode's goal, and its goal observation: the observation of the
  // state that `goal_pose` sets up from the current one (which is unchanged afterwards).
  void set_goal(std::span<const float> goal, FunctionRef<void()> goal_pose);
  std::span<const float> goal_values() const { return goal_; }
  std::span<const float> goal_observation_values() const { return goal_obs_; }

  // Moves `fresh` (a new env of the same task and options) into this env's state.
  std::unique_ptr<Env> clone_into(std::unique_ptr<Base> fresh) const;

 private:
  TimeStep current_step() const;
  std::string action_error(std::span<const float> action) const;

  EnvSpec spec_;
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
};

// A goal task whose achieved goal is a slice of the observation, reached within a radius (a
// point, a fingertip, a block position). EngineEnv is MujocoEnv<GoalEnv> or BulletEnv<GoalEnv>.
template <class EngineEnv>
class SliceGoalEnv : public EngineEnv {
 public:
  std::span<const float> goal() const final { return this->goal_values(); }
  std::span<const float> goal_observation() const final { return this->goal_observation_values(); }
  void achieved_goal(std::span<const float> obs, std::span<float> out) const final;
  bool success(std::span<const float> obs, std::span<const float> goal) const final;

 protected:
  // The achieved goal is obs[achieved_offset, achieved_offset + goal size); success within
  // success_radius. terminate_on_success comes from the option of that name. `world` and
  // `spec` go to the engine env.
  SliceGoalEnv(typename EngineEnv::WorldSource world, EnvSpec spec, int achieved_offset,
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

// --- SliceGoalEnv, defined here because it is a template over the engine ---

template <class EngineEnv>
SliceGoalEnv<EngineEnv>::SliceGoalEnv(typename EngineEnv::WorldSource world, EnvSpec spec,
                                      int achieved_offset, float success_radius)
    : EngineEnv(std::move(world), std::move(spec)),
      achieved_offset_(achieved_offset),
      success_radius_(success_radius),
      terminate_on_success_(this->spec().options.get_bool("terminate_on_success")) {
  UW_CHECK(this->spec().goal_space.has_value(), "a goal task needs a goal space");
  UW_CHECK(achieved_offset_ + this->spec().goal_space->flat_size() <=
               this->spec().observation_space.flat_size(),
           "achieved goal outside the observation");
}

template <class EngineEnv>
void SliceGoalEnv<EngineEnv>::achieved_goal(std::span<const float> obs,
                                            std::span<float> out) const {
  const size_t size = this->spec().goal_space->flat_size();
  if (obs.size() != static_cast<size_t>(this->spec().observation_space.flat_size()) ||
      out.size() != size) {
    throw Error("env " + this->spec().id +
                ": achieved_goal needs an observation and a goal-sized output");
  }
  std::copy_n(obs.begin() + achieved_offset_, size, out.begin());
}

template <class EngineEnv>
double SliceGoalEnv<EngineEnv>::distance_to(std::span<const float> obs,
                                            std::span<const float> goal) const {
  double squared = 0.0;
  for (size_t i = 0; i < goal.size(); ++i) {
    const double d = static_cast<double>(obs[achieved_offset_ + i]) - goal[i];
    squared += d * d;
  }
  return std::sqrt(squared);
}

template <class EngineEnv>
bool SliceGoalEnv<EngineEnv>::success(std::span<const float> obs,
                                      std::span<const float> goal) const {
  const size_t size = this->spec().goal_space->flat_size();
  if (obs.size() != static_cast<size_t>(this->spec().observation_space.flat_size()) ||
      goal.size() != size) {
    throw Error("env " + this->spec().id + ": success needs an observation and a goal");
  }
  return distance_to(obs, goal) <= success_radius_;
}

template <class EngineEnv>
float SliceGoalEnv<EngineEnv>::goal_distance() const {
  return static_cast<float>(distance_to(this->observation(), goal()));
}

template <class EngineEnv>
std::optional<bool> SliceGoalEnv<EngineEnv>::success_now() const {
  return success(this->observation(), goal());
}

template <class EngineEnv>
EndReason SliceGoalEnv<EngineEnv>::end_condition() const {
  return terminate_on_success_ && *success_now() ? EndReason::kSuccess : EndReason::kNone;
}

}  // namespace uw::envs
