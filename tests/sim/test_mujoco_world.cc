#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.h"
#include "core/random.h"
#include "sim/mujoco_world.h"
#include "tests/test_util.h"

using Catch::Matchers::Contains;
using uw::sim::MujocoModel;
using uw::sim::MujocoWorld;

using uw::test::same_bits;

namespace {

const std::string kData = UMWELT_TEST_DATA;
const std::string kHumanoid = "/usr/share/mujoco/model/humanoid/humanoid.xml";

// Steps with random controls and returns qpos and qvel after every step.
std::vector<double> trace(MujocoWorld& world, uint64_t seed, int steps) {
  uw::Rng rng(seed);
  std::vector<double> u(world.control_size());
  std::vector<double> out;
  for (int t = 0; t < steps; ++t) {
    for (double& x : u) x = rng.uniform(-1, 1);
    world.set_control(u);
    world.step(1);
    const mjData* d = world.data();
    out.insert(out.end(), d->qpos, d->qpos + world.model()->nq);
    out.insert(out.end(), d->qvel, d->qvel + world.model()->nv);
  }
  return out;
}

}  // namespace

TEST_CASE("loading a missing file names the path") {
  CHECK_THROWS_AS(MujocoModel::load("/no/such/model.xml"), uw::Error);
  CHECK_THROWS_WITH(MujocoModel::load("/no/such/model.xml"),
                    Contains("/no/such/model.xml") && Contains("no such file"));
}

TEST_CASE("loading malformed XML carries MuJoCo's message and the path") {
  const std::string path = kData + "/malformed.xml";
  CHECK_THROWS_WITH(MujocoModel::load(path),
                    Contains(path) && Contains("XML") && Contains("Line number"));
}

TEST_CASE("a model naming a missing mesh names the mesh file") {
  const std::string path = kData + "/missing_mesh.xml";
  CHECK_THROWS_WITH(MujocoModel::load(path), Contains(path) && Contains("no_such_part.stl"));
}

TEST_CASE("MuJoCo's error handler throws instead of exiting") {
  uw::sim::install_mujoco_handlers();
  CHECK_THROWS_WITH(mju_error("raised on purpose"), Contains("raised on purpose"));
}

TEST_CASE("save and restore are bit-exact, warm start included") {
  auto model = MujocoModel::load(kHumanoid);
  MujocoWorld world(model);
  trace(world, 1, 40);  // the humanoid falls: contacts and a non-trivial warm start
  const std::vector<double> state = world.save_state();
  CHECK(static_cast<int>(state.size()) == world.state_size());
  const std::vector<double> original = trace(world, 2, 60);

  world.restore_state(state);
  CHECK(same_bits(world.save_state(), state));
  CHECK(same_bits(trace(world, 2, 60), original));

  MujocoWorld other(model);
  trace(other, 3, 10);
  other.restore_state(state);
  CHECK(same_bits(trace(other, 2, 60), original));
}

TEST_CASE("the warm start is part of the state") {
  auto model = MujocoModel::load(kHumanoid);
  MujocoWorld world(model);
  trace(world, 1, 40);
  std::vector<double> state = world.save_state();
  const std::vector<double> original = trace(world, 2, 60);
  // zero the saved warm start: the trajectory must change, which shows it was needed
  const mjModel* m = model->get();
  const size_t warmstart = 1 + m->nq + m->nv + m->na;
  std::fill(state.begin() + warmstart, state.begin() + warmstart + m->nv, 0.0);
  world.restore_state(state);
  CHECK_FALSE(same_bits(trace(world, 2, 60), original));
}

TEST_CASE("forward() does not change the next step") {
  auto model = MujocoModel::load(kHumanoid);
  MujocoWorld a(model), b(model);
  trace(a, 1, 30);
  trace(b, 1, 30);
  b.forward();
  b.forward();
  CHECK(same_bits(trace(a, 5, 30), trace(b, 5, 30)));
}

