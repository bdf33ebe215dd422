#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "allocation_counter.h"
#include "core/error.h"
#include "core/random.h"
#include "envs/registry.h"
#include "envs/vector_env.h"
#include "tests/test_util.h"

using Catch::Matchers::Contains;
using namespace uw::envs;

using uw::test::same_bits;

namespace {

const Registry& registry() {
  static const Registry r = make_default_registry();
  return r;
}

std::unique_ptr<Env> make(const std::string& id, int max_steps = 0) {
  uw::Options options;
  if (max_steps > 0) options.set("max_steps", std::to_string(max_steps));
  return registry().make(id, options);
}

std::vector<float> random_actions(const VectorEnv& envs, int steps, uint64_t seed) {
  uw::Rng rng(seed);
  const size_t a = envs.action_size();
  std::vector<float> actions(size_t(steps) * envs.num_envs() * a);
  for (size_t i = 0; i < actions.size() / a; ++i) {
    envs.spec().action_space.sample(rng, std::span(actions).subspan(i * a, a));
  }
  return actions;
}

std::span<const float> row(std::span<const float> batch, int i, int size) {
  return batch.subspan(size_t(i) * size, size);
}

// The observation row of env i as the batch holds it now.
std::vector<float> batch_row_copy(const VectorEnv& envs, int i) {
  const std::span<const float> obs = envs.env(i).observation();
  return {obs.begin(), obs.end()};
}

}  // namespace

TEST_CASE("env i of a batch is seeded with seed + i") {
  VectorEnv envs(make("pointmass-reach"), {4, 2, AutoresetMode::kNextStep});
  const BatchStep batch = envs.reset(100);
  for (int i = 0; i < 4; ++i) {
    auto single = make("pointmass-reach");
    CHECK(same_bits(row(batch.obs, i, envs.obs_size()), single->reset(100 + i).obs));
  }
}

TEST_CASE("an unseeded first reset still gives every env its own episode") {
  VectorEnv envs(make("pointmass-reach"), {3, 1, AutoresetMode::kNextStep});
  const BatchStep batch = envs.reset();
  for (int i = 0; i < 3; ++i) {
    CHECK(same_bits(row(batch.obs, i, envs.obs_size()), make("pointmass-reach")->reset(i).obs));
  }
}

TEST_CASE("results do not depend on the thread count") {
  // pointmass episodes are 30 steps here, so 100 steps cross several autoresets
  std::vector<std::vector<float>> traces;
  for (int threads : {1, 2, 3}) {
    VectorEnv envs(make("pointmass-reach", 30), {5, threads, AutoresetMode::kNextStep});
    const std::vector<float> actions = random_actions(envs, 100, 7);
    const size_t batch_actions = size_t(5) * envs.action_size();
    std::vector<float> trace;
    BatchStep batch = envs.reset(3);
    for (int t = 0; t < 100; ++t) {
      batch = envs.step(std::span(actions).subspan(t * batch_actions, batch_actions));
      trace.insert(trace.end(), batch.obs.begin(), batch.obs.end());
      trace.insert(trace.end(), batch.rewards.begin(), batch.rewards.end());
      for (int i = 0; i < 5; ++i) trace.push_back(batch.truncated[i] + 2 * batch.was_reset[i]);
    }
    traces.push_back(trace);
  }
  CHECK(same_bits(traces[0], traces[1]));
  CHECK(same_bits(traces[0], traces[2]));
}

TEST_CASE("next-step autoreset: the step after the end is a reset") {
  VectorEnv envs(make("cartpole-swingup", 5), {2, 1, AutoresetMode::kNextStep});
  auto single = make("cartpole-swingup", 5);
  envs.reset(9);
  single->reset(9);
  const std::vector<float> actions = {0.5f, 0.5f};
  BatchStep batch;
  for (int t = 0; t < 5; ++t) {
    batch = envs.step(actions);
    single->step(std::span(actions).first(1));
  }
  CHECK(batch.truncated[0]);
  CHECK(batch.reasons[0] == EndReason::kTimeLimit);
  CHECK(same_bits(row(batch.obs, 0, envs.obs_size()), single->observation()));
  batch = envs.step(actions);
  CHECK(batch.was_reset[0]);
  CHECK(batch.rewards[0] == 0.0f);
  CHECK_FALSE(batch.truncated[0]);
  CHECK(same_bits(row(batch.obs, 0, envs.obs_size()), single->reset(std::nullopt).obs));
  batch = envs.step(actions);
  CHECK_FALSE(batch.was_reset[0]);
}

