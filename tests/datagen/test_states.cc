#include <catch2/catch.hpp>

#include "core/error.h"
#include "datagen/codec.h"
#include "datagen/replay.h"
#include "datagen/verify.h"
#include "tests/datagen/datagen_test_util.h"

using namespace uw::test;

namespace {

// The same episodes recorded keeping states every `every` steps.
fs::path generate_with_states(const TempDir& dir, int64_t every) {
  uw::data::GenerationConfig config = small_config(4);
  config.max_steps = 23;  // not a multiple of 5: the last state is not kept
  config.state_every = every;
  const fs::path out = dir / ("states-" + std::to_string(every));
  uw::data::generate(registry(), config, out, {});
  return out;
}

std::vector<uw::data::Episode> episodes_of(const fs::path& dir) {
  std::vector<uw::data::Episode> out;
  uw::data::Dataset dataset = uw::data::Dataset::open(dir);
  dataset.for_each([&](const uw::data::Episode& e) { out.push_back(e); });
  return out;
}

}  // namespace

TEST_CASE("gen --states: all, every=K or none keep those states, verify and replay exactly") {
  TempDir dir("states");
  const fs::path all = generate_with_states(dir, 1);
  const std::vector<uw::data::Episode> reference = episodes_of(all);
  const int64_t S = uw::data::Dataset::open(all).manifest().layout.state_size;
  uint64_t bytes_before = uw::data::Dataset::open(all).manifest().bytes() + 1;
  for (const int64_t every : {int64_t{1}, int64_t{5}, int64_t{0}}) {
    INFO("state_every " << every);
    const fs::path path = every == 1 ? all : generate_with_states(dir, every);
    const uw::data::Dataset dataset = uw::data::Dataset::open(path);
    CHECK(dataset.manifest().generation.state_every == every);
    CHECK(dataset.manifest().layout.state_every == every);
    CHECK(uw::data::verify_dataset(path).ok());
    // fewer states, smaller files
    CHECK(dataset.manifest().bytes() < bytes_before);
    bytes_before = dataset.manifest().bytes();
    const std::vector<uw::data::Episode> episodes = episodes_of(path);
    for (size_t i = 0; i < episodes.size(); ++i) {
      const uw::data::Episode& e = episodes[i];
      const uw::data::Episode& r = reference[i];
      CHECK(e.observations == r.observations);
      REQUIRE(static_cast<int64_t>(e.states.size()) == uw::data::state_rows(e.steps, every) * S);
      for (int64_t row = 0; row < uw::data::state_rows(e.steps, every); ++row) {
        CHECK(same_bits(std::span(e.states).subspan(row * S, S),
                        std::span(r.states).subspan(row * every * S, S)));
      }
      CHECK(uw::data::replay_episode(registry(), dataset, e.index).exact());
      // any step, from the nearest kept state (or the seed), equals the recorded one
      const auto env = registry().make("pointmass-reach");
      for (const int64_t t : {int64_t{0}, int64_t{7}, int64_t{10}, e.steps}) {
        const int64_t from = uw::data::seek_step(*env, e, t);
        CHECK(from == (every == 0 ? 0 : t / every * every));
        CHECK(same_bits(std::span<const double>(env->save_state()),
                        std::span(r.states).subspan(t * S, S)));
        CHECK(same_bits(env->observation(), std::span(r.observations).subspan(t * 4, 4)));
      }
      CHECK_THROWS_AS(uw::data::seek_step(*env, e, e.steps + 1), uw::Error);
    }
    // the payload keeps how many states it holds
    const uw::data::Episode decoded =
        uw::data::decode_episode(uw::data::encode_episode(episodes[0]), "test", 1 << 24);
    CHECK(decoded.state_every == every);
    CHECK(decoded.states == episodes[0].states);
  }
}

TEST_CASE("gen --states: anything but all, none or every=K is refused, naming it") {
  CHECK(uw::data::parse_states("every=3") == 3);
  for (const char* bad : {"some", "every=0", "every=-2", "every=3x", "every="}) {
    CHECK_THROWS_WITH(uw::data::parse_states(bad), Catch::Contains(std::string("'") + bad + "'"));
  }
}