TEST_CASE("restoring a bad state throws and changes nothing") {
  auto model = MujocoModel::load(kHumanoid);
  MujocoWorld world(model);
  trace(world, 1, 5);
  const std::vector<double> before = world.save_state();
  std::vector<double> too_short(before.begin(), before.end() - 1);
  CHECK_THROWS_WITH(
      world.restore_state(too_short),
      Contains("humanoid.xml") && Contains("expected " + std::to_string(before.size())));
  std::vector<double> nan = before;
  nan[3] = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(world.restore_state(nan), Contains("qpos[2] is not finite"));
  // mj_getState's layout: time, qpos, qvel, act, (history,) warm start, ctrl, ...
  const mjModel* m = model->get();
  nan = before;
  nan[1 + m->nq + m->nv + m->na + m->nv + 4] = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(world.restore_state(nan), Contains("ctrl[4] is not finite"));
  CHECK(same_bits(world.save_state(), before));
}

TEST_CASE("a physics blow-up becomes a fault, not an exception or NaN") {
  MujocoWorld world(MujocoModel::load(kData + "/unstable.xml"));
  const std::vector<double> push = {1.0};
  world.set_control(push);
  for (int t = 0; t < 10 && world.health().ok; ++t) REQUIRE_NOTHROW(world.step(1));
  REQUIRE_FALSE(world.health().ok);
  CHECK_THAT(world.health().fault, Contains("MuJoCo reset the simulation") && Contains("QACC"));
  for (double x : world.save_state()) CHECK(std::isfinite(x));

  // a restore starts a fresh health record, and the next blow-up is seen again
  world.reset();
  const std::vector<double> start = world.save_state();
  for (int round = 0; round < 2; ++round) {
    world.restore_state(start);
    REQUIRE(world.health().ok);
    world.set_control(push);
    for (int t = 0; t < 10 && world.health().ok; ++t) world.step(1);
    CHECK_FALSE(world.health().ok);
  }
}

TEST_CASE("an engine error inside mj_step becomes a fault and the process goes on") {
  MujocoWorld world(MujocoModel::load(kData + "/stack_overflow.xml"));
  for (int t = 0; t < 400 && world.health().ok; ++t) REQUIRE_NOTHROW(world.step(1));
  REQUIRE_FALSE(world.health().ok);
  CHECK_THAT(world.health().fault, Contains("stack overflow"));
  world.reset();
  CHECK(world.health().ok);
  world.step(1);
  CHECK(world.health().ok);
}

TEST_CASE("a state that turns non-finite without MuJoCo noticing is a fault too") {
  // the activation diverges to infinity; its gain is 0, so MuJoCo's own checks never see it
  MujocoWorld world(MujocoModel::load(kData + "/diverging_activation.xml"));
  const std::vector<double> push = {1.0};
  world.set_control(push);
  int t = 0;
  for (; t < 200 && world.health().ok; ++t) world.step(1);
  REQUIRE_FALSE(world.health().ok);
  CHECK_THAT(world.health().fault, Contains("non-finite act[0]"));
  for (double x : world.save_state()) CHECK(std::isfinite(x));
}

TEST_CASE("engine warnings are reported while the world stays healthy") {
  MujocoWorld world(MujocoModel::load(kData + "/full_contacts.xml"));
  CHECK(world.warnings().empty());
  for (int t = 0; t < 10; ++t) world.step(1);
  CHECK(world.health().ok);
  CHECK_THAT(world.warnings(), Contains("Insufficient arena memory") && Contains("(x"));
  world.reset();
  CHECK(world.warnings().empty());
}

TEST_CASE("control bounds come from the actuators' ctrlrange") {
  MujocoWorld world(MujocoModel::load(kData + "/unstable.xml"));
  REQUIRE(world.control_size() == 1);
  CHECK(world.control_bounds().low[0] == -1.0);
  CHECK(world.control_bounds().high[0] == 1.0);
}

TEST_CASE("keyframes reset the state; a missing keyframe is an error") {
  MujocoWorld world(MujocoModel::load(kData + "/keyframes.xml"));
  world.reset(1);
  CHECK(world.data()->qvel[0] == 3.0);
  world.reset(0);
  CHECK(world.data()->qpos[0] == 0.5);
  CHECK_THROWS_WITH(world.reset(2), Contains("2 keyframe(s)") && Contains("keyframe 2"));
}
