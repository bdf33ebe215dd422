#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "agents/agent.h"
#include "agents/agent_eval.h"
#include "agents/world_model.h"
#include "core/error.h"
#include "tests/agents/planning_model.h"
#include "tests/datagen/datagen_test_util.h"

using namespace uw::test;
namespace agents = uw::agents;

namespace {

agents::AgentEvalConfig eval_config(const std::string& agent, int64_t episodes) {
  agents::AgentEvalConfig c;
  c.env_id = "pointmass-reach";
  c.agent = agent;
  c.episodes = episodes;
  c.seed = 11;
  c.threads = 2;
  c.overrides = {"planner.samples=64", "planner.elites=8", "planner.iterations=4"};
  return c;
}

double squared_distance(std::span<const float> a, std::span<const float> b) {
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d += (a[i] - b[i]) * (a[i] - b[i]);
  return d;
}

}  // namespace

TEST_CASE("Wilson interval: the known values") {
  auto [low, high] = agents::wilson_interval(0, 10);
  CHECK(low == 0.0);
  CHECK(high == Approx(0.2775).epsilon(1e-3));
  std::tie(low, high) = agents::wilson_interval(10, 10);
  CHECK(low == Approx(0.7225).epsilon(1e-3));
  CHECK(high == Approx(1.0));
  std::tie(low, high) = agents::wilson_interval(50, 100);
  CHECK(low == Approx(0.4038).epsilon(1e-3));
  CHECK(high == Approx(0.5962).epsilon(1e-3));
}

TEST_CASE("umwelt eval: the oracle reaches the goal where random actions do not") {
  const agents::AgentEvalResult oracle =
      agents::evaluate_agent(registry(), eval_config("oracle-cem", 4));
  agents::AgentEvalConfig c = eval_config("random", 4);
  c.overrides.clear();
  const agents::AgentEvalResult random = agents::evaluate_agent(registry(), c);
  CHECK(oracle.success_rate >= 0.75);
  CHECK(random.success_rate == 0.0);
  CHECK(oracle.final_goal_distance < 0.1);
  CHECK(random.final_goal_distance > 0.3);
  CHECK(oracle.mean_return > random.mean_return);
  CHECK(oracle.success_low <= oracle.success_rate);
  CHECK(oracle.success_high >= oracle.success_rate);
  // a plan every 5 actions, each scoring 64 samples x 4 iterations x 5 chunks x 5 actions (less
  // where a plan's rollout ends the episode)
  CHECK(oracle.simulated_steps_per_plan <= 64 * 4 * 25);
  CHECK(oracle.simulated_steps_per_plan > 0.8 * 64 * 4 * 25);
  CHECK(oracle.plan_ms_per_action > 0);
  CHECK(random.plan_ms_per_action == 0);
  const nlohmann::json json = agents::eval_result_to_json(oracle);
  for (const char* key :
       {"episodes", "success_rate", "success_ci95", "mean_return", "final_goal_distance",
        "plan_ms_per_action", "predictor_calls_per_plan"}) {
    CHECK(json.contains(key));
  }
  CHECK(json["planner"]["samples"] == 64);
  CHECK(json["planner"]["frameskip"] == 5);
}

TEST_CASE("umwelt eval: results do not depend on the thread count") {
  agents::AgentEvalConfig c = eval_config("oracle-mppi", 3);
  c.overrides = {"planner.samples=16", "planner.iterations=2", "planner.horizon=3"};
  c.threads = 1;
  const agents::AgentEvalResult one = agents::evaluate_agent(registry(), c);
  c.threads = 3;
  const agents::AgentEvalResult three = agents::evaluate_agent(registry(), c);
  REQUIRE(one.outcomes.size() == 3);
  for (size_t k = 0; k < 3; ++k) {
    CHECK(one.outcomes[k].seed == three.outcomes[k].seed);
    CHECK(one.outcomes[k].total_reward == three.outcomes[k].total_reward);
    CHECK(one.outcomes[k].length == three.outcomes[k].length);
  }
  CHECK(one.outcomes[0].seed != one.outcomes[1].seed);
}

TEST_CASE("MPC: plans every `execute` chunks and plays the plan's actions") {
  std::unique_ptr<uw::envs::Env> env = registry().make("pointmass-reach");
  env->reset(4);
  agents::PlannerConfig p;
  p.horizon = 3;
  p.frameskip = 2;
  p.execute = 2;
  p.samples = 8;
  p.elites = 2;
  p.iterations = 1;
  agents::MpcAgent agent(p, env->spec().action_space, agents::make_oracle_objective(*env));
  agent.reset(*env, 1);
  std::vector<float> action(2);
  for (int t = 0; t < 20; ++t) {
    agent.act(*env, action);
    CHECK(env->spec().action_space.contains(action));
    env->step(action);
  }
  // 20 steps in chunks of 2, replanning every 2 chunks: 5 plans, each playing 8 plans of 6 steps
  CHECK(agent.stats().plans == 5);
  CHECK(agent.stats().actions == 20);
  CHECK(agent.stats().simulated_steps == 5 * 8 * 6);
}

