#include "envs/mujoco_env.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace uw::envs {
namespace {

// Env state after the world's: elapsed steps, started, episode over, then the generator as
// 32-bit halves (each exact in a double), then goal and goal observation.
constexpr int kFlagValues = 3;
constexpr int kRngValues = 10;

void push_u64(std::vector<double>& out, uint64_t x) {
  out.push_back(static_cast<double>(x >> 32));
  out.push_back(static_cast<double>(x & 0xffffffffULL));
}

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

std::vector<OptionSpec> mujoco_task_options(int default_substeps, int default_max_steps) {
  return {
      {"substeps", std::to_string(default_substeps), "MuJoCo steps per env step"},
      {"max_steps", std::to_string(default_max_steps), "env steps before truncation"},
  };
}

EnvSpec mujoco_task_spec(const std::string& id, const Options& options, Space observation_space,
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

std::vector<OptionSpec> goal_task_options(int default_substeps, int default_max_steps) {
  std::vector<OptionSpec> options = mujoco_task_options(default_substeps, default_max_steps);
  options.push_back({"terminate_on_success", "0", "end the episode when the goal is reached"});
  return options;
}

template <class Base>
MujocoEnv<Base>::MujocoEnv(std::shared_ptr<const sim::MujocoModel> model, EnvSpec spec)
    : spec_(std::move(spec)), world_(std::move(model)) {
  const mjModel* m = world_.model();
  spec_.engine = "mujoco";
  spec_.physics_dt = m->opt.timestep;
  const sim::Bounds& bounds = world_.control_bounds();
  spec_.action_space =
      Space::box({m->nu}, outward_floats(bounds.low, -1.0), outward_floats(bounds.high, +1.0));
  UW_CHECK(spec_.substeps >= 1 && spec_.max_episode_steps >= 1, "task spec without limits");
  obs_.assign(spec_.observation_space.flat_size(), 0.0f);
  if (spec_.goal_space) {
    goal_.assign(spec_.goal_space->flat_size(), 0.0f);
    goal_obs_.assign(spec_.observation_space.flat_size(), 0.0f);
  }
  action_.assign(m->nu, 0.0f);
  control_.assign(m->nu, 0.0);
  pose_scratch_.assign(world_.state_size(), 0.0);
}

template <class Base>
void MujocoEnv<Base>::set_goal(std::span<const float> goal, FunctionRef<void(mjData*)> goal_pose) {
  UW_CHECK(spec_.goal_space && static_cast<int64_t>(goal.size()) == spec_.goal_space->flat_size(),
           "goal does not match the goal space of " + spec_.id);
  std::copy(goal.begin(), goal.end(), goal_.begin());
  world_.save_state_to(pose_scratch_);
  goal_pose(world_.data());
  world_.forward();
  observe(goal_obs_);
  world_.restore_state(pose_scratch_);
}

template <class Base>
TimeStep MujocoEnv<Base>::reset(std::optional<uint64_t> seed) {
  if (seed) rng_ = Rng(*seed);
  world_.reset();
  reset_task(rng_);
  world_.forward();
  if (!world_.health().ok) {
    // the initial state itself is broken (a bad keyframe, a model that cannot settle)
    started_ = false;
    throw Error("env " + spec_.id + ": the physics faulted during reset: " + world_.health().fault);
  }
  elapsed_steps_ = 0;
  started_ = true;
  episode_over_ = false;
  observe(obs_);
  return current_step();
}

template <class Base>
std::string MujocoEnv<Base>::action_error(std::span<const float> action) const {
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

template <class Base>
TimeStep MujocoEnv<Base>::step(std::span<const float> action) {
  if (!started_) throw Error("env " + spec_.id + ": step() before reset()");
  if (episode_over_) throw Error("env " + spec_.id + ": step() after the episode ended; reset()");
  if (std::string error = action_error(action); !error.empty()) {
    throw Error("env " + spec_.id + ": " + error);
  }
  std::copy(action.begin(), action.end(), action_.begin());
  spec_.action_space.clip(action_);
  std::copy(action_.begin(), action_.end(), control_.begin());
  world_.set_control(control_);
  world_.step(spec_.substeps);
  if (positions_needed_) world_.kinematics();
  ++elapsed_steps_;
  observe(obs_);

  TimeStep result;
  result.obs = obs_;
  result.info.success = success_now();
  if (!world_.health().ok) {
    // the world was reset to its default state, which says nothing about the goal
    if (result.info.success) result.info.success = false;
    result.truncated = true;
    result.info.reason = EndReason::kPhysics;
    result.info.detail = world_.health().fault;
  } else {
    result.reward = reward(action_);
    if (!std::isfinite(result.reward)) {
      result.reward = 0.0f;
      result.truncated = true;
      result.info.reason = EndReason::kPhysics;
      result.info.detail = "the task reward is not finite";
    } else {
      result.info.reason = end_condition();
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

template <class Base>
TimeStep MujocoEnv<Base>::current_step() const {
  TimeStep result;
  result.obs = obs_;
  result.info.success = success_now();
  return result;
}

template <class Base>
std::vector<double> MujocoEnv<Base>::save_state() const {
  std::vector<double> state = world_.save_state();
  state.push_back(elapsed_steps_);
  state.push_back(started_ ? 1.0 : 0.0);
  state.push_back(episode_over_ ? 1.0 : 0.0);
  for (uint64_t word : rng_.state()) push_u64(state, word);
  state.insert(state.end(), goal_.begin(), goal_.end());
  state.insert(state.end(), goal_obs_.begin(), goal_obs_.end());
  return state;
}

template <class Base>
void MujocoEnv<Base>::restore_state(std::span<const double> state) {
  const size_t world_size = world_.state_size();
  const size_t goal_size = spec_.goal_space ? spec_.goal_space->flat_size() : 0;
  const size_t goal_obs_size = spec_.goal_space ? spec_.observation_space.flat_size() : 0;
  const size_t expected = world_size + kFlagValues + kRngValues + goal_size + goal_obs_size;
  auto fail = [&](const std::string& what) {
    throw Error("env " + spec_.id + ": cannot restore state: " + what);
  };
  if (state.size() != expected) {
    fail("it has " + std::to_string(state.size()) + " values, expected " +
         std::to_string(expected));
  }
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
  world_.restore_state(state.first(world_size));
  elapsed_steps_ = static_cast<int>(elapsed);
  started_ = tail[1] != 0.0;
  episode_over_ = tail[2] != 0.0;
  std::array<uint64_t, 5> rng_state;
  for (int i = 0; i < 5; ++i) rng_state[i] = read_u64(tail + kFlagValues + 2 * i);
  rng_.set_state(rng_state);
  const double* goal = tail + kFlagValues + kRngValues;
  goal_.assign(goal, goal + goal_size);
  goal_obs_.assign(goal + goal_size, goal + goal_size + goal_obs_size);
  observe(obs_);
}

template <class Base>
std::string MujocoEnv<Base>::engine_warnings() const {
  std::string warnings = world_.shared_model()->load_warning();
  const std::string runtime = world_.warnings();
  if (!warnings.empty() && !runtime.empty()) warnings += "; ";
  return warnings + runtime;
}

template <class Base>
std::unique_ptr<Env> MujocoEnv<Base>::clone_into(std::unique_ptr<Base> fresh) const {
  fresh->restore_state(save_state());
  return fresh;
}

template class MujocoEnv<Env>;
template class MujocoEnv<GoalEnv>;

const sim::MujocoWorld* mujoco_world_of(const Env& env) {
  if (const auto* plain = dynamic_cast<const MujocoEnv<Env>*>(&env)) return &plain->world();
  if (const auto* goal = dynamic_cast<const MujocoEnv<GoalEnv>*>(&env)) return &goal->world();
  return nullptr;
}

MujocoGoalEnv::MujocoGoalEnv(std::shared_ptr<const sim::MujocoModel> model, EnvSpec spec,
                             int achieved_offset, float success_radius)
    : MujocoEnv<GoalEnv>(std::move(model), std::move(spec)),
      achieved_offset_(achieved_offset),
      success_radius_(success_radius),
      terminate_on_success_(this->spec().options.get_bool("terminate_on_success")) {
  UW_CHECK(this->spec().goal_space.has_value(), "a goal task needs a goal space");
  UW_CHECK(achieved_offset_ + this->spec().goal_space->flat_size() <=
               this->spec().observation_space.flat_size(),
           "achieved goal outside the observation");
}

void MujocoGoalEnv::achieved_goal(std::span<const float> obs, std::span<float> out) const {
  const size_t size = spec().goal_space->flat_size();
  if (obs.size() != static_cast<size_t>(spec().observation_space.flat_size()) ||
      out.size() != size) {
    throw Error("env " + spec().id +
                ": achieved_goal needs an observation and a goal-sized output");
  }
  std::copy_n(obs.begin() + achieved_offset_, size, out.begin());
}

double MujocoGoalEnv::distance_to(std::span<const float> obs, std::span<const float> goal) const {
  double squared = 0.0;
  for (size_t i = 0; i < goal.size(); ++i) {
    const double d = static_cast<double>(obs[achieved_offset_ + i]) - goal[i];
    squared += d * d;
  }
  return std::sqrt(squared);
}

bool MujocoGoalEnv::success(std::span<const float> obs, std::span<const float> goal) const {
  const size_t size = spec().goal_space->flat_size();
  if (obs.size() != static_cast<size_t>(spec().observation_space.flat_size()) ||
      goal.size() != size) {
    throw Error("env " + spec().id + ": success needs an observation and a goal");
  }
  return distance_to(obs, goal) <= success_radius_;
}

float MujocoGoalEnv::goal_distance() const {
  return static_cast<float>(distance_to(observation(), goal()));
}

std::optional<bool> MujocoGoalEnv::success_now() const { return success(observation(), goal()); }

EndReason MujocoGoalEnv::end_condition() const {
  return terminate_on_success_ && *success_now() ? EndReason::kSuccess : EndReason::kNone;
}

}  // namespace uw::envs
