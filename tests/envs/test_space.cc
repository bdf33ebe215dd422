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

TEST_CASE("a uint8 Box holds integers in [0, 255] and keeps its dtype in JSON") {
  const Space image = Space::image(4, 6);
  CHECK(image.dtype() == Space::Dtype::kUint8);
  CHECK(image.shape() == std::vector<int64_t>{4, 6, 3});
  CHECK(image.flat_size() == 72);
  CHECK(image.describe() == "Box(0, 255, (4, 6, 3), uint8)");
  const nlohmann::json json = uw::envs::space_to_json(image);
  CHECK(json["dtype"] == "uint8");
  CHECK(uw::envs::space_from_json(json, "space") == image);
  CHECK_FALSE(uw::envs::space_from_json(json, "space") == Space::box({4, 6, 3}, 0.0f, 255.0f));

  const Space bytes = Space::box({3}, 0.0f, 255.0f, Space::Dtype::kUint8);
  CHECK_THAT(bytes.violation(std::vector<float>{0.0f, 1.5f, 2.0f}), Contains("not an integer"));
  CHECK_THAT(bytes.violation(std::vector<float>{0.0f, 256.0f, 2.0f}), Contains("outside"));
  std::vector<float> x = {-3.0f, 7.6f, 300.0f};
  bytes.clip(x);
  CHECK(x == std::vector<float>{0.0f, 8.0f, 255.0f});
  uw::Rng rng(3);
  std::vector<int> seen(256, 0);
  for (int i = 0; i < 20000; ++i) {
    bytes.sample(rng, x);
    REQUIRE(bytes.contains(x));
    ++seen[static_cast<int>(x[0])];
  }
  CHECK(seen.front() > 0);
  CHECK(seen.back() > 0);

  CHECK_THROWS_WITH(Space::box({1}, -1.0f, 255.0f, Space::Dtype::kUint8),
                    Contains("not an integer in [0, 255]"));
  CHECK_THROWS_WITH(Space::box({1}, 0.0f, 0.5f, Space::Dtype::kUint8), Contains("uint8"));
  nlohmann::json bad = json;
  bad["dtype"] = "int16";
  CHECK_THROWS_WITH(uw::envs::space_from_json(bad, "spec.pixel_space"),
                    Contains("spec.pixel_space.dtype") && Contains("uint8"));
}

TEST_CASE("a spec round trips through JSON and bad specs name the field") {
  uw::envs::EnvSpec spec;
  spec.id = "test";
  spec.engine = "mujoco";
  spec.engine_versions = {{"mujoco", "4.0.0"}};
  spec.observation_space = Space::box({4}, -INFINITY, INFINITY);
  spec.action_space = Space::box({2}, -1.0f, 1.0f);
  spec.goal_space = Space::box({2}, -1.0f, 1.0f);
  spec.physics_dt = 0.01;
  spec.substeps = 5;
  spec.max_episode_steps = 200;
  spec.options.set("substeps", "5");
  const nlohmann::json json = uw::envs::spec_to_json(spec);
  CHECK(json["control_dt"] == Approx(0.05));
  CHECK(json["engine_versions"]["mujoco"] == "4.0.0");
  CHECK(uw::envs::spec_from_json(json) == spec);

  nlohmann::json bad = json;
  bad["max_episode_steps"] = 0;
  CHECK_THROWS_WITH(uw::envs::spec_from_json(bad), Contains("spec.max_episode_steps"));
  bad = json;
  bad.erase("observation_space");
  CHECK_THROWS_WITH(uw::envs::spec_from_json(bad), Contains("spec.observation_space: missing"));

  // sensor fields round trip; a spec written before sensors has none; a field outside the
  // observation is named
  uw::envs::EnvSpec with_sensors = spec;
  with_sensors.sensor_fields = {{"touch", 2, 1}, {"gyro", 3, 1}};
  CHECK(uw::envs::spec_from_json(uw::envs::spec_to_json(with_sensors)) == with_sensors);
  nlohmann::json no_sensors = json;
  no_sensors.erase("sensor_fields");
  CHECK(uw::envs::spec_from_json(no_sensors).sensor_fields.empty());
  bad = uw::envs::spec_to_json(with_sensors);
  bad["sensor_fields"][1]["size"] = 2;
  CHECK_THROWS_WITH(uw::envs::spec_from_json(bad),
                    Contains("spec.sensor_fields[1] ('gyro')") && Contains("outside"));

  // with pixels; a spec written before pixel observations has no pixel_space field
  spec.pixel_space = Space::image(64, 48);
  spec.observation_space = Space::box({0}, 0.0f, 0.0f);
  CHECK(uw::envs::spec_from_json(uw::envs::spec_to_json(spec)) == spec);
  nlohmann::json old = json;
  old.erase("pixel_space");
  CHECK_FALSE(uw::envs::spec_from_json(old).has_pixels());
  // a spec written before MuJoCo 4.0 has no engine_versions field
  old.erase("engine_versions");
  CHECK(uw::envs::spec_from_json(old).engine_versions.empty());
  bad = json;
  bad["engine_versions"]["mujoco"] = 4;
  CHECK_THROWS_WITH(uw::envs::spec_from_json(bad), Contains("spec.engine_versions.mujoco"));
  bad = uw::envs::spec_to_json(spec);
  bad["pixel_space"] = uw::envs::space_to_json(Space::box({64, 48}, 0.0f, 1.0f));
  CHECK_THROWS_WITH(uw::envs::spec_from_json(bad),
                    Contains("spec.pixel_space") && Contains("[height, width, 3]"));
}
