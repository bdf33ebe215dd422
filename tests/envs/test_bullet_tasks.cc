#include <mujoco/mujoco.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "core/random.h"
#include "envs/bullet_env.h"
#include "envs/registry.h"
#include "tests/test_util.h"

using namespace uw::envs;
using uw::test::same_bits;

namespace {

const Registry& registry() {
  static const Registry r = make_default_registry();
  return r;
}

float clip1(double x) { return static_cast<float>(std::clamp(x, -1.0, 1.0)); }

// Drives the pusher towards (tx, ty) with the velocity servo.
std::vector<float> pusher_towards(std::span<const float> o, double tx, double ty) {
  return {clip1(8 * (tx - o[0])), clip1(8 * (ty - o[1]))};
}

}  // namespace

TEST_CASE("bullet-push-cube: a scripted push brings the cube to the goal") {
  uw::Options options;
  options.set("terminate_on_success", "1");
  auto env = registry().make("bullet-push-cube", options);
  int successes = 0;
  for (uint64_t seed = 0; seed < 10; ++seed) {
    TimeStep step = env->reset(seed);
    const std::vector<float> goal(env->goal()->values().begin(), env->goal()->values().end());
    while (!step.done()) {
      std::vector<float> action(2);
      registry().find("bullet-push-cube").scripted(step.obs, goal, action);
      step = env->step(action);
    }
    if (step.info.reason == EndReason::kSuccess) ++successes;
  }
  CHECK(successes >= 8);
}

TEST_CASE("bullet-push-cube: a cube pushed off the table falls and ends the episode") {
  auto env = registry().make("bullet-push-cube");
  TimeStep step = env->reset(3);
  int steps = 0;
  while (!step.done()) {
    const std::span<const float> o = step.obs;
    // get behind the cube on the -x side, then drive through it towards +x
    const bool behind = o[0] < o[4] - 0.08 && std::abs(o[1] - o[5]) < 0.02;
    step = env->step(
        behind ? pusher_towards(o, o[0] + 1.0, o[5])
               : pusher_towards(o, o[4] - 0.12,
                                o[0] < o[4] - 0.08 ? o[5] : o[1] + (o[1] > o[5] ? 0.15 : -0.15)));
    ++steps;
  }
  CHECK(step.terminated);
  CHECK(step.info.reason == EndReason::kFailure);
  CHECK(step.obs[4] > 0.5f);   // past the table's edge
  CHECK(step.obs[6] < -0.1f);  // and below its top
  CHECK(steps < 200);
}

TEST_CASE("bullet-tower: an aligned tower stands; pushes knock blocks off") {
  uw::Options options;
  options.set("offset", "0");
  auto env = registry().make("bullet-tower", options);
  TimeStep step = env->reset(0);
  const std::vector<float> no_push{0.0f, 0.0f, -1.0f};
  for (int t = 0; t < 100; ++t) step = env->step(no_push);
  CHECK(step.reward == Approx(1.0).margin(0.01));

  // a push at the top knocks off the top block (the tower is then 4/5 as high); one at the
  // middle brings down the upper half
  for (const auto& [height, reward] : {std::pair{1.0f, 0.8f}, std::pair{0.5f, 0.6f}}) {
    env->reset(0);
    const std::vector<float> push{height, 0.0f, 1.0f};
    for (int t = 0; t < 10; ++t) step = env->step(push);
    for (int t = 0; t < 90; ++t) step = env->step(no_push);
    CHECK(step.reward == Approx(reward).margin(0.02));
  }
}

TEST_CASE("bullet-tower: random offsets topple some towers and not others") {
  auto env = registry().make("bullet-tower");
  const std::vector<float> no_push{0.0f, 0.0f, -1.0f};
  int standing = 0;
  const int episodes = 12;
  for (int k = 0; k < episodes; ++k) {
    TimeStep step = env->reset(k);
    while (!step.done()) step = env->step(no_push);
    if (step.reward > 0.95f) ++standing;
  }
  CHECK(standing > 0);
  CHECK(standing < episodes);
}

