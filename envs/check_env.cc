#include "envs/check_env.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/random.h"
#include "core/same_bits.h"

namespace uw::envs {
namespace {

// What an env returned over a run, compared bit for bit.
struct Trajectory {
  std::vector<float> obs;
  std::vector<uint8_t> pixels;
  std::vector<float> rewards;
  std::vector<int> flags;  // terminated, truncated, reason, success per step

  bool operator==(const Trajectory& other) const;
};

bool same_pixels(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

// Whether every pixel has the same colour: nothing in view.
bool one_colour(std::span<const uint8_t> rgb) {
  for (size_t i = 3; i < rgb.size(); ++i) {
    if (rgb[i] != rgb[i % 3]) return false;
  }
  return true;
}

bool Trajectory::operator==(const Trajectory& other) const {
  return same_bits(obs, other.obs) && pixels == other.pixels && same_bits(rewards, other.rewards) &&
         flags == other.flags;
}

// Whether a call throws uw::Error (the error tier for bad input).
template <class F>
bool throws_error(F&& call) {
  try {
    call();
  } catch (const Error&) {
    return true;
  }
  return false;
}

int success_code(const TimeStep& step) {
  return step.info.success ? static_cast<int>(*step.info.success) : -1;
}

class Checker {
 public:
  Checker(const std::function<std::unique_ptr<Env>()>& make, const CheckEnvConfig& config)
      : make_(make), config_(config) {
    auto env = make_();
    spec_ = env->spec();
    report_.env_id = spec_.id;
    action_size_ = static_cast<int>(spec_.action_space.flat_size());
    // a fixed random action sequence, long enough for every run
    Rng rng(config_.seed ^ 0xac710full);
    actions_.resize(size_t(config_.save_after + config_.steps + 1) * action_size_);
    for (size_t t = 0; t * action_size_ < actions_.size(); ++t) {
      spec_.action_space.sample(rng, std::span(actions_).subspan(t * action_size_, action_size_));
    }
  }

  CheckEnvReport run() {
    check("spec", [&] { check_spec(); });
    check("reset", [&] { check_reset(); });
    check("seeds", [&] { check_seeds(); });
    check("determinism", [&] { check_determinism(); });
    check("save_restore", [&] { check_save_restore(); });
    check("clone", [&] { check_clone(); });
    check("clipping", [&] { check_clipping(); });
    check("bad_actions", [&] { check_bad_actions(); });
    check("time_limit", [&] { check_time_limit(); });
    if (spec_.is_goal_task()) {
      check("goal", [&] { check_goal(); });
    } else {
      check("goal",
            [&] { expect(make_()->goal() == nullptr, "goal() is set without a goal space"); });
    }
    return report_;
  }

 private:
  template <class F>
  void check(const std::string& name, F&& body) {
    report_.checks.push_back(name);
    current_ = name;
    try {
      body();
    } catch (const std::exception& e) {
      fail(std::string("threw: ") + e.what());
    }
  }

  void fail(const std::string& what) { report_.failures.push_back(current_ + ": " + what); }
  void expect(bool condition, const std::string& what) {
    if (!condition) fail(what);
  }

  std::span<const float> action(int t) const {
    return std::span(actions_).subspan(size_t(t) * action_size_, action_size_);
  }

  void check_step(const TimeStep& step, int t) {
    if (std::string why = spec_.observation_space.violation(step.obs); !why.empty()) {
      fail("observation of step " + std::to_string(t) + " " + why);
    }
    for (float x : step.obs) {
      if (!std::isfinite(x)) {
        fail("observation of step " + std::to_string(t) + " is not finite");
        break;
      }
    }
    if (!std::isfinite(step.reward)) fail("reward of step " + std::to_string(t) + " is not finite");
    if (step.info.reason == EndReason::kPhysics) {
      fail("physics fault at step " + std::to_string(t) + ": " + step.info.detail);
    }
    if (spec_.is_goal_task() != step.info.success.has_value()) {
      fail("info.success must be set exactly for goal tasks");
    }
    const size_t pixel_size = spec_.has_pixels() ? spec_.pixel_space->flat_size() : 0;
    if (step.pixels.size() != pixel_size) {
      fail("pixels of step " + std::to_string(t) + " have " + std::to_string(step.pixels.size()) +
           " bytes, expected " + std::to_string(pixel_size));
    }
  }

  // Steps from the env's current state with actions first, first + 1, ... until `steps` steps
  // or the end of the episode.
  Trajectory record(Env& env, int first, int steps) {
    Trajectory trajectory;
    for (int t = first; t < first + steps; ++t) {
      const TimeStep step = env.step(action(t));
      check_step(step, t);
      trajectory.obs.insert(trajectory.obs.end(), step.obs.begin(), step.obs.end());
      trajectory.pixels.insert(trajectory.pixels.end(), step.pixels.begin(), step.pixels.end());
      trajectory.rewards.push_back(step.reward);
      trajectory.flags.insert(trajectory.flags.end(),
                              {step.terminated, step.truncated, static_cast<int>(step.info.reason),
                               success_code(step)});
      if (step.done()) break;
    }
    return trajectory;
  }

  // A fresh env, reset with the seed and stepped `save_after` times.
  std::unique_ptr<Env> advanced_env() {
    auto env = make_();
    env->reset(config_.seed);
    for (int t = 0; t < config_.save_after; ++t) {
      if (env->step(action(t)).done()) {
        fail("episode ended within the first " + std::to_string(config_.save_after) + " steps");
        env->reset(config_.seed + 1);
      }
    }
    return env;
  }

  void check_spec() {
    expect(spec_.observation_space.flat_size() > 0 || spec_.has_pixels(),
           "empty observation space and no pixels");
    if (spec_.has_pixels()) {
      const Space& pixels = *spec_.pixel_space;
      expect(pixels.dtype() == Space::Dtype::kUint8 && pixels.shape().size() == 3 &&
                 pixels.shape()[2] == 3,
             "the pixel space is " + pixels.describe() + ", expected uint8 [height, width, 3]");
    }
    expect(spec_.max_episode_steps >= 1, "max_episode_steps < 1");
    expect(spec_.control_dt() > 0, "control_dt is not positive");
    expect(spec_from_json(spec_to_json(spec_)) == spec_, "spec does not survive a JSON round trip");
  }

  void check_reset() {
    auto env = make_();
    const TimeStep first = env->reset(config_.seed);
    check_step(first, 0);
    const std::vector<float> obs(first.obs.begin(), first.obs.end());
    expect(same_bits(env->observation(), obs), "observation() differs from the reset observation");
    const std::vector<uint8_t> pixels(first.pixels.begin(), first.pixels.end());
    expect(same_pixels(env->pixels(), pixels), "pixels() differ from the reset pixels");
    if (spec_.has_pixels()) {
      expect(!one_colour(pixels), "the pixels at reset are all one colour: nothing in view");
    }
    // an episode on a fresh env, then the same after an earlier episode on a used env: nothing
    // may leak from one episode into the next
    const Trajectory fresh = record(*env, 0, config_.steps);
    const TimeStep again = env->reset(config_.seed);
    expect(same_bits(again.obs, obs) && same_pixels(again.pixels, pixels),
           "reset(seed) twice differs");
    expect(record(*env, 0, config_.steps) == fresh,
           "the episode after reset(seed) differs from the first one with that seed");
    expect(same_bits(make_()->reset(config_.seed).obs, obs), "reset(seed) on a fresh env differs");
    expect(first.reward == 0 && !first.terminated && !first.truncated,
           "reset returns a reward or an ended episode");
  }

  // What a seed decides at reset: the first observation (pixels too), and for goal tasks the
  // goal and the goal observation too (a task may start the same way each time and only move the
  // goal).
  std::vector<float> initial_conditions(Env& env, uint64_t seed) {
    const TimeStep first = env.reset(seed);
    std::vector<float> out(first.obs.begin(), first.obs.end());
    out.insert(out.end(), first.pixels.begin(), first.pixels.end());
    if (const Goal* goal = env.goal()) {
      out.insert(out.end(), goal->values().begin(), goal->values().end());
      out.insert(out.end(), goal->observation().begin(), goal->observation().end());
    }
    return out;
  }

  void check_seeds() {
    auto env = make_();
    const std::vector<float> base = initial_conditions(*env, config_.seed);
    // with pixels only, a seed's small change to the start may not show at this resolution
    const bool observable = spec_.observation_space.flat_size() > 0 || spec_.is_goal_task();
    for (uint64_t delta = 1; delta <= 4; ++delta) {
      const bool same = same_bits(initial_conditions(*env, config_.seed + delta), base);
      if (spec_.stochastic_reset && same && observable) {
        fail("seeds " + std::to_string(config_.seed) + " and " +
             std::to_string(config_.seed + delta) + " start the same episode");
      }
      if (!spec_.stochastic_reset && !same) {
        fail("the spec says the reset is deterministic, but seeds start different episodes");
      }
    }
  }

  void check_determinism() {
    auto a = make_();
    auto b = make_();
    a->reset(config_.seed);
    b->reset(config_.seed);
    expect(record(*a, 0, config_.steps) == record(*b, 0, config_.steps),
           "two envs with the same seed and actions diverge");
  }

  void check_save_restore() {
    auto env = advanced_env();
    const std::vector<double> state = env->save_state();
    const std::vector<float> obs_at_save(env->observation().begin(), env->observation().end());
    const std::vector<uint8_t> pixels_at_save(env->pixels().begin(), env->pixels().end());
    const Trajectory original = record(*env, config_.save_after, config_.steps);

    env->restore_state(state);
    expect(same_bits(env->observation(), obs_at_save), "observation after restore differs");
    expect(same_pixels(env->pixels(), pixels_at_save), "pixels after restore differ");
    expect(same_bits(env->save_state(), state), "save after restore differs from the saved state");
    expect(record(*env, config_.save_after, config_.steps) == original,
           "steps after restore differ");

    auto other = make_();
    other->reset(config_.seed + 7);
    other->step(action(0));
    other->restore_state(state);
    expect(record(*other, config_.save_after, config_.steps) == original,
           "steps after restoring into another env differ");

    const std::vector<double> short_state(state.begin(), state.end() - 1);
    expect(throws_error([&] { other->restore_state(short_state); }),
           "restoring a state of the wrong size does not throw uw::Error");
  }

  void check_clone() {
    auto env = advanced_env();
    auto copy = env->clone();
    expect(copy->spec() == spec_, "the clone has another spec");
    expect(same_bits(copy->observation(), env->observation()) &&
               same_pixels(copy->pixels(), env->pixels()),
           "the clone observes differently");
    const Trajectory original = record(*env, config_.save_after, config_.steps);
    expect(record(*copy, config_.save_after, config_.steps) == original,
           "the clone steps differently");
  }

  void check_clipping() {
    if (spec_.action_space.kind() != Space::Kind::kBox) return;
    auto env = advanced_env();
    const std::vector<double> state = env->save_state();
    const Space& space = spec_.action_space;
    for (int side = 0; side < 2; ++side) {
      std::vector<float> outside(action(0).begin(), action(0).end());
      bool any_outside = false;
      for (int k = 0; k < action_size_; ++k) {
        const float low = space.low()[k];
        const float high = space.high()[k];
        if (std::isinf(low) || std::isinf(high)) continue;
        outside[k] = side == 0 ? high + 1.0f + (high - low) : low - 1.0f - (high - low);
        any_outside = true;
      }
      if (!any_outside) return;
      std::vector<float> clipped = outside;
      space.clip(clipped);
      env->restore_state(state);
      const TimeStep a = env->step(outside);
      const std::vector<float> obs_a(a.obs.begin(), a.obs.end());
      const float reward_a = a.reward;
      env->restore_state(state);
      const TimeStep b = env->step(clipped);
      expect(same_bits(obs_a, b.obs) && reward_a == b.reward,
             "an out-of-range action does not act as its clipped value");
    }
  }

  void check_bad_actions() {
    auto env = advanced_env();
    const std::vector<double> state = env->save_state();
    auto rejects = [&](std::vector<float> bad, const std::string& what) {
      expect(throws_error([&] { env->step(bad); }), what + " does not throw uw::Error");
      expect(same_bits(env->save_state(), state), what + " changed the env state");
    };
    std::vector<float> good(action(0).begin(), action(0).end());
    if (action_size_ > 0) {
      std::vector<float> nan = good;
      nan[action_size_ - 1] = std::numeric_limits<float>::quiet_NaN();
      rejects(nan, "a NaN action");
      std::vector<float> inf = good;
      inf[0] = std::numeric_limits<float>::infinity();
      rejects(inf, "an infinite action");
      rejects(std::vector<float>(good.begin(), good.end() - 1), "a too short action");
    }
    std::vector<float> longer = good;
    longer.push_back(0.0f);
    rejects(longer, "a too long action");
  }

  void check_time_limit() {
    if (spec_.max_episode_steps > config_.max_full_episode) return;
    auto env = make_();
    env->reset(config_.seed);
    Rng rng(config_.seed);
    std::vector<float> a(action_size_);
    int t = 0;
    TimeStep step;
    while (true) {
      spec_.action_space.sample(rng, a);
      step = env->step(a);
      ++t;
      check_step(step, t);
      if (step.done() || t > spec_.max_episode_steps) break;
    }
    if (!step.terminated) {
      expect(t == spec_.max_episode_steps && step.truncated &&
                 step.info.reason == EndReason::kTimeLimit,
             "not truncated exactly at max_episode_steps = " +
                 std::to_string(spec_.max_episode_steps) + " (ended at step " + std::to_string(t) +
                 ")");
    }
    expect(throws_error([&] { env->step(a); }),
           "stepping an ended episode does not throw uw::Error");
  }

  void check_goal() {
    auto env = make_();
    const Goal* task_goal = env->goal();
    if (task_goal == nullptr) {
      fail("the spec has a goal space but goal() is nullptr");
      return;
    }
    const TimeStep first = env->reset(config_.seed);
    const std::vector<float> goal(task_goal->values().begin(), task_goal->values().end());
    const std::vector<float> goal_obs(task_goal->observation().begin(),
                                      task_goal->observation().end());
    if (std::string why = spec_.goal_space->violation(goal); !why.empty()) fail("goal " + why);
    if (std::string why = spec_.observation_space.violation(goal_obs); !why.empty()) {
      fail("goal observation " + why);
    }
    // with pixels only there is no state observation to hold against the goal
    const bool has_state = spec_.observation_space.flat_size() > 0;
    if (has_state) {
      expect(task_goal->success(goal_obs, goal), "the goal observation does not reach the goal");
      // the goal observation achieves the goal itself, up to float rounding
      std::vector<float> achieved(goal.size());
      task_goal->achieved(goal_obs, achieved);
      for (size_t i = 0; i < goal.size(); ++i) {
        if (!(std::abs(achieved[i] - goal[i]) <= 1e-4f * (1.0f + std::abs(goal[i])))) {
          fail("achieved(goal observation)[" + std::to_string(i) + "] = " +
               std::to_string(achieved[i]) + " is not the goal's " + std::to_string(goal[i]));
        }
      }
      expect(task_goal->success(first.obs, goal) == first.info.success.value_or(false),
             "info.success at reset disagrees with success(obs, goal)");
      // planners minimise the cost: it must be finite, and least at the goal
      const double at_goal = task_goal->cost(goal_obs, goal);
      const double at_start = task_goal->cost(first.obs, goal);
      expect(std::isfinite(at_goal) && std::isfinite(at_start) && at_goal >= 0,
             "cost is negative or not finite");
      expect(first.info.success.value_or(false) || at_goal < at_start,
             "cost(goal observation) = " + std::to_string(at_goal) +
                 " is not below the cost of the first observation, " + std::to_string(at_start));
    }
    for (int t = 0; t < config_.steps; ++t) {
      const TimeStep step = env->step(action(t));
      if (has_state && task_goal->success(step.obs, goal) != step.info.success.value_or(false)) {
        fail("info.success at step " + std::to_string(t) + " disagrees with success(obs, goal)");
        break;
      }
      if (step.done()) break;
    }
    expect(same_bits(task_goal->values(), goal), "the goal changes during the episode");
    auto other = make_();
    other->reset(config_.seed);
    expect(other->goal() != nullptr && same_bits(other->goal()->values(), goal),
           "the same seed gives another goal");
  }

  const std::function<std::unique_ptr<Env>()>& make_;
  CheckEnvConfig config_;
  EnvSpec spec_;
  int action_size_ = 0;
  std::vector<float> actions_;
  CheckEnvReport report_;
  std::string current_;
};

}  // namespace

CheckEnvReport check_env(const std::function<std::unique_ptr<Env>()>& make,
                         const CheckEnvConfig& config) {
  return Checker(make, config).run();
}

}  // namespace uw::envs
