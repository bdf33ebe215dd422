// The mjcf:<path> family: any MJCF file as an env, equal to a raw mj_step loop, and the errors
// and faults a user's own model can produce.
#include <mujoco/mujoco.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <memory>

#include "core/error.h"
#include "envs/registry.h"
#include "tests/test_util.h"

using Catch::Matchers::Contains;
using namespace uw::envs;

using uw::test::same_bits;

namespace {

const std::string kData = UMWELT_TEST_DATA;
const std::string kModels = "/usr/share/mujoco/model";

const Registry& registry() {
  static const Registry r = make_default_registry();
  return r;
}

std::unique_ptr<Env> make(const std::string& path, uw::Options options = {}) {
  return registry().make("mjcf:" + path, options);
}

// qpos then qvel as float32, as the env observes them.
std::vector<float> raw_observation(const mjModel* m, const mjData* d) {
  std::vector<float> obs;
  for (int i = 0; i < m->nq; ++i) obs.push_back(static_cast<float>(d->qpos[i]));
  for (int i = 0; i < m->nv; ++i) obs.push_back(static_cast<float>(d->qvel[i]));
  return obs;
}

// Steps the env with zero actions next to a raw mj_step loop (from the model's default state
// or a keyframe); true if every observation agrees bit for bit.
bool matches_raw_loop(const std::string& path, int steps, int substeps, int keyframe = -1) {
  uw::Options options;
  options.set("substeps", std::to_string(substeps));
  options.set("keyframe", std::to_string(keyframe));
  auto env = make(path, options);
  char error[1000] = "";
  std::unique_ptr<mjModel, void (*)(mjModel*)> m(mj_loadXML(path.c_str(), nullptr, error, 1000),
                                                 mj_deleteModel);
  REQUIRE(m != nullptr);
  std::unique_ptr<mjData, void (*)(mjData*)> d(mj_makeData(m.get()), mj_deleteData);
  if (keyframe >= 0) mj_resetDataKeyframe(m.get(), d.get(), keyframe);
  if (!same_bits(env->reset(0).obs, raw_observation(m.get(), d.get()))) return false;
  const std::vector<float> zero(env->spec().action_space.flat_size(), 0.0f);
  for (int t = 0; t < steps; ++t) {
    const TimeStep step = env->step(zero);
    for (int s = 0; s < substeps; ++s) mj_step(m.get(), d.get());
    if (!same_bits(step.obs, raw_observation(m.get(), d.get()))) {
      UNSCOPED_INFO(path << " differs at step " << t);
      return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("a zero-action mjcf: rollout equals a raw mj_step loop bit for bit") {
  for (const std::string& path :
       {kModels + "/humanoid/humanoid.xml", kModels + "/slider_crank/slider_crank.xml",
        kModels + "/humanoid100/humanoid100.xml", kModels + "/mug/mug.xml",
        std::string(UMWELT_TEST_DATA) + "/../../assets/cheetah.xml"}) {
    CHECK(matches_raw_loop(path, 1000, 1));
  }
  CHECK(matches_raw_loop(kModels + "/humanoid/humanoid.xml", 200, 3));
}

TEST_CASE("a zero-action rollout from a keyframe equals a raw loop from that keyframe") {
  CHECK(matches_raw_loop(kData + "/keyframes.xml", 500, 1, /*keyframe=*/0));
  CHECK(matches_raw_loop(kData + "/keyframes.xml", 500, 2, /*keyframe=*/1));
}

TEST_CASE("a ctrlrange that excludes zero: zero actions still equal a raw loop") {
  // ctrlrange 0.2..0.7: both sides end up with MuJoCo clamping the control to 0.2
  CHECK(matches_raw_loop(kData + "/narrow_ctrlrange.xml", 300, 1));
  // the float action space never cuts the double range short
  auto env = make(kData + "/narrow_ctrlrange.xml");
  CHECK(static_cast<double>(env->spec().action_space.low()[0]) <= 0.2);
  CHECK(static_cast<double>(env->spec().action_space.high()[0]) >= 0.7);
}

TEST_CASE("a physics fault in the initial state is a clear error, not an abort") {
  uw::Options keyframe;
  keyframe.set("keyframe", "0");
  auto env = make(kData + "/bad_keyframe.xml", keyframe);
  CHECK_THROWS_WITH(env->reset(0), Contains("bad_keyframe.xml") &&
                                       Contains("faulted during reset") &&
                                       Contains("stack overflow"));
  CHECK_THROWS_WITH(env->step(std::vector<float>{}), Contains("before reset"));
  // the model's default state is fine
  auto fine = make(kData + "/bad_keyframe.xml");
  CHECK_NOTHROW(fine->reset(0));
}

TEST_CASE("engine warnings are reported without ending the episode") {
  auto env = make(kData + "/full_contacts.xml");
  TimeStep step = env->reset(0);
  for (int t = 0; t < 20; ++t) step = env->step(std::vector<float>{});
  CHECK_FALSE(step.done());
  CHECK_THAT(env->engine_warnings(), Contains("Insufficient arena memory"));
  auto quiet = make(kModels + "/humanoid/humanoid.xml");
  quiet->reset(0);
  quiet->step(std::vector<float>(21, 0.0f));
  CHECK(quiet->engine_warnings().empty());
}

TEST_CASE("mjcf: spaces come from the model") {
  auto env = make(kModels + "/humanoid/humanoid.xml");
  const EnvSpec& spec = env->spec();
  CHECK(spec.observation_space.flat_size() == 28 + 27);
  CHECK(spec.action_space.flat_size() == 21);
  CHECK(spec.max_episode_steps == 1000);
  CHECK(spec.substeps == 1);
  CHECK_FALSE(spec.stochastic_reset);
  CHECK(spec.physics_dt == Approx(0.005));
}

TEST_CASE("mjcf: keyframe and reset noise options") {
  uw::Options keyframe;
  keyframe.set("keyframe", "1");
  auto env = make(kData + "/keyframes.xml", keyframe);
  CHECK(env->reset(0).obs[1] == 3.0f);  // qvel of keyframe "spinning"
  keyframe.set("keyframe", "2");
  CHECK_THROWS_WITH(make(kData + "/keyframes.xml", keyframe),
                    Contains("keyframes.xml") && Contains("keyframe 2 does not exist"));

  uw::Options noise;
  noise.set("reset_noise", "0.1");
  auto noisy = make(kData + "/keyframes.xml", noise);
  CHECK(noisy->spec().stochastic_reset);
  const float a = noisy->reset(1).obs[0];
  CHECK(a != 0.0f);
  CHECK(std::abs(a) <= 0.1f);
  CHECK(noisy->reset(2).obs[0] != a);
}

TEST_CASE("mjcf: a missing file, malformed XML and a missing mesh are clear errors") {
  CHECK_THROWS_WITH(make("/no/such/file.xml"),
                    Contains("/no/such/file.xml") && Contains("no such file"));
  CHECK_THROWS_WITH(make(kData + "/malformed.xml"), Contains("malformed.xml") && Contains("XML"));
  CHECK_THROWS_WITH(make(kData + "/missing_mesh.xml"),
                    Contains("missing_mesh.xml") && Contains("no_such_part.stl"));
}

TEST_CASE("wrong-length and NaN actions are clear errors that change nothing") {
  auto env = make(kModels + "/humanoid/humanoid.xml");
  env->reset(0);
  env->step(std::vector<float>(21, 0.1f));
  const std::vector<double> before = env->save_state();
  CHECK_THROWS_WITH(env->step(std::vector<float>(20, 0.0f)),
                    Contains("humanoid.xml") && Contains("action has 20 values, expected 21"));
  std::vector<float> nan(21, 0.0f);
  nan[4] = NAN;
  CHECK_THROWS_WITH(env->step(nan), Contains("action[4] is NaN"));
  CHECK(env->save_state() == before);
}

TEST_CASE("a physics blow-up ends the episode as truncated with reason physics") {
  auto env = make(kData + "/unstable.xml");
  TimeStep step = env->reset(0);
  int t = 0;
  while (!step.done() && t < 50) {
    step = env->step(std::vector<float>{1.0f});
    ++t;
  }
  REQUIRE(step.truncated);
  CHECK_FALSE(step.terminated);
  CHECK(step.info.reason == EndReason::kPhysics);
  CHECK(end_reason_name(step.info.reason) == "physics");
  CHECK_THAT(step.info.detail, Contains("QACC"));
  CHECK(t < 10);
  for (float x : step.obs) CHECK(std::isfinite(x));
  CHECK(std::isfinite(step.reward));
  // the env is usable again after a reset
  step = env->reset(1);
  CHECK_FALSE(step.done());
}

TEST_CASE("an engine error during a step ends the episode as truncated with reason physics") {
  auto env = make(kData + "/stack_overflow.xml");
  TimeStep step = env->reset(0);
  const std::vector<float> none;
  while (!step.done()) step = env->step(none);
  CHECK(step.info.reason == EndReason::kPhysics);
  CHECK_THAT(step.info.detail, Contains("stack overflow"));
  for (float x : step.obs) CHECK(std::isfinite(x));
}