TEST_CASE(
    "latent objective: a plan's cost is the imagined latent's distance to the goal's, or the "
    "goal distance of what the probe decodes from it (the last, or summed over the horizon)") {
  const agents::WorldModel model = agents::WorldModel::load(model_dir());
  std::unique_ptr<uw::envs::Env> env = registry().make("pointmass-reach");
  env->reset(2);
  const int64_t horizon = 3, z = model.latent_dim();
  REQUIRE(model.history() == 2);
  std::unique_ptr<agents::MpcObjective> objective =
      agents::make_latent_goal_objective(model, env->spec(), horizon);
  std::unique_ptr<agents::MpcObjective> probe =
      agents::make_latent_goal_objective(model, env->spec(), horizon, "probe");
  std::unique_ptr<agents::MpcObjective> probe_sum =
      agents::make_latent_goal_objective(model, env->spec(), horizon, "probe_sum");
  CHECK(!probe->has_gradient());
  CHECK(!probe_sum->has_gradient());
  const std::vector<agents::MpcObjective*> all = {objective.get(), probe.get(), probe_sum.get()};
  for (agents::MpcObjective* o : all) {
    o->begin_episode(*env);
    o->observe(*env);
  }
  const std::vector<float> first_obs(env->observation().begin(), env->observation().end());
  const std::vector<float> push = {0.5f, -0.5f};
  for (int t = 0; t < 5; ++t) env->step(push);
  // history: the first observation, then this one
  for (agents::MpcObjective* o : all) o->observe(*env);

  // two candidate plans of horizon x 5 actions: still, and a push (normalised = action units)
  const int64_t n = 2, actions = horizon * 5;
  std::vector<float> sequences(static_cast<size_t>(n * actions * 2), 0.0f);
  for (int64_t i = actions; i < 2 * actions; ++i) {
    sequences[static_cast<size_t>(2 * i)] = 0.8f;
    sequences[static_cast<size_t>(2 * i + 1)] = 0.3f;
  }
  std::vector<float> costs(2), probe_costs(2), probe_sums(2);
  objective->score(n, sequences, costs);
  probe->score(n, sequences, probe_costs);
  probe_sum->score(n, sequences, probe_sums);
  CHECK(objective->predictor_calls() == n * horizon);

  // the same by hand through the model's API
  std::vector<float> history(static_cast<size_t>(2 * z)), goal(static_cast<size_t>(z));
  model.encode(1, first_obs, {}, std::span(history).first(static_cast<size_t>(z)));
  model.encode(1, env->observation(), {}, std::span(history).subspan(static_cast<size_t>(z)));
  model.encode(1, env->goal()->observation(), {}, goal);
  std::vector<float> both(history);
  both.insert(both.end(), history.begin(), history.end());
  std::vector<float> latents(static_cast<size_t>(n * horizon * z));
  model.rollout(n, horizon, both, sequences, latents);
  for (int64_t r = 0; r < n; ++r) {
    const auto last = std::span<const float>(latents).subspan(
        static_cast<size_t>((r * horizon + horizon - 1) * z), static_cast<size_t>(z));
    CHECK(costs[static_cast<size_t>(r)] == Approx(squared_distance(last, goal)).epsilon(1e-5));
    // the probe's observation, and what it achieves (the point mass's position) to the goal
    auto probe_cost_at = [&](int64_t k) {
      std::vector<float> decoded(static_cast<size_t>(model.obs_size())), achieved(2);
      model.decode_state(1,
                         std::span<const float>(latents).subspan(
                             static_cast<size_t>((r * horizon + k) * z), static_cast<size_t>(z)),
                         decoded);
      env->goal()->achieved(decoded, achieved);
      return squared_distance(achieved, env->goal()->values());
    };
    CHECK(probe_costs[static_cast<size_t>(r)] == Approx(probe_cost_at(horizon - 1)).epsilon(1e-5));
    double summed = 0;
    for (int64_t k = 0; k < horizon; ++k) summed += probe_cost_at(k);
    CHECK(probe_sums[static_cast<size_t>(r)] == Approx(summed).epsilon(1e-5));
    CHECK(probe_sums[static_cast<size_t>(r)] > probe_costs[static_cast<size_t>(r)]);
  }
  CHECK(costs[0] != costs[1]);
  CHECK(probe_costs[0] != probe_costs[1]);
}