TEST_CASE("same-step autoreset: the last observation goes to final_obs") {
  VectorEnv envs(make("cartpole-swingup", 4), {2, 2, AutoresetMode::kSameStep});
  auto single = make("cartpole-swingup", 4);
  envs.reset(5);
  single->reset(5);
  const std::vector<float> actions = {-0.3f, -0.3f};
  BatchStep batch;
  TimeStep last;
  for (int t = 0; t < 4; ++t) {
    batch = envs.step(actions);
    last = single->step(std::span(actions).first(1));
  }
  REQUIRE(batch.truncated[0]);
  CHECK(batch.has_final_obs[0]);
  CHECK(batch.rewards[0] == last.reward);
  CHECK(same_bits(row(batch.final_obs, 0, envs.obs_size()), last.obs));
  CHECK(same_bits(row(batch.obs, 0, envs.obs_size()), single->reset(std::nullopt).obs));
  batch = envs.step(actions);
  CHECK_FALSE(batch.has_final_obs[0]);
  CHECK_FALSE(batch.truncated[0]);
}

TEST_CASE("disabled autoreset: an ended env must be reset by mask") {
  VectorEnv envs(make("cartpole-swingup", 3), {2, 1, AutoresetMode::kDisabled});
  envs.reset(1);
  const std::vector<float> actions = {0.0f, 0.0f};
  for (int t = 0; t < 3; ++t) envs.step(actions);
  CHECK_THROWS_WITH(envs.step(actions), Contains("env 0 has ended") && Contains("reset"));
  // reset env 0 only: env 1 stays ended and keeps its row
  const std::vector<float> before(batch_row_copy(envs, 1));
  BatchStep batch = envs.reset(50, std::vector<uint8_t>{1, 0});
  CHECK(batch.was_reset[0]);
  CHECK_FALSE(batch.was_reset[1]);
  CHECK(same_bits(row(batch.obs, 0, envs.obs_size()), make("cartpole-swingup")->reset(50).obs));
  CHECK(same_bits(row(batch.obs, 1, envs.obs_size()), before));
  CHECK_THROWS_WITH(envs.step(actions), Contains("env 1 has ended"));
  batch = envs.reset(50, std::vector<uint8_t>{0, 1});
  CHECK(same_bits(row(batch.obs, 1, envs.obs_size()), make("cartpole-swingup")->reset(51).obs));
  CHECK_NOTHROW(envs.step(actions));
  CHECK_THROWS_WITH(envs.reset(1, std::vector<uint8_t>{1}), Contains("mask has 1 entries"));
}

TEST_CASE("a bad batch of actions is refused before any env moves") {
  VectorEnv envs(make("reacher-reach"), {3, 2, AutoresetMode::kNextStep});
  CHECK_THROWS_WITH(envs.step(std::vector<float>(6, 0.0f)), Contains("before reset"));
  envs.reset(0);
  envs.step(std::vector<float>(6, 0.1f));
  std::vector<std::vector<double>> before;
  for (int i = 0; i < 3; ++i) before.push_back(envs.env(i).save_state());

  std::vector<float> nan(6, 0.2f);
  nan[5] = NAN;
  CHECK_THROWS_WITH(envs.step(nan), Contains("action[1] of env 2 is NaN"));
  CHECK_THROWS_WITH(envs.step(std::vector<float>(5, 0.0f)),
                    Contains("5 values, expected 6") && Contains("3 envs x 2"));
  for (int i = 0; i < 3; ++i) CHECK(envs.env(i).save_state() == before[i]);
}

#if UMWELT_COUNTS_ALLOCATIONS
TEST_CASE("a vector env step allocates nothing") {
  for (AutoresetMode mode : {AutoresetMode::kNextStep, AutoresetMode::kSameStep}) {
    for (const char* id : {"pointmass-reach", "cheetah-run"}) {
      VectorEnv envs(make(id, 20), {4, 2, mode});
      const std::vector<float> actions = random_actions(envs, 60, 1);
      const size_t batch_actions = size_t(4) * envs.action_size();
      envs.reset(0);
      envs.step(std::span(actions).first(batch_actions));  // first use warms up every buffer
      uw::test::start_counting_allocations();
      for (int t = 1; t < 60; ++t) {  // crosses several autoresets
        envs.step(std::span(actions).subspan(t * batch_actions, batch_actions));
      }
      const long allocations = uw::test::stop_counting_allocations();
      INFO(id << ", autoreset " << autoreset_mode_name(mode));
      CHECK(allocations == 0);
    }
  }
}
#endif

TEST_CASE("the batch declares its size and autoreset mode in its spec") {
  VectorEnv envs(make("reacher-reach"), {3, 1, AutoresetMode::kSameStep});
  CHECK(envs.vector_spec().env == envs.env(2).spec());
  const nlohmann::json json = vector_spec_to_json(envs.vector_spec());
  CHECK(json["num_envs"] == 3);
  CHECK(json["autoreset_mode"] == "same-step");
  CHECK(json["env"]["id"] == "reacher-reach");
}