TEST_CASE("bullet-bounce: hidden masses and restitutions are part of the state") {
  auto a = registry().make("bullet-bounce");
  auto b = registry().make("bullet-bounce");
  a->reset(1);
  b->reset(2);
  const std::vector<float> push{0.3f, -0.2f, 1.0f};
  for (int t = 0; t < 20; ++t) a->step(push);
  const std::vector<double> saved = a->save_state();
  b->restore_state(saved);
  for (int t = 0; t < 100; ++t) {
    const TimeStep sa = a->step(push);
    const TimeStep sb = b->step(push);
    REQUIRE(same_bits(sa.obs, sb.obs));
  }
  // each episode draws its own materials, within the documented ranges
  const uw::sim::BulletWorld* world = bullet_world_of(*a);
  REQUIRE(world != nullptr);
  std::vector<double> masses;
  for (uint64_t seed = 0; seed < 10; ++seed) {
    a->reset(seed);
    const int first = world->scene().body("ball0");
    for (int ball = first; ball < first + 3; ++ball) {
      masses.push_back(world->body_mass(ball));
      CHECK(masses.back() >= 0.02);
      CHECK(masses.back() <= 0.5);
      CHECK(world->body_restitution(ball) >= 0.3);
      CHECK(world->body_restitution(ball) <= 0.95);
    }
  }
  std::sort(masses.begin(), masses.end());
  CHECK(std::adjacent_find(masses.begin(), masses.end()) == masses.end());
}

TEST_CASE("bullet: the drawing twin follows the Bullet bodies") {
  const std::string arm = "urdf:" + std::string(UMWELT_ASSET_DIR) + "/urdf/arm.urdf";
  for (const std::string& id : {std::string("bullet-push-cube"), std::string("bullet-tower"),
                                std::string("bullet-bounce"), arm}) {
    INFO(id);
    auto env = registry().make(id);
    env->reset(3);
    uw::Rng rng(1);
    std::vector<float> action(env->spec().action_space.flat_size());
    for (int t = 0; t < 20; ++t) {
      env->spec().action_space.sample(rng, action);
      env->step(action);
    }
    const uw::sim::BulletWorld& world = *bullet_world_of(*env);
    const uw::sim::DrawView view = world.draw();
    const mjModel* m = view.model;
    const mjData* d = view.data;
    REQUIRE(m != nullptr);
    CHECK(m->ncam >= 2);
    for (size_t i = 0; i < world.scene().bodies.size(); ++i) {
      if (world.scene().bodies[i].mass <= 0) continue;
      const int body = mj_name2id(m, mjOBJ_BODY, ("body" + std::to_string(i)).c_str());
      REQUIRE(body >= 0);
      const uw::sim::Pose pose = world.body_pose(static_cast<int>(i));
      for (int k = 0; k < 3; ++k) CHECK(d->xpos[3 * body + k] == Approx(pose.pos[k]).margin(1e-12));
    }
  }
}

TEST_CASE("bullet: sensors=1 appends each dynamic body's contact-force sum") {
  uw::Options sensors;
  sensors.set("sensors", "1");
  auto env = registry().make("bullet-push-cube", sensors);
  const uw::envs::EnvSpec& spec = env->spec();
  REQUIRE(spec.sensor_fields.size() == 2);
  CHECK(spec.sensor_fields[0] == uw::envs::ObservationField{"contact_force:cube", 13, 1});
  CHECK(spec.sensor_fields[1] == uw::envs::ObservationField{"contact_force:pusher", 14, 1});
  REQUIRE(spec.observation_space.flat_size() == 15);
  TimeStep step = env->reset(1);
  CHECK(step.obs[13] == 0.0f);  // nothing measured before the first step
  for (int t = 0; t < 5; ++t) step = env->step(std::vector<float>{0.0f, 0.0f});
  // the cube (0.2 kg) rests on the table; the pusher glides above it, touching nothing
  CHECK(step.obs[13] == Approx(0.2 * 9.81).epsilon(0.1));
  CHECK(step.obs[14] == 0.0f);
  // the same physics as without sensors
  auto plain = registry().make("bullet-push-cube");
  TimeStep plain_step = plain->reset(1);
  for (int t = 0; t < 5; ++t) plain_step = plain->step(std::vector<float>{0.0f, 0.0f});
  CHECK(std::equal(plain_step.obs.begin(), plain_step.obs.end(), step.obs.begin()));
}
