#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/random.h"
#include "envs/env_spec.h"
#include "envs/space.h"

using Catch::Matchers::Contains;
using uw::envs::Space;

TEST_CASE("a Box round trips through JSON, infinities included") {
  const Space box = Space::box({3}, {-INFINITY, -1.0f, 0.5f}, {INFINITY, 1.0f, 2.0f});
  const nlohmann::json json = uw::envs::space_to_json(box);
  CHECK(json["low"][0] == "-inf");
  CHECK(json["high"][0] == "inf");
  CHECK(uw::envs::space_from_json(json, "space") == box);

  const Space uniform = Space::box({2, 2}, -1.0f, 1.0f);
  CHECK(uw::envs::space_to_json(uniform)["low"] == -1.0);  // equal bounds are one number
  CHECK(uw::envs::space_from_json(uw::envs::space_to_json(uniform), "space") == uniform);

  const Space discrete = Space::discrete(5);
  CHECK(uw::envs::space_from_json(uw::envs::space_to_json(discrete), "space") == discrete);
}

TEST_CASE("bad space JSON names the field") {
  auto parse = [](const char* text) {
    return uw::envs::space_from_json(nlohmann::json::parse(text), "spec.action_space");
  };
  CHECK_THROWS_WITH(parse(R"({"type":"ball"})"), Contains("spec.action_space.type"));
  CHECK_THROWS_WITH(parse(R"({"type":"box","shape":[2],"low":[0],"high":1})"),
                    Contains("spec.action_space.low") && Contains("expected 2 values"));
  CHECK_THROWS_WITH(parse(R"({"type":"box","shape":[1],"low":"big","high":1})"),
                    Contains("spec.action_space.low"));
  CHECK_THROWS_WITH(parse(R"({"type":"box","shape":[1],"low":2,"high":1})"),
                    Contains("not an interval"));
  CHECK_THROWS_WITH(parse(R"({"type":"discrete","n":0})"), Contains("n >= 1"));
}

TEST_CASE("violation explains why a value is outside the space") {
  const Space box = Space::box({2}, -1.0f, 1.0f);
  CHECK(box.violation(std::vector<float>{0.0f, 1.0f}).empty());
  CHECK_THAT(box.violation(std::vector<float>{0.0f}), Contains("has 1 values, expected 2"));
  CHECK_THAT(box.violation(std::vector<float>{0.0f, 1.5f}), Contains("value 1 = 1.5"));
  CHECK_THAT(box.violation(std::vector<float>{NAN, 0.0f}), Contains("NaN"));
  CHECK_THAT(Space::discrete(3).violation(std::vector<float>{1.5f}), Contains("not an integer"));
}

TEST_CASE("clip and sample respect the bounds") {
  const Space box = Space::box({3}, {-1.0f, 0.0f, -INFINITY}, {1.0f, 2.0f, INFINITY});
  std::vector<float> x = {5.0f, -3.0f, 1e30f};
  box.clip(x);
  CHECK(x == std::vector<float>{1.0f, 0.0f, 1e30f});
  uw::Rng rng(1);
  for (int i = 0; i < 1000; ++i) {
    box.sample(rng, x);
    REQUIRE(box.contains(x));
    REQUIRE(std::abs(x[2]) <= 1.0f);  // unbounded dimensions sample [-1, 1]
  }
}

TEST_CASE("a spec round trips through JSON and bad specs name the field") {
  uw::envs::EnvSpec spec;
  spec.id = "test";
  spec.engine = "mujoco";
  spec.observation_space = Space::box({4}, -INFINITY, INFINITY);
  spec.action_space = Space::box({2}, -1.0f, 1.0f);
  spec.goal_space = Space::box({2}, -1.0f, 1.0f);
  spec.physics_dt = 0.01;
  spec.substeps = 5;
  spec.max_episode_steps = 200;
  spec.options.set("substeps", "5");
  const nlohmann::json json = uw::envs::spec_to_json(spec);
  CHECK(json["control_dt"] == Approx(0.05));
  CHECK(uw::envs::spec_from_json(json) == spec);

  nlohmann::json bad = json;
  bad["max_episode_steps"] = 0;
  CHECK_THROWS_WITH(uw::envs::spec_from_json(bad), Contains("spec.max_episode_steps"));
  bad = json;
  bad.erase("observation_space");
  CHECK_THROWS_WITH(uw::envs::spec_from_json(bad), Contains("spec.observation_space: missing"));
}
