#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "agents/agent_policy.h"
#include "core/error.h"
#include "envs/rollout.h"
#include "tests/agents/planning_model.h"
#include "tests/datagen/datagen_test_util.h"

using namespace uw::test;

namespace {

// Every task, and the agents that plan as policy kinds; made once, never moved.
uw::envs::Registry& registry_with_agents() {
  static uw::envs::Registry instance = uw::envs::make_default_registry();
  static const bool added = [] {
    uw::agents::add_agent_policy_kinds(instance);
    return true;
  }();
  (void)added;
  return instance;
}

const std::string kSmallCem = "samples=32,elites=4,iterations=3";

int successes(const fs::path& dir) {
  uw::data::Dataset dataset = uw::data::Dataset::open(dir);
  int n = 0;
  dataset.for_each([&](const uw::data::Episode& e) { n += e.success.value_or(false) ? 1 : 0; });
  return n;
}

}  // namespace

TEST_CASE("agent policies: gen records an oracle's episodes, the same on 1 and 2 threads") {
  TempDir dir("agent_gen");
  uw::data::GenerationConfig config = small_config(4);
  config.max_steps = 80;
  config.policy = "oracle-cem:" + kSmallCem;
  const uw::envs::Registry& registry = registry_with_agents();
  uw::data::generate(registry, config, dir / "one", {.threads = 1});
  uw::data::generate(registry, config, dir / "two", {.threads = 2});
  CHECK(content_hash_of(dir / "one") == content_hash_of(dir / "two"));

  const uw::data::Dataset dataset = uw::data::Dataset::open(dir / "one");
  const nlohmann::json& policy = dataset.manifest().policy;
  CHECK(policy["kind"] == "oracle-cem");
  CHECK(policy["planner"]["samples"] == 32);
  CHECK(policy["planner"]["frameskip"] == 5);
  CHECK(dataset.read(0).policy == "oracle-cem");
  // the planner reaches goals that random actions do not
  config.policy = "random";
  uw::data::generate(registry, config, dir / "random", {});
  CHECK(successes(dir / "one") >= 3);
  CHECK(successes(dir / "random") == 0);
}

TEST_CASE("agent policies: rollout plans in latent space for every env, whatever the threads") {
  uw::envs::RolloutConfig c;
  c.env_id = "pointmass-reach";
  c.steps = 30;
  c.num_envs = 3;
  c.seed = 5;
  c.policy = "latent-cem:model=" + model_dir().string() + "," + kSmallCem + ",cost=sum";
  c.threads = 1;
  const uw::envs::RolloutResult one = uw::envs::run_rollout(registry_with_agents(), c);
  c.threads = 2;
  const uw::envs::RolloutResult two = uw::envs::run_rollout(registry_with_agents(), c);
  CHECK(one.env_steps == 90);
  CHECK(one.final_obs == two.final_obs);
  // the planner acts, unlike the zero policy
  c.policy = "zero";
  const uw::envs::RolloutResult zero = uw::envs::run_rollout(registry_with_agents(), c);
  CHECK(zero.final_obs != one.final_obs);
}

TEST_CASE("agent policies: the oracle plans on a state twin of a pixel env") {
  TempDir dir("agent_pixels");
  uw::data::GenerationConfig config = small_config(2);
  config.max_steps = 80;
  config.options.set("pixels", "16");
  config.policy = "oracle-cem:" + kSmallCem;
  uw::data::generate(registry_with_agents(), config, dir / "d", {});
  CHECK(successes(dir / "d") == 2);
}

TEST_CASE("agent policies: bad specs say what was expected") {
  const uw::envs::Registry& planners = registry_with_agents();
  const auto fails = [&](const std::string& policy, const std::string& env,
                         const std::string& words) {
    INFO(policy);
    uw::envs::RolloutConfig c;
    c.env_id = env;
    c.steps = 1;
    c.policy = policy;
    CHECK_THROWS_WITH(uw::envs::run_rollout(planners, c), Catch::Contains(words));
  };
  const std::string model = "model=" + model_dir().string();
  fails("latent-cem", "pointmass-reach", "policy latent-cem needs model=DIR");
  fails("oracle-cem:" + model, "pointmass-reach", "policy oracle-cem uses no model");
  fails("oracle-cem:samplez=3", "pointmass-reach", "samplez");
  fails("oracle-mppi:samples=0", "pointmass-reach", "planner.samples");
  fails("latent-cem:" + model + ",cost=mean", "pointmass-reach",
        "expected one of final|probe|probe_sum|sum");
  fails("latent-cem:" + model, "reacher-reach", "pointmass-reach");  // a model of another env
  fails("latent-cem:model=/nonexistent", "pointmass-reach", "/nonexistent");
  // planners are not mixture components (each would plan for every row)
  fails("mix:random=0.5,oracle-cem=0.5", "pointmass-reach", "unknown kind 'oracle-cem'");
  // the kinds are listed where one is unknown
  fails("planner", "pointmass-reach", "latent-cem:model=DIR");
  // without the agents, the kinds are unknown
  uw::envs::RolloutConfig c;
  c.env_id = "pointmass-reach";
  c.policy = "oracle-cem";
  CHECK_THROWS_WITH(uw::envs::run_rollout(registry(), c),
                    Catch::Contains("unknown kind 'oracle-cem'"));
}

TEST_CASE("agent policies: a watched agent publishes each plan it makes, for the viewer") {
  const uw::envs::Registry& registry = registry_with_agents();
  const std::unique_ptr<uw::envs::Env> env = registry.make("pointmass-reach");
  uw::agents::WatchedAgentPolicy watched = uw::agents::make_watched_agent_policy(
      registry, "oracle-cem:" + kSmallCem + ",horizon=4", env->spec(), 3);
  uw::agents::PlanTrace trace;
  CHECK_FALSE(watched.watch->latest(0, trace));  // none yet
  watched.policy->bind(0, *env);
  env->reset(7);
  watched.policy->reset(0, 7);
  std::vector<float> unit(2), action(2);
  std::vector<float> planned_from;
  for (int t = 0; t < 12; ++t) {
    if (t == 10) planned_from.assign(env->observation().begin(), env->observation().end());
    watched.policy->act(env->observation(), {}, unit);
    uw::envs::to_action_space(env->spec().action_space, unit, action);
    env->step(action);
  }
  // plans at steps 0, 5 and 10 (frameskip 5, one chunk executed each)
  REQUIRE(watched.watch->latest(0, trace));
  CHECK(trace.number == 3);
  CHECK(trace.step == 10);
  CHECK(trace.plan.size() == 4 * 5 * 2);
  CHECK(trace.candidates.size() == 3 * trace.plan.size());
  CHECK(trace.iteration_costs.size() == 3);
  CHECK(trace.seconds > 0);
  CHECK(trace.observation == planned_from);
  CHECK_FALSE(watched.watch->latest(3, trace));  // nothing newer
  CHECK_THROWS_WITH(uw::agents::make_watched_agent_policy(registry, "random", env->spec(), 3),
                    Catch::Contains("not an agent that plans"));
  CHECK_THROWS_WITH(uw::agents::make_watched_agent_policy(registry, "latent-cem", env->spec(), 3),
                    Catch::Contains("needs model=DIR"));
}
