// Env::pose_observation: an observation that was never simulated (a world model's imagination)
// posed into a world for drawing puts the bodies where the observation says.
#include <mujoco/mujoco.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "core/error.h"
#include "core/random.h"
#include "envs/registry.h"

using namespace uw::envs;

namespace {

const Registry& registry() {
  static const Registry r = make_default_registry();
  return r;
}

// Steps `env` with random actions so that its bodies move away from where reset put them.
void wander(Env& env, uint64_t seed, int steps) {
  env.reset(seed);
  uw::Rng rng(seed);
  std::vector<float> action(static_cast<size_t>(env.spec().action_space.flat_size()));
  const Space& space = env.spec().action_space;
  for (int t = 0; t < steps && !env.episode_ended(); ++t) {
    for (size_t i = 0; i < action.size(); ++i) {
      action[i] = static_cast<float>(rng.uniform(space.low()[i], space.high()[i]));
    }
    env.step(action);
  }
}

// The largest distance between the same body in two drawings of one model.
double largest_body_gap(const Env& a, const Env& b) {
  const uw::sim::DrawView va = a.world()->draw();
  const uw::sim::DrawView vb = b.world()->draw();
  REQUIRE(va.model->nbody == vb.model->nbody);
  double gap = 0;
  for (int i = 0; i < 3 * va.model->nbody; ++i) {
    gap = std::max(gap, std::abs(va.data->xpos[i] - vb.data->xpos[i]));
  }
  return gap;
}

}  // namespace

TEST_CASE("posing an observation puts the bodies where it says, at rest") {
  for (const std::string id : {"pointmass-reach", "pointmaze-tworooms", "reacher-reach",
                               "pusher-push", "push-t", "cartpole-swingup", "bullet-push-cube"}) {
    INFO(id);
    const std::unique_ptr<Env> moved = registry().make(id);
    wander(*moved, 3, 40);
    const std::vector<float> obs(moved->observation().begin(), moved->observation().end());

    const std::unique_ptr<Env> posed = registry().make(id);
    posed->reset(3);  // the same goal (its markers are not in the observation), where moved began
    REQUIRE(largest_body_gap(*moved, *posed) > 0.01);
    REQUIRE(posed->pose_observation(obs));
    // resting objects sink a little into the floor in the simulation; the pose puts them on it
    CHECK(largest_body_gap(*moved, *posed) < 2e-3);
    // posing its own observation again changes nothing (to float rounding): positions are all
    // it reads
    const std::vector<float> again(posed->observation().begin(), posed->observation().end());
    REQUIRE(posed->pose_observation(again));
    for (size_t i = 0; i < again.size(); ++i) {
      CHECK(posed->observation()[i] == Approx(again[i]).margin(1e-6));
    }
  }
}

TEST_CASE("cheetah: the pose keeps the unobserved root x and zeroes the velocities") {
  const std::unique_ptr<Env> moved = registry().make("cheetah-run");
  wander(*moved, 5, 30);
  const std::unique_ptr<Env> posed = moved->clone();
  wander(*moved, 6, 30);
  const std::span<const float> obs = moved->observation();
  REQUIRE(posed->pose_observation(obs));
  const int nq = posed->world()->draw().model->nq;
  const std::span<const float> got = posed->observation();
  for (int i = 0; i < nq - 1; ++i) CHECK(got[i] == Approx(obs[i]).margin(1e-6));
  for (size_t i = nq - 1; i < got.size(); ++i) CHECK(got[i] == 0.0f);
}

TEST_CASE("posing needs an observation of the env's size, and a task that knows its pose") {
  const std::unique_ptr<Env> env = registry().make("pusher-push");
  env->reset(1);
  const std::vector<float> short_obs(3, 0.0f);
  CHECK_THROWS_WITH(env->pose_observation(short_obs),
                    Catch::Contains("pusher-push") && Catch::Contains("3 values, expected"));
  const std::unique_ptr<Env> tower = registry().make("bullet-tower");
  tower->reset(1);
  const std::vector<float> obs(tower->observation().begin(), tower->observation().end());
  CHECK_FALSE(tower->pose_observation(obs));
}

TEST_CASE("a pixel env poses its state observation into the world it draws") {
  uw::Options options;
  options.set("pixels", "32");
  const std::unique_ptr<Env> pixels = registry().make("pointmass-reach", options);
  pixels->reset(4);
  const std::unique_ptr<Env> state = registry().make("pointmass-reach");
  wander(*state, 4, 20);
  REQUIRE(pixels->pose_observation(state->observation()));
  CHECK(largest_body_gap(*state, *pixels) < 1e-6);  // the observation is float
}
