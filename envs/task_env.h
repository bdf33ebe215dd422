#pragma once

#include <functional>
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

// The options every physics task takes, with the task's defaults: substeps, max_steps and
// sensors (append the engine's sensor readings to the observation).
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
// the time limit, physics faults, the env state, seeding, the goal and cloning. An engine's env
// (MujocoEnv, BulletEnv) owns the world and says how it resets; a task says how an episode
// starts, what it observes, what it rewards and when it ends. A task has a goal when its spec
// has a goal space; by default the achieved goal is a slice of the observation reached within
// a radius (use_goal_slice), else the task overrides achieved_goal and goal_reached.
class TaskEnv : public Env {
 public:
  TaskEnv(const TaskEnv&) = delete;  // its Goal refers to it
  TaskEnv& operator=(const TaskEnv&) = delete;

  const EnvSpec& spec() const final { return spec_; }
  TimeStep reset(std::optional<uint64_t> seed) final;
  TimeStep step(std::span<const float> action) final;
  std::vector<double> save_state() const final;
  int64_t state_size() const final;
  void save_state_to(std::span<double> out) const final;
  void restore_state(std::span<const double> state) final;
  bool episode_ended() const final { return episode_over_ || !started_; }
  std::span<const float> observation() const final { return obs_; }
  void render_into(const RenderRequest& request, std::span<uint8_t> rgb) final {
    renderer_.render(base_world(), request, rgb);
  }
  std::vector<std::string> camera_names() const final {
    return EnvRenderer::camera_names(base_world());
  }
  void draw_goal_pictures(const RenderRequest& request) final;
  std::span<const uint8_t> goal_picture() const final { return goal_picture_; }
  const Goal* goal() const final { return spec_.goal_space ? &goal_ : nullptr; }
  bool pose_observation(std::span<const float> obs) final;
  // A twin made by the task's factory (sharing its model) with this env's state restored.
  std::unique_ptr<Env> clone() const final;

  // Registration: how to make a fresh env of this task and options, for clone(). make_task
  // sets it.
  void set_twin_factory(std::function<std::unique_ptr<Env>()> factory) {
    twin_factory_ = std::move(factory);
  }

 protected:
  // `spec` comes with id, observation_space, goal_space (goal tasks), substeps,
  // max_episode_steps, stochastic_reset and options.
  explicit TaskEnv(EnvSpec spec);

  // Engine envs: called once the world exists; completes the spec and sizes the buffers. With
  // option sensors=1, `sensors` (named slices of the engine's readings, offsets from 0) are
  // appended to the observation and declared in the spec.
  void finish_spec(std::string engine, double physics_dt, Space action_space,
                   const std::vector<ObservationField>& sensors = {});
  // Whether the observation ends with the sensor readings (option sensors=1).
  bool sensors_on() const { return sensors_on_; }

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
  // With sensors=1: writes the sensor readings of the current state.
  virtual void observe_sensors(std::span<float>) const {}
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
  // Sets the world's positions from the task's part of an observation, every velocity zero
  // (Env::pose_observation); false for a task that cannot.
  virtual bool pose_task(std::span<const float> /*obs*/) { return false; }
  // Whether the task has ended in the current state (kSuccess or kFailure), else kNone. Goal
  // tasks end with kSuccess at the goal by themselves when terminate_on_success is set.
  virtual EndReason end_condition() const { return EndReason::kNone; }

  // --- goal tasks ---
  // The achieved goal is obs[offset, offset + goal size), reached within `radius` (Euclidean).
  void use_goal_slice(int offset, float radius);
  // The part of an observation compared with the goal; sizes are checked by the caller.
  virtual void achieved_goal(std::span<const float> obs, std::span<float> out) const;
  // Whether an observation reaches a goal; sizes are checked by the caller.
  virtual bool goal_reached(std::span<const float> obs, std::span<const float> goal) const;
  // Goal::cost of an observation; sizes are checked by the caller. By default the squared
  // distance of the achieved goal to `goal`.
  virtual double planning_cost(std::span<const float> obs, std::span<const float> goal) const;
  // Sets the episode's goal, and its goal observation: the observation of the state that
  // `goal_pose` sets up from the current one (which is unchanged afterwards).
  void set_goal(std::span<const float> goal, FunctionRef<void()> goal_pose);
  std::span<const float> goal_values() const { return goal_values_; }
  // Slice goals: the distance from the current achieved goal to the goal.
  float goal_distance() const;

 private:
  // The Goal of this env: its buffers and its task's tests, with the sizes checked.
  class TaskGoal final : public Goal {
   public:
    explicit TaskGoal(const TaskEnv& env) : env_(env) {}
    std::span<const float> values() const override { return env_.goal_values_; }
    std::span<const float> observation() const override { return env_.goal_obs_; }
    void achieved(std::span<const float> obs, std::span<float> out) const override;
    bool success(std::span<const float> obs, std::span<const float> goal) const override;
    double cost(std::span<const float> obs, std::span<const float> goal) const override;
    bool reached() const override { return env_.success_now().value_or(false); }

   private:
    void check_sizes(const char* what, std::span<const float> obs, size_t other) const;
    const TaskEnv& env_;
  };

  TimeStep current_step() const;
  // The task's observation, then the sensor readings when they are on.
  void observe_all(std::span<float> obs) const;
  std::string action_error(std::span<const float> action) const;
  std::optional<bool> success_now() const;
  double slice_distance(std::span<const float> obs, std::span<const float> goal) const;
  double squared_slice_distance(std::span<const float> obs, std::span<const float> goal) const;

  EnvSpec spec_;
  EnvRenderer renderer_;
  TaskGoal goal_{*this};
  std::function<std::unique_ptr<Env>()> twin_factory_;
  Rng rng_{0};
  std::vector<float> obs_;
  std::vector<float> action_;
  std::vector<double> control_;
  std::vector<float> goal_values_;
  std::vector<float> goal_obs_;
  std::vector<double> pose_scratch_;  // set_goal keeps the current state here
  // draw_goal_pictures: how each goal state is drawn (the camera name owned beside it), and
  // the latest picture
  std::optional<RenderRequest> goal_request_;
  std::string goal_camera_;
  std::vector<uint8_t> goal_picture_;
  int goal_offset_ = -1;  // slice goals: where the achieved goal starts
  float goal_radius_ = 0;
  bool terminate_on_success_ = false;
  bool sensors_on_ = false;
  int64_t task_obs_size_ = 0;  // the task's own part of the observation
  int elapsed_steps_ = 0;
  bool started_ = false;
  bool episode_over_ = false;
};

// Makes Task(args...) as an env whose clone() makes another from the same arguments (a shared
// model, the id, the options) and restores the state into it. Registry factories use it.
template <class Task, class... Args>
std::unique_ptr<Env> make_task(const Args&... args) {
  auto env = std::make_unique<Task>(args...);
  env->set_twin_factory([args...] { return make_task<Task>(args...); });
  return env;
}

}  // namespace uw::envs
