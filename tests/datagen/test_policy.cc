#include <catch2/catch.hpp>
#include <cmath>

#include "core/error.h"
#include "datagen/recorder.h"
#include "envs/policy.h"
#include "tests/datagen/datagen_test_util.h"

using namespace uw::test;

namespace {

std::vector<float> actions_of(const std::string& spec, uint64_t seed, int steps) {
  auto env = registry().make("reacher-reach");
  auto policy = uw::envs::make_policy(spec, env->spec(), registry().find("reacher-reach").scripted);
  uw::envs::TimeStep step = env->reset(seed);
  policy->reset(0, seed);
  std::vector<float> actions, unit(2), action(2);
  for (int t = 0; t < steps && !step.done(); ++t) {
    policy->act(step.obs, env->goal()->values(), unit);
    for (float u : unit) REQUIRE(std::isfinite(u));
    uw::envs::to_action_space(env->spec().action_space, unit, action);
    REQUIRE(env->spec().action_space.contains(action));
    actions.insert(actions.end(), action.begin(), action.end());
    step = env->step(action);
  }
  return actions;
}

// Correlation of a[t] with a[t+1] over the first action dimension.
double lag_one_correlation(const std::vector<float>& a) {
  std::vector<double> x;
  for (size_t i = 0; i < a.size(); i += 2) x.push_back(a[i]);
  double mean = 0;
  for (double v : x) mean += v / x.size();
  double num = 0, den = 0;
  for (size_t i = 0; i + 1 < x.size(); ++i) num += (x[i] - mean) * (x[i + 1] - mean);
  for (double v : x) den += (v - mean) * (v - mean);
  return num / den;
}

double success_rate(const std::string& env_id, const std::string& policy, int episodes) {
  uw::data::GenerationConfig config;
  config.env_id = env_id;
  config.policy = policy;
  config.episodes = episodes;
  uw::data::EpisodeRecorder recorder(registry(), config);
  int successes = 0;
  for (int k = 0; k < episodes; ++k) successes += recorder.record(k).success.value();
  return double(successes) / episodes;
}

}  // namespace

TEST_CASE("policies: a pure function of the seed, inside the action space") {
  for (const std::string spec : {"random", "ou", "scripted", "mix:random=1,ou=1,scripted=1"}) {
    INFO(spec);
    CHECK(actions_of(spec, 3, 50) == actions_of(spec, 3, 50));
    CHECK(actions_of(spec, 3, 50) != actions_of(spec, 4, 50));
  }
}

TEST_CASE("policies: Ornstein-Uhlenbeck noise is smooth, uniform noise is not") {
  CHECK(lag_one_correlation(actions_of("ou:theta=0.05,sigma=0.1", 1, 200)) > 0.8);
  CHECK(std::abs(lag_one_correlation(actions_of("random", 1, 200))) < 0.2);
}

TEST_CASE("policies: scripted controllers reach the goal; random ones rarely do") {
  for (const std::string& id : registry().ids()) {
    if (registry().find(id).scripted == nullptr) continue;
    INFO(id);
    const double scripted = success_rate(id, "scripted", 10);
    CHECK(scripted >= 0.7);
    CHECK(success_rate(id, "random", 10) < scripted);
  }
}

TEST_CASE("policies: a mixture picks components with its weights") {
  uw::data::GenerationConfig config;
  config.env_id = "pointmass-reach";
  config.policy = "mix:random=0.25,scripted=0.75";
  config.max_steps = 1;
  uw::data::EpisodeRecorder recorder(registry(), config);
  int scripted = 0;
  for (int k = 0; k < 400; ++k) scripted += recorder.record(k).policy == "scripted";
  CHECK(scripted > 270);  // 300 expected, sd about 9
  CHECK(scripted < 330);
}

// A policy for a spec, with the scripted controller of the spec's task.
std::unique_ptr<uw::envs::Policy> make_policy(const std::string& policy,
                                              const uw::envs::EnvSpec& spec) {
  return uw::envs::make_policy(policy, spec, registry().find(spec.id).scripted);
}

