#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>

#include "core/error.h"
#include "envs/mujoco_env.h"
#include "envs/registry.h"
#include "envs/tolerance.h"
#include "tests/test_util.h"

using Catch::Matchers::Contains;
using namespace uw::envs;
using uw::test::same_bits;

namespace {

const Registry& registry() {
  static const Registry r = make_default_registry();
  return r;
}

std::unique_ptr<Env> make_goal_env(const std::string& id, const uw::Options& options = {}) {
  std::unique_ptr<Env> env = registry().make(id, options);
  REQUIRE(env->goal() != nullptr);
  return env;
}

float clip1(double x) { return static_cast<float>(std::clamp(x, -1.0, 1.0)); }

}  // namespace

TEST_CASE("the registry makes each of its tasks under its id, with a goal exactly for goal tasks") {
  const std::vector<std::string> ids = registry().ids();
  CHECK(ids.size() >= 6);
  for (const std::string& id : ids) {
    INFO(id);
    const std::unique_ptr<Env> env = registry().make(id);
    CHECK(env->spec().id == id);
    CHECK((env->goal() != nullptr) == env->spec().is_goal_task());
    CHECK(env->world() != nullptr);
    // a scripted controller steers towards a goal
    if (registry().find(id).scripted != nullptr) CHECK(env->spec().is_goal_task());
  }
  CHECK(registry().find("mjcf:any.xml").is_family());
}

TEST_CASE("unknown ids and options are clear errors") {
  CHECK_THROWS_AS(registry().make("cheetah-walk"), uw::Error);
  CHECK_THROWS_WITH(registry().make("cheetah-walk"), Contains("unknown env id 'cheetah-walk'") &&
                                                         Contains("cheetah-run") &&
                                                         Contains("mjcf:<path>"));
  CHECK_THROWS_WITH(registry().make("mjcf:"), Contains("needs a path"));
  uw::Options options;
  options.set("substep", "2");
  CHECK_THROWS_WITH(registry().make("cheetah-run", options),
                    Contains("unknown option 'substep'") && Contains("substeps, max_steps"));
  uw::Options bad_value;
  bad_value.set("max_steps", "-3");
  CHECK_THROWS_WITH(registry().make("cheetah-run", bad_value),
                    Contains("'max_steps'") && Contains("cheetah-run"));
}

TEST_CASE("options change the spec") {
  uw::Options options;
  options.set("substeps", "3");
  options.set("max_steps", "77");
  const EnvSpec spec = registry().make("cartpole-swingup", options)->spec();
  CHECK(spec.substeps == 3);
  CHECK(spec.max_episode_steps == 77);
  CHECK(spec.control_dt() == Approx(0.03));
  CHECK(spec.options.get_string("substeps") == "3");
}

TEST_CASE("tolerance matches the DeepMind Control Suite shapes") {
  CHECK(tolerance(0.3, 0, 1, 0) == 1.0);
  CHECK(tolerance(1.5, 0, 1, 0) == 0.0);
  CHECK(tolerance(3.0, 0, 1, 2) == Approx(0.1));  // at the margin: value_at_margin
  CHECK(tolerance(5.0, 10, INFINITY, 10, Sigmoid::kLinear, 0.0) == Approx(0.5));
  CHECK(tolerance(-1.0, 10, INFINITY, 10, Sigmoid::kLinear, 0.0) == 0.0);
  CHECK(tolerance(0.5, 0, 0, 1, Sigmoid::kQuadratic, 0.0) == Approx(0.75));
}

