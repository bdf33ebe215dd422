#include "envs/task_env.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "core/error.h"
#include "sim/versions.h"

namespace uw::envs {
namespace {

double squared_distance(std::span<const float> a, std::span<const float> b) {
  double squared = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = static_cast<double>(a[i]) - b[i];
    squared += d * d;
  }
  return squared;
}

// Env state after the world's: elapsed steps, started, episode over, then the generator as
// 32-bit halves (each exact in a double), then goal and goal observation.
constexpr int kFlagValues = 3;
constexpr int kRngValues = 2 * std::tuple_size_v<decltype(Rng(0).state())>;

uint64_t read_u64(const double* in) {
  return (static_cast<uint64_t>(in[0]) << 32) | static_cast<uint64_t>(in[1]);
}

bool is_u32(double x) { return x >= 0 && x <= 4294967295.0 && x == std::floor(x); }

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

std::vector<OptionSpec> task_options(int default_substeps, int default_max_steps) {
  return {
      {"substeps", std::to_string(default_substeps), "physics steps per env step"},
      {"max_steps", std::to_string(default_max_steps), "env steps before truncation"},
      {"sensors", "0", "append sensor readings to the observation (MuJoCo: the model's <sensor>s)"},
  };
}

std::vector<OptionSpec> goal_task_options(int default_substeps, int default_max_steps) {
  std::vector<OptionSpec> options = task_options(default_substeps, default_max_steps);
  options.push_back({"terminate_on_success", "0", "end the episode when the goal is reached"});
  return options;
}

EnvSpec task_spec(const std::string& id, const Options& options, Space observation_space,
                  std::optional<Space> goal_space, bool stochastic_reset) {
  EnvSpec spec;
  spec.id = id;
  spec.options = options;
  spec.substeps = static_cast<int>(options.get_int("substeps", 1, 1'000'000));
  spec.max_episode_steps = static_cast<int>(options.get_int("max_steps", 1, 1'000'000'000));
  spec.observation_space = std::move(observation_space);
  spec.goal_space = std::move(goal_space);
  spec.stochastic_reset = stochastic_reset;
  return spec;
}

Space control_space(const sim::Bounds& bounds) {
  return Space::box({static_cast<int64_t>(bounds.low.size())}, outward_floats(bounds.low, -1.0),
                    outward_floats(bounds.high, +1.0));
}

TaskEnv::TaskEnv(EnvSpec spec) : spec_(std::move(spec)) {
  UW_CHECK(spec_.substeps >= 1 && spec_.max_episode_steps >= 1, "task spec without limits");
}

void TaskEnv::finish_spec(std::string engine, double physics_dt, Space action_space,
                          const std::vector<ObservationField>& sensors) {
  task_obs_size_ = spec_.observation_space.flat_size();
  sensors_on_ = spec_.options.contains("sensors") && spec_.options.get_bool("sensors");
  if (sensors_on_) {
    if (sensors.empty()) {
      throw Error("option 'sensors' of env '" + spec_.id + "' = 1: its " + engine +
                  " model has no sensors to read");
    }
    int64_t size = 0;
    for (const ObservationField& f : sensors) {
      spec_.sensor_fields.push_back({f.name, task_obs_size_ + f.offset, f.size});
      size = std::max(size, f.offset + f.size);
    }
    const Space& task = spec_.observation_space;
    std::vector<float> low(task.low().begin(), task.low().end());
    std::vector<float> high(task.high().begin(), task.high().end());
    low.resize(task_obs_size_ + size, -INFINITY);
    high.resize(task_obs_size_ + size, INFINITY);
    spec_.observation_space = Space::box({task_obs_size_ + size}, low, high);
  }
  terminate_on_success_ = spec_.goal_space && spec_.options.contains("terminate_on_success") &&
                          spec_.options.get_bool("terminate_on_success");
  spec_.engine = std::move(engine);
  spec_.engine_versions = sim::engine_versions_for(spec_.engine);
  spec_.physics_dt = physics_dt;
  spec_.action_space = std::move(action_space);
  obs_.assign(spec_.observation_space.flat_size(), 0.0f);
  if (spec_.goal_space) {
    goal_values_.assign(spec_.goal_space->flat_size(), 0.0f);
    goal_obs_.assign(spec_.observation_space.flat_size(), 0.0f);
  }
  action_.assign(spec_.action_space.flat_size(), 0.0f);
  control_.assign(base_world().control_size(), 0.0);
}

void TaskEnv::apply_action(std::span<const float> action) {
  UW_CHECK(action.size() == control_.size(), "the action is not the world's controls");
  std::copy(action.begin(), action.end(), control_.begin());
  base_world().set_control(control_);
}

void TaskEnv::set_goal(std::span<const float> goal, FunctionRef<void()> goal_pose) {
  UW_CHECK(spec_.goal_space && static_cast<int64_t>(goal.size()) == spec_.goal_space->flat_size(),
           "goal does not match the goal space of " + spec_.id);
  std::copy(goal.begin(), goal.end(), goal_values_.begin());
  pose_scratch_.resize(base_world().state_size());
  base_world().save_state_to(pose_scratch_);
  goal_pose();
  refresh_world();
  observe_all(goal_obs_);
  if (goal_request_) {
    goal_picture_.resize(static_cast<size_t>(goal_request_->width) * goal_request_->height * 3);
    render_into(*goal_request_, goal_picture_);
  }
  base_world().restore_state(pose_scratch_);
}

bool TaskEnv::pose_observation(std::span<const float> obs) {
  if (static_cast<int64_t>(obs.size()) != spec_.observation_space.flat_size()) {
    throw Error("env " + spec_.id + ": cannot pose an observation of " +
                std::to_string(obs.size()) + " values, expected " +
                std::to_string(spec_.observation_space.flat_size()));
  }
  if (!pose_task(obs)) return false;
  refresh_world();
  observe_all(obs_);
  return true;
}

void TaskEnv::draw_goal_pictures(const RenderRequest& request) {
  if (!spec_.goal_space) return;
  goal_camera_ = std::string(request.camera);
  goal_request_ = request;
  goal_request_->camera = goal_camera_;
  goal_picture_.clear();  // the current goal was not drawn
}

TimeStep TaskEnv::reset(std::optional<uint64_t> seed) {
  if (seed) rng_ = Rng(*seed);
  reset_world();
  reset_task(rng_);
  refresh_world();
  if (!base_world().health().ok) {
    // the initial state itself is broken (a bad keyframe, a model that cannot settle)
    started_ = false;
    throw Error("env " + spec_.id +
                ": the physics faulted during reset: " + base_world().health().fault);
  }
  elapsed_steps_ = 0;
  started_ = true;
  episode_over_ = false;
  observe_all(obs_);
  return current_step();
}

std::string TaskEnv::action_error(std::span<const float> action) const {
  if (static_cast<int64_t>(action.size()) != spec_.action_space.flat_size()) {
    return "action has " + std::to_string(action.size()) + " values, expected " +
           std::to_string(spec_.action_space.flat_size());
  }
  for (size_t i = 0; i < action.size(); ++i) {
    if (!std::isfinite(action[i])) {
      return "action[" + std::to_string(i) + "] is " + (std::isnan(action[i]) ? "NaN" : "infinite");
    }
  }
  return {};
}

TimeStep TaskEnv::step(std::span<const float> action) {
  if (!started_) throw Error("env " + spec_.id + ": step() before reset()");
  if (episode_over_) throw Error("env " + spec_.id + ": step() after the episode ended; reset()");
  if (std::string error = action_error(action); !error.empty()) {
    throw Error("env " + spec_.id + ": " + error);
  }
  std::copy(action.begin(), action.end(), action_.begin());
  spec_.action_space.clip(action_);
  apply_action(action_);
  sim::World& world = base_world();
  world.step(spec_.substeps);
  after_step();
  ++elapsed_steps_;
  observe_all(obs_);

  TimeStep result;
  result.obs = obs_;
  result.info.success = success_now();
  if (!world.health().ok) {
    // the world was reset to its default state, which says nothing about the goal
    if (result.info.success) result.info.success = false;
    result.truncated = true;
    result.info.reason = EndReason::kPhysics;
    result.info.detail = world.health().fault;
  } else {
    result.reward = reward(action_);
    if (!std::isfinite(result.reward)) {
      result.reward = 0.0f;
      result.truncated = true;
      result.info.reason = EndReason::kPhysics;
      result.info.detail = "the task reward is not finite";
    } else {
      result.info.reason = end_condition();
      if (result.info.reason == EndReason::kNone && terminate_on_success_ && *result.info.success) {
        result.info.reason = EndReason::kSuccess;
      }
      result.terminated = result.info.reason != EndReason::kNone;
      if (elapsed_steps_ >= spec_.max_episode_steps) {
        result.truncated = true;
        if (!result.terminated) result.info.reason = EndReason::kTimeLimit;
      }
    }
  }
  episode_over_ = result.done();
  return result;
}

void TaskEnv::observe_all(std::span<float> obs) const {
  observe(obs.first(task_obs_size_));
  if (sensors_on_) observe_sensors(obs.subspan(task_obs_size_));
}

TimeStep TaskEnv::current_step() const {
  TimeStep result;
  result.obs = obs_;
  result.info.success = success_now();
  return result;
}

std::vector<double> TaskEnv::save_state() const {
  std::vector<double> state(state_size());
  save_state_to(state);
  return state;
}

int64_t TaskEnv::state_size() const {
  return base_world().state_size() + kFlagValues + kRngValues +
         static_cast<int64_t>(goal_values_.size() + goal_obs_.size());
}

void TaskEnv::save_state_to(std::span<double> state) const {
  if (static_cast<int64_t>(state.size()) != state_size()) {
    throw Error("env " + spec_.id + ": a state buffer of " + std::to_string(state.size()) +
                " values, expected " + std::to_string(state_size()));
  }
  const auto world_size = static_cast<size_t>(base_world().state_size());
  base_world().save_state_to(state.first(world_size));
  double* out = state.data() + world_size;
  *out++ = elapsed_steps_;
  *out++ = started_ ? 1.0 : 0.0;
  *out++ = episode_over_ ? 1.0 : 0.0;
  for (uint64_t word : rng_.state()) {
    *out++ = static_cast<double>(word >> 32);
    *out++ = static_cast<double>(word & 0xffffffffULL);
  }
  out = std::copy(goal_values_.begin(), goal_values_.end(), out);
  std::copy(goal_obs_.begin(), goal_obs_.end(), out);
}

void TaskEnv::restore_state(std::span<const double> state) {
  const size_t extra = kFlagValues + kRngValues + goal_values_.size() + goal_obs_.size();
  auto fail = [&](const std::string& what) {
    throw Error("env " + spec_.id + ": cannot restore state: " + what);
  };
  if (static_cast<int64_t>(state.size()) != state_size()) {
    fail("it has " + std::to_string(state.size()) + " values, expected " +
         std::to_string(state_size()));
  }
  const size_t world_size = state.size() - extra;
  const double* tail = state.data() + world_size;
  const double elapsed = tail[0];
  if (!(elapsed >= 0 && elapsed <= spec_.max_episode_steps && elapsed == std::floor(elapsed))) {
    fail("elapsed steps " + std::to_string(elapsed) + " is not an integer in [0, " +
         std::to_string(spec_.max_episode_steps) + "]");
  }
  const char* flag_names[] = {"", "started", "episode over"};
  for (int i = 1; i < kFlagValues; ++i) {
    if (tail[i] != 0.0 && tail[i] != 1.0) {
      fail(std::string("the '") + flag_names[i] + "' flag is " + std::to_string(tail[i]) +
           ", expected 0 or 1");
    }
  }
  for (int i = 0; i < kRngValues; ++i) {
    if (!is_u32(tail[kFlagValues + i])) {
      fail("generator value " + std::to_string(i) + " = " + std::to_string(tail[kFlagValues + i]) +
           " is not an integer in [0, 2^32)");
    }
  }
  const double* goal = tail + kFlagValues + kRngValues;
  for (size_t i = 0; i < goal_values_.size() + goal_obs_.size(); ++i) {
    if (!(std::abs(goal[i]) <= std::numeric_limits<float>::max())) {
      fail("goal value " + std::to_string(i) + " = " + std::to_string(goal[i]) +
           " is not a finite float");
    }
  }
  try {
    base_world().restore_state(state.first(world_size));
  } catch (const Error& e) {
    fail(e.what());
  }
  elapsed_steps_ = static_cast<int>(elapsed);
  started_ = tail[1] != 0.0;
  episode_over_ = tail[2] != 0.0;
  decltype(rng_.state()) rng_state;
  for (size_t i = 0; i < rng_state.size(); ++i) rng_state[i] = read_u64(tail + kFlagValues + 2 * i);
  rng_.set_state(rng_state);
  const size_t goal_size = goal_values_.size();
  // another goal: its picture cannot be drawn without the task posing it (see Goal::pixels)
  if (!std::equal(goal_values_.begin(), goal_values_.end(), goal)) goal_picture_.clear();
  std::copy(goal, goal + goal_size, goal_values_.begin());
  std::copy(goal + goal_size, goal + goal_size + goal_obs_.size(), goal_obs_.begin());
  observe_all(obs_);
}

std::unique_ptr<Env> TaskEnv::clone() const {
  UW_CHECK(twin_factory_ != nullptr, "env " + spec_.id + " was not made by make_task");
  std::unique_ptr<Env> twin = twin_factory_();
  twin->restore_state(save_state());
  return twin;
}

void TaskEnv::use_goal_slice(int offset, float radius) {
  UW_CHECK(spec_.goal_space.has_value(), "a goal slice needs a goal space");
  UW_CHECK(
      offset >= 0 && offset + spec_.goal_space->flat_size() <= spec_.observation_space.flat_size(),
      "achieved goal outside the observation");
  goal_offset_ = offset;
  goal_radius_ = radius;
}

void TaskEnv::achieved_goal(std::span<const float> obs, std::span<float> out) const {
  UW_CHECK(goal_offset_ >= 0,
           "goal task " + spec_.id + " has neither a goal slice nor its own test");
  std::copy_n(obs.begin() + goal_offset_, out.size(), out.begin());
}

double TaskEnv::squared_slice_distance(std::span<const float> obs,
                                       std::span<const float> goal) const {
  UW_CHECK(goal_offset_ >= 0,
           "goal task " + spec_.id + " has neither a goal slice nor its own test");
  return squared_distance(obs.subspan(static_cast<size_t>(goal_offset_), goal.size()), goal);
}

double TaskEnv::slice_distance(std::span<const float> obs, std::span<const float> goal) const {
  return std::sqrt(squared_slice_distance(obs, goal));
}

double TaskEnv::planning_cost(std::span<const float> obs, std::span<const float> goal) const {
  if (goal_offset_ >= 0) return squared_slice_distance(obs, goal);
  std::vector<float> achieved(goal.size());
  achieved_goal(obs, achieved);
  return squared_distance(achieved, goal);
}

bool TaskEnv::goal_reached(std::span<const float> obs, std::span<const float> goal) const {
  return slice_distance(obs, goal) <= goal_radius_;
}

float TaskEnv::goal_distance() const {
  return static_cast<float>(slice_distance(obs_, goal_values_));
}

std::optional<bool> TaskEnv::success_now() const {
  if (!spec_.goal_space) return std::nullopt;
  return goal_reached(obs_, goal_values_);
}

void TaskEnv::TaskGoal::check_sizes(const char* what, std::span<const float> obs,
                                    size_t other) const {
  const EnvSpec& spec = env_.spec_;
  if (obs.size() != static_cast<size_t>(spec.observation_space.flat_size()) ||
      other != static_cast<size_t>(spec.goal_space->flat_size())) {
    throw Error("env " + spec.id + ": " + what + " takes an observation of " +
                std::to_string(spec.observation_space.flat_size()) + " values and a goal of " +
                std::to_string(spec.goal_space->flat_size()) + ", got " +
                std::to_string(obs.size()) + " and " + std::to_string(other));
  }
}

void TaskEnv::TaskGoal::achieved(std::span<const float> obs, std::span<float> out) const {
  check_sizes("achieved", obs, out.size());
  env_.achieved_goal(obs, out);
}

bool TaskEnv::TaskGoal::success(std::span<const float> obs, std::span<const float> goal) const {
  check_sizes("success", obs, goal.size());
  return env_.goal_reached(obs, goal);
}

double TaskEnv::TaskGoal::cost(std::span<const float> obs, std::span<const float> goal) const {
  check_sizes("cost", obs, goal.size());
  return env_.planning_cost(obs, goal);
}

}  // namespace uw::envs