TEST_CASE("bad vector configurations are clear errors") {
  CHECK_THROWS_WITH(VectorEnv(make("cartpole-swingup"), {0, 1, AutoresetMode::kNextStep}),
                    Contains("at least 1"));
  CHECK_THROWS_WITH(parse_autoreset_mode("sometimes"), Contains("next-step, same-step"));
  CHECK(parse_autoreset_mode("same-step") == AutoresetMode::kSameStep);
}

namespace {

// Steps the batch through `steps` batch steps of `actions` from step `from`, and returns every
// observation and reward it gave.
std::vector<float> trace(VectorEnv& envs, const std::vector<float>& actions, int from, int steps) {
  const size_t batch_actions = size_t(envs.num_envs()) * envs.action_size();
  std::vector<float> out;
  for (int t = from; t < from + steps; ++t) {
    const BatchStep batch = envs.step(std::span(actions).subspan(t * batch_actions, batch_actions));
    out.insert(out.end(), batch.obs.begin(), batch.obs.end());
    out.insert(out.end(), batch.rewards.begin(), batch.rewards.end());
  }
  return out;
}

}  // namespace

TEST_CASE("batched save and restore round trip bit-exactly, whatever the thread count") {
  std::vector<std::vector<double>> saved_by_threads;
  for (int threads : {1, 2}) {
    for (const char* id : {"pusher-push", "cheetah-run"}) {
      INFO(id << ", " << threads << " threads");
      VectorEnv envs(make(id, 40), {4, threads, AutoresetMode::kNextStep});
      const std::vector<float> actions = random_actions(envs, 100, 3);
      envs.reset(5);
      trace(envs, actions, 0, 25);
      std::vector<double> saved(size_t(4) * envs.state_size());
      envs.save_states(saved);
      const std::vector<float> ahead = trace(envs, actions, 25, 30);  // crosses autoresets
      std::vector<double> after(saved.size());
      envs.save_states(after);

      const BatchStep restored = envs.restore_states(saved);
      for (int i = 0; i < 4; ++i) {
        CHECK(same_bits(row(restored.obs, i, envs.obs_size()), envs.env(i).observation()));
      }
      CHECK(trace(envs, actions, 25, 30) == ahead);
      std::vector<double> again(saved.size());
      envs.save_states(again);
      CHECK(same_bits(again, after));
      if (std::string(id) == "pusher-push") saved_by_threads.push_back(saved);
    }
  }
  REQUIRE(saved_by_threads.size() == 2);
  CHECK(same_bits(saved_by_threads[0], saved_by_threads[1]));
}

TEST_CASE("batched restore with a mask leaves the other envs alone, and brings goals along") {
  VectorEnv envs(make("pointmass-reach", 50), {4, 2, AutoresetMode::kNextStep});
  const std::vector<float> actions = random_actions(envs, 20, 4);
  BatchStep batch = envs.reset(1);
  const int g = static_cast<int>(envs.spec().goal_space->flat_size());
  REQUIRE(batch.goals.size() == size_t(4) * g);
  REQUIRE(batch.goal_obs.size() == size_t(4) * envs.obs_size());
  std::vector<double> saved(size_t(4) * envs.state_size());
  envs.save_states(saved);
  const std::vector<float> goals_before(batch.goals.begin(), batch.goals.end());
  envs.reset(100);  // new episodes, new goals
  trace(envs, actions, 0, 5);
  std::vector<double> moved(saved.size());
  envs.save_states(moved);

  const std::vector<uint8_t> mask = {0, 1, 0, 1};
  batch = envs.restore_states(saved, mask);
  std::vector<double> now(saved.size());
  envs.save_states(now);
  const size_t s = envs.state_size();
  for (int i = 0; i < 4; ++i) {
    INFO("env " << i);
    const std::vector<double>& expected = mask[i] ? saved : moved;
    CHECK(same_bits(std::span(now).subspan(i * s, s), std::span(expected).subspan(i * s, s)));
    CHECK(same_bits(row(batch.goals, i, g), envs.env(i).goal()->values()));
    CHECK(same_bits(row(batch.goal_obs, i, envs.obs_size()), envs.env(i).goal()->observation()));
    if (mask[i]) {
      CHECK(same_bits(row(batch.goals, i, g), std::span(goals_before).subspan(i * g, g)));
      CHECK(batch.rewards[i] == 0.0f);
      CHECK(batch.success[i] == static_cast<int8_t>(envs.env(i).goal()->reached()));
    }
  }
}