TEST_CASE("pointmass: a feedback controller reaches the goal and success ends the episode") {
  uw::Options options;
  options.set("terminate_on_success", "1");
  auto env = make_goal_env("pointmass-reach", options);
  for (uint64_t seed = 0; seed < 5; ++seed) {
    TimeStep step = env->reset(seed);
    const std::vector<float> goal(env->goal()->values().begin(), env->goal()->values().end());
    CHECK_FALSE(*step.info.success);
    int t = 0;
    while (!step.done()) {
      const std::span<const float> o = step.obs;
      // reward is minus the distance to the goal
      const std::vector<float> action = {clip1(3 * (goal[0] - o[0]) - 1.5 * o[2]),
                                         clip1(3 * (goal[1] - o[1]) - 1.5 * o[3])};
      step = env->step(action);
      ++t;
      CHECK(step.reward ==
            Approx(-std::hypot(goal[0] - step.obs[0], goal[1] - step.obs[1])).margin(1e-5));
    }
    CHECK(step.terminated);
    CHECK(step.info.reason == EndReason::kSuccess);
    CHECK(*step.info.success);
    CHECK(t < 100);
  }
}

TEST_CASE("a physics fault never reports success") {
  // put the point on its goal with a velocity MuJoCo rejects: the step faults, MuJoCo resets
  // the world to its default, and the goal (at that default) must not count as reached
  auto env = make_goal_env("pointmass-reach");
  env->reset(0);
  std::vector<double> state = env->save_state();
  const int world_size = mujoco_world_of(*env)->state_size();
  // world state: time, qpos (x, y), qvel (vx, vy), ...; env state after it: 3 flags, 10
  // generator values, then the goal
  state[3] = 1e12;
  state[world_size + 13] = 0.0;
  state[world_size + 14] = 0.0;
  env->restore_state(state);
  const TimeStep step = env->step(std::vector<float>{0.0f, 0.0f});
  REQUIRE(step.info.reason == EndReason::kPhysics);
  CHECK(step.info.success == false);
}

TEST_CASE("pusher: the goal observation never puts the disc inside the block") {
  auto env = make_goal_env("pusher-push");
  for (uint64_t seed = 0; seed < 300; ++seed) {
    env->reset(seed);
    const std::span<const float> g = env->goal()->observation();
    // the disc's centre in the block's frame, then its distance to the block's square
    const double yaw = std::atan2(g[7], g[6]);
    const double dx = g[0] - g[4], dy = g[1] - g[5];
    const double lx = std::cos(yaw) * dx + std::sin(yaw) * dy;
    const double ly = -std::sin(yaw) * dx + std::cos(yaw) * dy;
    const double ox = std::max(0.0, std::abs(lx) - 0.05), oy = std::max(0.0, std::abs(ly) - 0.05);
    const bool clamped_at_wall = std::abs(g[0]) >= 0.5f - 1e-6f || std::abs(g[1]) >= 0.5f - 1e-6f;
    if (!clamped_at_wall) REQUIRE(std::hypot(ox, oy) >= 0.04 - 1e-6);
  }
}

TEST_CASE("pointmaze-tworooms: start and goal are in different rooms in most episodes") {
  auto env = make_goal_env("pointmaze-tworooms");
  int different = 0;
  const int episodes = 400;
  for (int k = 0; k < episodes; ++k) {
    const TimeStep step = env->reset(k);
    const float start_x = step.obs[0];
    const float goal_x = env->goal()->values()[0];
    REQUIRE(std::abs(start_x) >= 0.1f);
    REQUIRE(std::abs(goal_x) >= 0.1f);
    if ((start_x < 0) != (goal_x < 0)) ++different;
  }
  CHECK(different > 0.7 * episodes);
  CHECK(different < 0.9 * episodes);
}

TEST_CASE("pointmaze-tworooms: the dividing wall blocks the way outside the door") {
  auto env = make_goal_env("pointmaze-tworooms");
  for (uint64_t seed = 0; seed < 4; ++seed) {
    TimeStep step = env->reset(seed);
    const float side = step.obs[0] < 0 ? -1.0f : 1.0f;
    // drive to the top corner of the start room, then push towards the other room
    for (int t = 0; t < 60; ++t) {
      step = env->step(std::vector<float>{clip1(3 * (side * 0.5 - step.obs[0]) - step.obs[2]),
                                          clip1(3 * (0.35 - step.obs[1]) - step.obs[3])});
    }
    for (int t = 0; t < 60; ++t) step = env->step(std::vector<float>{-side, 0.0f});
    CHECK(side * step.obs[0] > 0.0f);  // still in the start room
    CHECK(side * step.obs[0] < 0.1f);  // pressed against the wall
  }
}

