#include <algorithm>
#include <catch2/catch.hpp>

#include "core/error.h"
#include "datagen/episode_pools.h"
#include "datagen/window_sampler.h"
#include "tests/datagen/datagen_test_util.h"

using namespace uw::test;

TEST_CASE("window sampler: windows lie inside one episode and match its data") {
  TempDir dir("windows");
  auto config = small_config(6);
  config.policy = "ou";
  uw::data::generate(registry(), config, dir / "d", {});
  uw::data::Dataset dataset = uw::data::Dataset::open(dir / "d");
  std::vector<uw::data::Episode> episodes;
  dataset.for_each([&](const uw::data::Episode& e) { episodes.push_back(e); });
  uw::data::WindowSampler sampler = uw::data::load_window_sampler(dataset, 5);
  CHECK(sampler.windows() == 6 * (25 - 5 + 1));
  uw::Rng rng(1);
  uw::data::WindowBatch batch;
  std::vector<int> starts_seen(21, 0);
  for (int round = 0; round < 50; ++round) {
    sampler.sample(rng, 32, batch);
    REQUIRE(batch.observations.size() == 32 * 6 * 4);
    REQUIRE(batch.actions.size() == 32 * 5 * 2);
    for (int b = 0; b < 32; ++b) {
      const uw::data::Episode& e = episodes.at(batch.episode[b]);
      const int64_t s = batch.start[b];
      REQUIRE(s + 5 <= e.steps);
      ++starts_seen[s];
      for (int i = 0; i < 6 * 4; ++i) {
        REQUIRE(batch.observations[b * 24 + i] == e.observations[s * 4 + i]);
      }
      for (int i = 0; i < 5 * 2; ++i) REQUIRE(batch.actions[b * 10 + i] == e.actions[s * 2 + i]);
      for (int i = 0; i < 5; ++i) REQUIRE(batch.rewards[b * 5 + i] == e.rewards[s + i]);
    }
  }
  // 1600 windows over 21 starts: each start about 76 times
  for (int count : starts_seen) CHECK(count > 40);
}

TEST_CASE("window sampler: short episodes give no windows; an empty sampler is an error") {
  uw::data::WindowSampler sampler(1, 1, 10);
  uw::data::Episode e;
  e.steps = 9;
  e.observations.assign(10, 0.0f);
  e.actions.assign(9, 0.0f);
  e.rewards.assign(9, 0.0f);
  sampler.add(e);
  CHECK(sampler.windows() == 0);
  uw::Rng rng(0);
  uw::data::WindowBatch batch;
  CHECK_THROWS_WITH(sampler.sample(rng, 4, batch), Catch::Contains("no window of 10 steps"));
  CHECK_THROWS_AS(uw::data::WindowSampler(1, 1, 0), uw::Error);
}

TEST_CASE("episode pools: each pass streams every episode once, in a seeded order") {
  TempDir dir("pools");
  uw::data::generate(registry(), small_config(10), dir / "d", {});
  const uw::data::Dataset dataset = uw::data::Dataset::open(dir / "d");
  const std::vector<int64_t> positions = {0, 2, 3, 5, 6, 7, 9};
  const uw::data::EpisodePools pools(dataset, positions, 3, 5, 11);
  CHECK(pools.pools_per_pass() == 3);
  std::vector<std::vector<int64_t>> passes(2);
  for (int64_t p = 0; p < 6; ++p) {
    const std::vector<int64_t> members = pools.members(p);
    CHECK(members.size() == (p % 3 == 2 ? 1u : 3u));
    passes[p / 3].insert(passes[p / 3].end(), members.begin(), members.end());
    const auto sampler = pools.load(p);
    CHECK(sampler->episodes() == static_cast<int64_t>(members.size()));
    CHECK(sampler->window() == 5);
  }
  CHECK(passes[0] != passes[1]);  // each pass its own order
  for (auto& pass : passes) {
    std::sort(pass.begin(), pass.end());
    CHECK(pass == positions);
  }
  CHECK(pools.members(4) == uw::data::EpisodePools(dataset, positions, 3, 5, 11).members(4));
  CHECK_THROWS_WITH(uw::data::EpisodePools(dataset, {}, 3, 5, 11),
                    Catch::Contains("no episodes to stream"));
}