TEST_CASE("restoring an ended episode: the next step resets it; a mid-episode state steps on") {
  for (AutoresetMode mode :
       {AutoresetMode::kNextStep, AutoresetMode::kSameStep, AutoresetMode::kDisabled}) {
    INFO(autoreset_mode_name(mode));
    // states mid-episode and at its end, from a batch whose envs wait ended
    VectorEnv source(make("cheetah-run", 3), {2, 1, AutoresetMode::kNextStep});
    const std::vector<float> actions = random_actions(source, 10, 2);
    source.reset(0);
    trace(source, actions, 0, 1);
    std::vector<double> mid(size_t(2) * source.state_size());
    source.save_states(mid);
    trace(source, actions, 1, 2);  // step 3: both episodes end
    std::vector<double> ended(mid.size());
    source.save_states(ended);

    VectorEnv envs(make("cheetah-run", 3), {2, 1, mode});
    envs.reset(0);
    trace(envs, actions, 0, 3);

    // an ended env restored to mid-episode steps on, with no reset
    BatchStep batch = envs.restore_states(mid);
    CHECK_FALSE(envs.env(0).episode_ended());
    batch = envs.step(std::span(actions).subspan(0, 2 * envs.action_size()));
    CHECK(batch.was_reset[0] == 0);

    // a mid-episode env restored to an ended state is ended
    envs.restore_states(mid);
    envs.restore_states(ended);
    CHECK(envs.env(0).episode_ended());
    if (mode != AutoresetMode::kDisabled) {
      batch = envs.step(std::span(actions).subspan(0, 2 * envs.action_size()));
      CHECK(batch.was_reset[0] == 1);
      CHECK(batch.was_reset[1] == 1);
      CHECK_FALSE(envs.env(0).episode_ended());
    } else {
      CHECK_THROWS_WITH(envs.step(std::span(actions).subspan(0, 2 * envs.action_size())),
                        Contains("has ended its episode"));
    }
  }
}

TEST_CASE("a bad batch of states is refused and every env stays as it was") {
  VectorEnv envs(make("pusher-push"), {3, 2, AutoresetMode::kNextStep});
  envs.reset(7);
  std::vector<double> saved(size_t(3) * envs.state_size());
  envs.save_states(saved);
  std::vector<double> other(saved.size());
  envs.reset(8);
  envs.save_states(other);

  CHECK_THROWS_WITH(envs.restore_states(std::span(saved).first(saved.size() - 1)),
                    Contains("3 x ") && Contains("values"));
  const std::vector<uint8_t> short_mask = {1, 1};
  CHECK_THROWS_WITH(envs.restore_states(saved, short_mask), Contains("mask has 2 entries"));
  CHECK_THROWS(envs.save_states(std::span(saved).first(3)));
  // env 2's row is corrupt: envs 0 and 1, restored before the error, go back too
  std::vector<double> corrupt = saved;
  corrupt[2 * envs.state_size() + envs.state_size() - 1] = NAN;
  CHECK_THROWS_WITH(envs.restore_states(corrupt), Contains("env 2"));
  std::vector<double> now(saved.size());
  envs.save_states(now);
  CHECK(same_bits(now, other));
}

#if UMWELT_COUNTS_ALLOCATIONS
TEST_CASE("batched save and restore allocate nothing") {
  for (const char* id : {"pointmass-reach", "cheetah-run"}) {
    VectorEnv envs(make(id, 20), {4, 2, AutoresetMode::kNextStep});
    envs.reset(0);
    std::vector<double> states(size_t(4) * envs.state_size());
    const std::vector<uint8_t> mask = {1, 0, 1, 1};
    envs.save_states(states);
    envs.restore_states(states, mask);  // first use warms up every buffer
    uw::test::start_counting_allocations();
    for (int k = 0; k < 20; ++k) {
      envs.save_states(states);
      envs.restore_states(states,
                          k % 2 ? std::span<const uint8_t>(mask) : std::span<const uint8_t>());
    }
    const long allocations = uw::test::stop_counting_allocations();
    INFO(id);
    CHECK(allocations == 0);
  }
}
#endif

TEST_CASE("restoring states saved before the first reset: the envs wait for a reset") {
  VectorEnv fresh(make("pointmass-reach"), {2, 1, AutoresetMode::kNextStep});
  std::vector<double> unstarted(size_t(2) * fresh.state_size());
  fresh.save_states(unstarted);
  VectorEnv envs(make("pointmass-reach"), {2, 2, AutoresetMode::kNextStep});
  envs.reset(3);
  envs.restore_states(unstarted);
  CHECK(envs.env(0).episode_ended());
  const std::vector<float> actions = random_actions(envs, 1, 1);
  const BatchStep batch = envs.step(actions);  // resets them, with no throw from inside a step
  CHECK(batch.was_reset[0] == 1);
  CHECK(batch.was_reset[1] == 1);
}