TEST_CASE("reacher: the fingertip in the observation follows the joint angles") {
  auto env = make_goal_env("reacher-reach");
  TimeStep step = env->reset(11);
  for (int t = 0; t < 50; ++t) {
    step = env->step(std::vector<float>{0.8f, -0.6f});
    const std::span<const float> o = step.obs;
    const double q1 = std::atan2(o[1], o[0]);
    const double q12 = q1 + std::atan2(o[3], o[2]);
    const double x = 0.12 * std::cos(q1) + 0.12 * std::cos(q12);
    const double y = 0.12 * std::sin(q1) + 0.12 * std::sin(q12);
    REQUIRE(o[6] == Approx(x).margin(1e-5));
    REQUIRE(o[7] == Approx(y).margin(1e-5));
  }
  // the goal observation puts the fingertip on the target
  const std::span<const float> goal_obs = env->goal()->observation();
  CHECK(goal_obs[6] == Approx(env->goal()->values()[0]).margin(1e-5));
  CHECK(goal_obs[7] == Approx(env->goal()->values()[1]).margin(1e-5));
  CHECK(goal_obs[4] == 0.0f);
}

TEST_CASE("pusher: a scripted push brings the block to the goal") {
  uw::Options options;
  options.set("terminate_on_success", "1");
  auto env = make_goal_env("pusher-push", options);
  int successes = 0;
  for (uint64_t seed = 0; seed < 10; ++seed) {
    TimeStep step = env->reset(seed);
    const std::vector<float> goal(env->goal()->values().begin(), env->goal()->values().end());
    while (!step.done()) {
      std::vector<float> action(2);
      registry().find("pusher-push").scripted(step.obs, goal, action);
      step = env->step(action);
    }
    if (step.info.reason == EndReason::kSuccess) ++successes;
  }
  CHECK(successes >= 9);
}

TEST_CASE("pushing tasks: the planning cost pays for coming round behind the object") {
  // each observation starts with the pusher's x, y; the object's x, y are at 4, 5
  for (const char* id : {"pusher-push", "bullet-push-cube"}) {
    INFO(id);
    auto env = make_goal_env(id);
    std::vector<float> obs = [&] {
      const TimeStep first = env->reset(1);
      return std::vector<float>(first.obs.begin(), first.obs.end());
    }();
    const Goal& goal = *env->goal();
    const double gx = goal.values()[0] - obs[4], gy = goal.values()[1] - obs[5];
    const double ux = gx / std::hypot(gx, gy), uy = gy / std::hypot(gx, gy);
    auto cost_with_pusher_at = [&](double along, double across) {
      obs[0] = static_cast<float>(obs[4] + along * ux - across * uy);
      obs[1] = static_cast<float>(obs[5] + along * uy + across * ux);
      return goal.cost(obs, goal.values());
    };
    const double behind = cost_with_pusher_at(-0.2, 0), beside = cost_with_pusher_at(0, 0.2);
    const double in_front = cost_with_pusher_at(0.2, 0);
    CHECK(behind < beside);
    CHECK(beside < in_front);
    // pushing the object 5 cm on towards the goal, the pusher behind it, costs less again
    const double before = cost_with_pusher_at(-0.2, 0);
    obs[4] += static_cast<float>(0.05 * ux);
    obs[5] += static_cast<float>(0.05 * uy);
    CHECK(cost_with_pusher_at(-0.2, 0) < before - 0.04);
  }
}

TEST_CASE("reach tasks: the planning cost is the squared goal distance") {
  auto env = make_goal_env("pointmass-reach");
  const TimeStep first = env->reset(2);
  const Goal& goal = *env->goal();
  std::vector<float> achieved(goal.values().size());
  goal.achieved(first.obs, achieved);
  double squared = 0;
  for (size_t i = 0; i < achieved.size(); ++i) {
    squared += (achieved[i] - goal.values()[i]) * (achieved[i] - goal.values()[i]);
  }
  CHECK(goal.cost(first.obs, goal.values()) == Approx(squared).epsilon(1e-6));
  const std::vector<float> too_short(3, 0.0f);
  CHECK_THROWS_WITH(goal.cost(too_short, goal.values()), Contains("cost takes an observation"));
}