TEST_CASE("policies: bad specs are clear errors") {
  const uw::envs::EnvSpec goal = registry().make("pointmass-reach")->spec();
  const uw::envs::EnvSpec no_goal = registry().make("cheetah-run")->spec();
  CHECK_THROWS_WITH(make_policy("greedy", goal), Catch::Contains("unknown kind 'greedy'"));
  CHECK_THROWS_WITH(make_policy("ou:beta=1", goal), Catch::Contains("beta"));
  CHECK_THROWS_WITH(make_policy("ou:theta=2", goal), Catch::Contains("0 < theta <= 1"));
  CHECK_THROWS_WITH(make_policy("scripted", no_goal),
                    Catch::Contains("'cheetah-run' has no scripted controller"));
  CHECK_THROWS_WITH(make_policy("mix:random=0.5,scripted=-1", goal),
                    Catch::Contains("weight of 'scripted' is -1"));
  CHECK_THROWS_WITH(make_policy("mix", goal), Catch::Contains("expected components"));
  CHECK_THROWS_WITH(make_policy("mix:mix=1", goal), Catch::Contains("unknown kind 'mix'"));
  const uw::envs::EnvSpec pixels_only =
      registry()
          .make("pointmass-reach", uw::Options::parse(std::vector<std::string>{"pixels=16"}))
          ->spec();
  CHECK_THROWS_WITH(make_policy("scripted", pixels_only), Catch::Contains("pixels_and_state=1"));
}

TEST_CASE("policies: each row of a batch acts as a policy of its own with the row's seed") {
  auto env = registry().make("pusher-push");
  const uw::envs::EnvSpec& spec = env->spec();
  const uw::envs::ScriptedController scripted = registry().find("pusher-push").scripted;
  constexpr int kRows = 3;
  const size_t d = spec.observation_space.flat_size(), g = spec.goal_space->flat_size();
  // three different episodes, observed side by side
  std::vector<float> obs, goals;
  for (int i = 0; i < kRows; ++i) {
    const uw::envs::TimeStep step = env->reset(10 + i);
    obs.insert(obs.end(), step.obs.begin(), step.obs.end());
    goals.insert(goals.end(), env->goal()->values().begin(), env->goal()->values().end());
  }
  for (const std::string spec_text : {"random", "ou", "scripted", "mix:random=1,ou=1,scripted=1"}) {
    INFO(spec_text);
    auto batch = uw::envs::make_policy(spec_text, spec, scripted, kRows);
    for (int i = 0; i < kRows; ++i) batch->reset(i, 100 + i);
    std::vector<float> together(kRows * 2);
    for (int t = 0; t < 5; ++t) batch->act(obs, goals, together);
    for (int i = 0; i < kRows; ++i) {
      auto alone = uw::envs::make_policy(spec_text, spec, scripted);
      alone->reset(0, 100 + i);
      std::vector<float> own(2);
      for (int t = 0; t < 5; ++t) {
        alone->act(std::span(obs).subspan(i * d, d), std::span(goals).subspan(i * g, g), own);
      }
      CHECK(std::vector<float>(together.begin() + 2 * i, together.begin() + 2 * i + 2) == own);
      CHECK(alone->name(0) == batch->name(i));
    }
  }
}

TEST_CASE("policies: normalised actions map onto the action space") {
  const uw::envs::Space space = uw::envs::Space::box({3}, {-2.0f, 0.0f, -1.0f}, {2.0f, 1.0f, 3.0f});
  std::vector<float> action(3);
  uw::envs::to_action_space(space, std::vector<float>{-1.0f, 0.0f, 1.0f}, action);
  CHECK(action == std::vector<float>{-2.0f, 0.5f, 3.0f});
  uw::envs::to_action_space(space, std::vector<float>{5.0f, -7.0f, 0.5f}, action);  // clamped
  CHECK(action == std::vector<float>{2.0f, 0.0f, 2.0f});
}