TEST_CASE("latent objective: its gradient is the cost's (finite differences)") {
  const agents::WorldModel model = agents::WorldModel::load(model_dir());
  std::unique_ptr<uw::envs::Env> env = registry().make("pointmass-reach");
  env->reset(3);
  const int64_t horizon = 2, size = horizon * 5 * 2;
  for (const char* cost : {"final", "sum"}) {
    INFO(cost);
    std::unique_ptr<agents::MpcObjective> objective =
        agents::make_latent_goal_objective(model, env->spec(), horizon, cost);
    objective->begin_episode(*env);
    objective->observe(*env);
    REQUIRE(objective->has_gradient());
    std::vector<float> x(static_cast<size_t>(size));
    for (size_t i = 0; i < x.size(); ++i) x[i] = 0.6f * std::sin(1.3f * static_cast<float>(i));
    std::vector<float> cost_at(1), gradient(x.size());
    objective->score_with_gradient(1, x, cost_at, gradient);
    std::vector<float> plain(1);
    objective->score(1, x, plain);
    CHECK(cost_at[0] == Approx(plain[0]).epsilon(1e-4));
    for (const size_t i : {size_t{0}, size_t{7}, x.size() - 1}) {
      const float h = 1e-2f;
      std::vector<float> up = x, down = x, c_up(1), c_down(1);
      up[i] += h;
      down[i] -= h;
      objective->score(1, up, c_up);
      objective->score(1, down, c_down);
      const double numeric = (c_up[0] - c_down[0]) / (2.0 * h);
      CHECK(gradient[i] == Approx(numeric).margin(2e-3 + 0.05 * std::abs(numeric)));
    }
  }
}

TEST_CASE("umwelt eval: a latent agent plans with a model, counting its predictor calls") {
  agents::AgentEvalConfig c = eval_config("latent-cem", 2);
  c.model = model_dir().string();
  c.overrides = {"planner.samples=32", "planner.elites=4", "planner.iterations=2",
                 "planner.horizon=4"};
  const agents::AgentEvalResult r = agents::evaluate_agent(registry(), c);
  CHECK(r.episodes == 2);
  CHECK(r.predictor_calls_per_plan == 32 * 2 * 4);
  CHECK(r.plan_ms_per_action > 0);
  CHECK(r.outcomes[0].length == 200);  // pointmass-reach's time limit
  const nlohmann::json json = agents::eval_result_to_json(r);
  CHECK(json["planner"]["objective_cost"] == "final");

  c.agent = "latent-grad";
  c.overrides = {"planner.samples=4", "planner.iterations=3", "planner.horizon=2"};
  const agents::AgentEvalResult grad = agents::evaluate_agent(registry(), c);
  CHECK(grad.predictor_calls_per_plan == 4 * 4 * 2);  // 3 steps and the final pricing
}

TEST_CASE("umwelt eval: bad input gets a clear error") {
  const auto fails = [](agents::AgentEvalConfig c, const std::string& words) {
    INFO(c.agent);
    CHECK_THROWS_WITH(agents::evaluate_agent(registry(), c), Catch::Contains(words));
  };
  fails(eval_config("planner", 1), "--agent 'planner': expected random, scripted");
  fails(eval_config("latent-cem", 1), "--agent latent-cem needs --model");
  agents::AgentEvalConfig c = eval_config("latent-cem", 1);
  c.model = model_dir().string();
  c.env_id = "reacher-reach";
  fails(c, "pointmass-reach");  // a model of another env
  c = eval_config("latent-cem", 1);
  c.model = model_dir().string();
  c.overrides = {"planner.frameskip=2"};
  fails(c, "planner.frameskip 2: the model predicts chunks of 5 actions");
  c.overrides = {"objective.cost=mean"};
  fails(c, "--set objective.cost=mean: expected one of final|probe|probe_sum|sum");
  c.overrides = {"objective.weight=2"};
  fails(c, "the objective has one field, cost");
  c.overrides = {"planner.samples=0"};
  fails(c, "planner.samples");
  c = eval_config("oracle-cem", 1);
  c.overrides = {"planner.method=grad"};
  fails(c, "this objective gives no gradient");
  c = eval_config("random", 1);
  fails(c, "--set: agent random has no planner to configure");
  c.overrides.clear();
  c.model = model_dir().string();
  fails(c, "--model: agent random uses no model");
  c = eval_config("latent-cem", 1);
  c.model = model_dir().string();
  c.env_id = "cartpole-swingup";
  fails(c, "this task has none");
}