TEST_CASE("pointmaze-tworooms: the planning cost is the squared way through the door") {
  auto env = make_goal_env("pointmaze-tworooms");
  env->reset(0);
  const Goal& goal = *env->goal();
  auto cost = [&](float x, float y, float gx, float gy) {
    const std::vector<float> obs{x, y, 0.0f, 0.0f}, to{gx, gy};
    return goal.cost(obs, to);
  };
  // within a room: the straight distance
  CHECK(cost(-0.5f, 0.2f, -0.2f, -0.2f) == Approx(0.25).epsilon(1e-5));
  // across the wall: round by the door's nearest usable point (0, 0.04), not through the wall
  const double round = 2 * std::hypot(0.1, 0.4 - 0.04);
  CHECK(cost(-0.1f, 0.4f, 0.1f, 0.4f) == Approx(round * round).epsilon(1e-5));
  // a straight line through the door is not lengthened
  CHECK(cost(-0.5f, 0.0f, 0.5f, 0.0f) == Approx(1.0).epsilon(1e-5));
  // moving along the wall towards the door brings the goal in the other room closer
  CHECK(cost(-0.1f, 0.2f, 0.1f, 0.4f) < cost(-0.1f, 0.4f, 0.1f, 0.4f));
  // the open arena keeps the straight distance
  auto open = make_goal_env("pointmass-reach");
  open->reset(0);
  const std::vector<float> obs{-0.1f, 0.4f, 0.0f, 0.0f}, to{0.1f, 0.4f};
  CHECK(open->goal()->cost(obs, to) == Approx(0.04).epsilon(1e-5));
}

TEST_CASE("push-t: the scripted controller brings the T to the goal pose on 90% of seeds") {
  uw::Options options;
  options.set("terminate_on_success", "1");
  auto env = make_goal_env("push-t", options);
  const ScriptedController controller = registry().find("push-t").scripted;
  REQUIRE(controller != nullptr);
  int successes = 0;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    TimeStep step = env->reset(seed);
    const std::vector<float> goal(env->goal()->values().begin(), env->goal()->values().end());
    while (!step.done()) {
      std::vector<float> action(2);
      controller(step.obs, goal, action);
      step = env->step(action);
    }
    if (step.info.reason == EndReason::kSuccess) ++successes;
  }
  CHECK(successes >= 45);
}

TEST_CASE("push-t: the planning cost is the keypoints' distance from the goal pose") {
  auto env = make_goal_env("push-t");
  env->reset(3);
  const Goal& goal = *env->goal();
  // the goal pose with the disc against the side of the T's stem: nothing to pay
  std::vector<float> at_goal(goal.observation().begin(), goal.observation().end());
  const float c = at_goal[6], s = at_goal[7], yaw = std::atan2(s, c);
  const float side_x = 0.065f, side_y = -0.057f;  // the stem's side, the disc's radius out
  at_goal[0] = at_goal[4] + c * side_x - s * side_y;
  at_goal[1] = at_goal[5] + s * side_x + c * side_y;
  CHECK(goal.cost(at_goal, goal.values()) == Approx(0).margin(1e-6));
  auto cost = [&](float dx, float dy, float turn) {
    std::vector<float> obs = at_goal;
    for (int i : {0, 4}) {
      obs[i] += dx;
      obs[i + 1] += dy;
    }
    obs[6] = std::cos(yaw + turn);
    obs[7] = std::sin(yaw + turn);
    return goal.cost(obs, goal.values());
  };
  // moved, every keypoint is off by the move
  CHECK(cost(0.03f, -0.04f, 0) == Approx(0.05).epsilon(1e-4));
  // turned about the centre, each keypoint by its chord: the bar's ends are 0.109 m out, the
  // stem's foot 0.132 m
  const double turn = 0.3, chord = 2 * std::sin(turn / 2);
  const double ends = std::hypot(0.1, 0.042857), foot = 0.132143;
  CHECK(cost(0, 0, static_cast<float>(turn)) ==
        Approx(chord * (2 * ends + foot) / 3).epsilon(1e-3));
  // a turn the success test refuses costs about what a move it refuses does
  CHECK(cost(0, 0, 0.2f) == Approx(cost(0.025f, 0, 0)).epsilon(0.2));
  // a disc out of reach pays a tenth of its distance beyond 0.1 m from the T's centre
  std::vector<float> far = at_goal;
  far[0] = far[4] + 0.5f;
  far[1] = far[5];
  CHECK(goal.cost(far, goal.values()) == Approx(0.04).epsilon(1e-4));
}

TEST_CASE("push-t: goal=near puts the goal a push or two from the T's start") {
  uw::Options options;
  options.set("goal", "near");
  auto env = make_goal_env("push-t", options);
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const TimeStep first = env->reset(seed);
    const std::span<const float> goal = env->goal()->values();
    const double distance = std::hypot(goal[0] - first.obs[4], goal[1] - first.obs[5]);
    const double turn =
        std::remainder(goal[2] - std::atan2(first.obs[7], first.obs[6]), 2 * std::numbers::pi);
    CHECK(distance <= 0.1 + 1e-5);
    if (std::abs(goal[0]) < 0.3 && std::abs(goal[1]) < 0.3) CHECK(distance >= 0.05 - 1e-5);
    CHECK(std::abs(turn) <= std::numbers::pi / 4 + 1e-5);
  }
  options.set("goal", "far");
  CHECK_THROWS_WITH(registry().make("push-t", options), Contains("option 'goal' of env 'push-t'") &&
                                                            Contains("board or near") &&
                                                            Contains("'far'"));
}

TEST_CASE("push-t: success needs the angle as well as the position") {
  auto env = make_goal_env("push-t");
  env->reset(3);
  const uw::envs::Goal& goal = *env->goal();
  std::vector<float> obs(goal.observation().begin(), goal.observation().end());
  CHECK(goal.success(obs, goal.values()));
  const float yaw = std::atan2(obs[7], obs[6]);
  for (float turn : {0.15f, -0.15f}) {  // about 8.6 degrees: still within 10
    obs[6] = std::cos(yaw + turn);
    obs[7] = std::sin(yaw + turn);
    CHECK(goal.success(obs, goal.values()));
  }
  for (float turn : {0.2f, -0.2f}) {  // about 11.5 degrees: not
    obs[6] = std::cos(yaw + turn);
    obs[7] = std::sin(yaw + turn);
    CHECK_FALSE(goal.success(obs, goal.values()));
  }
  obs[6] = std::cos(yaw);
  obs[7] = std::sin(yaw);
  obs[4] += 0.025f;  // 2.5 cm off
  CHECK_FALSE(goal.success(obs, goal.values()));
  std::vector<float> achieved(3);
  goal.achieved(obs, achieved);
  CHECK(achieved[2] == Approx(yaw).margin(1e-5));
}

TEST_CASE("sensors=1 appends the model's sensor readings, declared in the spec by name") {
  uw::Options with_sensors;
  with_sensors.set("sensors", "1");
  SECTION("pusher-push: touch on each side face of the block") {
    auto plain = registry().make("pusher-push");
    auto env = registry().make("pusher-push", with_sensors);
    const EnvSpec& spec = env->spec();
    REQUIRE(spec.observation_space.flat_size() == 15);
    REQUIRE(spec.sensor_fields.size() == 4);
    CHECK(spec.sensor_fields[0] == uw::envs::ObservationField{"block_touch_east", 11, 1});
    CHECK(spec.sensor_fields[3] == uw::envs::ObservationField{"block_touch_south", 14, 1});
    CHECK(plain->spec().sensor_fields.empty());
    // the same physics: the task's part of the observation is unchanged, and the disc pushing
    // the block shows as touch
    TimeStep step = env->reset(2);
    TimeStep plain_step = plain->reset(2);
    const std::vector<float> goal(env->goal()->values().begin(), env->goal()->values().end());
    float most_touch = 0;
    for (int t = 0; t < 150 && !step.done(); ++t) {
      std::vector<float> action(2);
      registry().find("pusher-push").scripted(step.obs.first(11), goal, action);
      step = env->step(action);
      plain_step = plain->step(action);
      REQUIRE(same_bits(step.obs.first(11), plain_step.obs));
      for (int k = 11; k < 15; ++k) {
        REQUIRE(step.obs[k] >= 0.0f);
        most_touch = std::max(most_touch, step.obs[k]);
      }
    }
    CHECK(most_touch > 0.1f);  // newtons
  }
  SECTION("cheetah-run: an IMU on the torso") {
    auto env = registry().make("cheetah-run", with_sensors);
    const EnvSpec& spec = env->spec();
    REQUIRE(spec.observation_space.flat_size() == 17 + 6);
    REQUIRE(spec.sensor_fields.size() == 2);
    CHECK(spec.sensor_fields[0] == uw::envs::ObservationField{"torso_accelerometer", 17, 3});
    CHECK(spec.sensor_fields[1] == uw::envs::ObservationField{"torso_gyro", 20, 3});
    // settled on its feet at reset: the accelerometer reads gravity, the gyro little
    const TimeStep first = env->reset(0);
    const float g = std::hypot(first.obs[17], first.obs[18], first.obs[19]);
    CHECK(g == Approx(9.81).margin(1.0));
    CHECK(std::hypot(first.obs[20], first.obs[21], first.obs[22]) < 1.0f);
  }
  SECTION("a model without sensors is refused, naming the env") {
    CHECK_THROWS_WITH(
        registry().make("cartpole-swingup", with_sensors),
        Contains("option 'sensors'") && Contains("cartpole-swingup") && Contains("no sensors"));
  }
  SECTION("with pixels only, no sensor fields are declared (there is no state observation)") {
    with_sensors.set("pixels", "16");
    auto env = registry().make("pusher-push", with_sensors);
    CHECK(env->spec().sensor_fields.empty());
    CHECK(spec_from_json(spec_to_json(env->spec())) == env->spec());
    with_sensors.set("pixels_and_state", "1");
    CHECK(registry().make("pusher-push", with_sensors)->spec().sensor_fields.size() == 4);
  }
}

TEST_CASE("cartpole: the pole starts hanging and rewards stay in [0, 1]") {
  auto env = registry().make("cartpole-swingup");
  TimeStep step = env->reset(0);
  CHECK(step.obs[1] == Approx(-1.0).margin(1e-3));  // cos of the pole angle
  float first_reward = -1;
  for (int t = 0; t < 300; ++t) {
    step = env->step(std::vector<float>{t % 60 < 30 ? 1.0f : -1.0f});
    if (t == 0) first_reward = step.reward;
    REQUIRE(step.reward >= 0.0f);
    REQUIRE(step.reward <= 1.0f);
  }
  CHECK(first_reward < 0.05f);
}

TEST_CASE("cheetah: an episode starts settled on the ground, rewards in [0, 1]") {
  auto env = registry().make("cheetah-run");
  for (uint64_t seed = 0; seed < 3; ++seed) {
    TimeStep step = env->reset(seed);
    const float torso_height = 0.7f + step.obs[0];  // rootz is relative to the body's 0.7
    CHECK(torso_height > 0.2f);
    CHECK(torso_height < 1.0f);
    CHECK(std::abs(step.obs[8]) < 0.5f);  // forward speed
    for (int t = 0; t < 200; ++t) {
      step = env->step(std::vector<float>(6, t % 20 < 10 ? 1.0f : -1.0f));
      REQUIRE(step.reward >= 0.0f);
      REQUIRE(step.reward <= 1.0f);
    }
  }
}
