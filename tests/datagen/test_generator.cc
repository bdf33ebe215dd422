#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "datagen/codec.h"
#include "datagen/file_io.h"
#include "datagen/merge.h"
#include "datagen/replay.h"
#include "datagen/shard.h"
#include "datagen/verify.h"
#include "tests/datagen/datagen_test_util.h"

using namespace uw::test;
using uw::data::Dataset;
using uw::data::generate;

namespace {

std::string file_bytes(const fs::path& path) { return uw::data::read_text_file(path); }

}  // namespace

TEST_CASE("generator: the same dataset on 1 and 2 threads, byte for byte") {
  TempDir dir("threads");
  const auto config = small_config(11);
  generate(registry(), config, dir / "one", {.threads = 1});
  generate(registry(), config, dir / "two", {.threads = 2});
  CHECK(content_hash_of(dir / "one") == content_hash_of(dir / "two"));
  for (int64_t j = 0; j < config.total_shards(); ++j) {
    const std::string name = uw::data::shard_file_name(j);
    CHECK(file_bytes(dir / "one" / name) == file_bytes(dir / "two" / name));
  }
  CHECK(uw::data::verify_dataset(dir / "two").ok());
}

TEST_CASE("generator: a 4-way split merged equals one run") {
  TempDir dir("split");
  auto config = small_config(10);  // 4 shards of 3, 3, 3, 1 episodes
  generate(registry(), config, dir / "whole", {});
  std::vector<fs::path> parts = generate_parts(config, 4, dir);
  for (const fs::path& part : parts) CHECK(uw::data::verify_dataset(part).ok());
  // parts merged in any order
  std::swap(parts[0], parts[3]);
  const uw::data::Manifest merged = uw::data::merge_datasets(dir / "merged", parts);
  CHECK(merged.episodes() == 10);
  CHECK(content_hash_of(dir / "merged") == content_hash_of(dir / "whole"));
  CHECK(file_bytes(dir / "merged" / "shards/shard-000002.uws") ==
        file_bytes(dir / "whole" / "shards/shard-000002.uws"));
  // the whole command finds the merged dataset complete
  CHECK(generate(registry(), config, dir / "merged", {}).already_complete);

  SECTION("a missing part, a part twice, or another command's part are refused") {
    CHECK_THROWS_WITH(uw::data::merge_datasets(dir / "m1", {parts[0], parts[1], parts[2]}),
                      Catch::Contains("lack 1 of the 4 shards"));
    CHECK_THROWS_WITH(uw::data::merge_datasets(dir / "m2", {parts[0], parts[0]}),
                      Catch::Contains("is in both"));
    auto other = config;
    other.seed = 8;
    other.shard_count = 4;
    generate(registry(), other, dir / "other", {});
    CHECK_THROWS_WITH(uw::data::merge_datasets(dir / "m3", {parts[0], dir / "other"}),
                      Catch::Contains("seed: 8 in this command, 7 in the dataset"));
    CHECK_THROWS_WITH(uw::data::merge_datasets(dir / "whole", parts),
                      Catch::Contains("is not an empty directory"));
  }
}

TEST_CASE("generator: a rerun resumes a cut-off shard and keeps every whole episode") {
  TempDir dir("resume");
  const auto config = small_config(7);
  generate(registry(), config, dir / "whole", {});
  const std::string expected = content_hash_of(dir / "whole");
  // a killed run: shard 0 finished, shard 1 half-written with its last frame cut, no manifest
  generate(registry(), config, dir / "cut", {});
  fs::remove(dir / "cut" / "manifest.json");
  fs::remove(dir / "cut" / "shards/shard-000002.uws");
  const fs::path shard1 = dir / "cut" / "shards/shard-000001.uws";
  const auto entries =
      uw::data::read_shard_index(uw::data::File(shard1, uw::data::File::Mode::kRead));
  fs::rename(shard1, shard1.string() + ".partial");
  fs::resize_file(shard1.string() + ".partial", entries[1].offset + entries[1].size / 2);

  const uw::data::GenerateResult result = generate(registry(), config, dir / "cut", {});
  CHECK(result.episodes_resumed == 4);  // shard 0 (3) and the first frame of shard 1
  CHECK(result.episodes_recorded == 3);
  CHECK_FALSE(fs::exists(shard1.string() + ".partial"));
  CHECK(uw::data::verify_dataset(dir / "cut").ok());
  CHECK(content_hash_of(dir / "cut") == expected);
}

TEST_CASE("generator: another command on a dataset's directory is refused, saying what differs") {
  TempDir dir("refuse");
  auto config = small_config(4);
  generate(registry(), config, dir / "d", {});
  auto other = config;
  other.policy = "ou";
  other.max_steps = 30;
  try {
    generate(registry(), other, dir / "d", {});
    FAIL("a different command was accepted");
  } catch (const uw::Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("policy: ou in this command, random in the dataset"));
    CHECK_THAT(e.what(), Catch::Contains("max_steps: 30 in this command, 25 in the dataset"));
  }
  fs::create_directories(dir / "busy");
  uw::data::write_file_atomically(dir / "busy" / "notes.txt", "mine");
  CHECK_THROWS_WITH(generate(registry(), config, dir / "busy", {}),
                    Catch::Contains("is not empty and holds no dataset"));
  CHECK(uw::data::read_text_file(dir / "busy" / "notes.txt") == "mine");
  // the same command again: nothing to do
  CHECK(generate(registry(), config, dir / "d", {}).already_complete);
  // bad configs
  auto bad = config;
  bad.shard_index = 2;
  bad.shard_count = 2;
  CHECK_THROWS_WITH(generate(registry(), bad, dir / "bad", {}),
                    Catch::Contains("shard index 2 of 2"));
  bad = config;
  bad.env_id = "cheetah-fly";
  CHECK_THROWS_WITH(generate(registry(), bad, dir / "bad", {}), Catch::Contains("cheetah-fly"));
  CHECK_FALSE(fs::exists(dir / "bad"));
}

TEST_CASE("generator: episodes record the env faithfully") {
  TempDir dir("content");
  auto config = small_config(3);
  config.env_id = "pusher-push";
  config.policy = "scripted";
  generate(registry(), config, dir / "d", {});
  Dataset dataset = Dataset::open(dir / "d");
  REQUIRE(dataset.size() == 3);
  const uw::data::Episode e = dataset.read(1);
  CHECK(e.index == 1);
  CHECK(e.seed == uw::data::episode_seed(7, 1));
  CHECK(e.policy == "scripted");
  CHECK(e.steps == 25);
  CHECK(e.truncated);
  CHECK(e.reason == uw::envs::EndReason::kTimeLimit);
  // the first observation is what reset(seed) gives, and the goal is the env's
  auto env = registry().make("pusher-push");
  const uw::envs::TimeStep first = env->reset(e.seed);
  CHECK(std::vector<float>(e.observations.begin(), e.observations.begin() + 11) ==
        std::vector<float>(first.obs.begin(), first.obs.end()));
  REQUIRE(env->goal() != nullptr);
  CHECK(e.goal == std::vector<float>(env->goal()->values().begin(), env->goal()->values().end()));
  CHECK(e.states.size() == 26 * env->save_state().size());
}

TEST_CASE("replay: bit-exact on every registered task") {
  TempDir dir("replay");
  for (const std::string& id : registry().ids()) {
    INFO(id);
    auto config = small_config(2);
    config.env_id = id;
    config.max_steps = 30;
    config.policy = "ou";
    const fs::path out = dir / id;
    generate(registry(), config, out, {});
    const Dataset dataset = Dataset::open(out);
    for (int64_t k = 0; k < 2; ++k) {
      const uw::data::ReplayResult result = uw::data::replay_episode(registry(), dataset, k);
      CHECK(result.mismatch == "");
      CHECK(result.steps == dataset.entry(k).steps);
    }
  }
}

TEST_CASE("replay: a changed action is found at its step") {
  TempDir dir("replay_tamper");
  generate(registry(), small_config(1), dir / "d", {});
  // rewrite the one episode with one action changed, through the real writer
  Dataset original = Dataset::open(dir / "d");
  uw::data::Episode e = original.read(0);
  e.actions[2 * 10] = e.actions[2 * 10] > 0 ? -0.9f : 0.9f;
  const fs::path shard = dir / "d" / "shards/shard-000000.uws";
  fs::remove(shard);
  {
    uw::data::ShardWriter writer(shard, 0, 1, 1 << 20);
    const auto frame = uw::data::compress_frame(uw::data::encode_episode(e), 3);
    writer.append(uw::data::summarise(e, 0, frame), frame);
    writer.finish();
  }
  // the manifest's record of the shard is now stale; update it as a tamperer would
  auto manifest = uw::data::read_manifest(dir / "d");
  manifest.shards[0].bytes = fs::file_size(shard);
  manifest.shards[0].xxh64 = uw::data::xxh64_of_file(shard);
  uw::data::write_manifest(dir / "d", manifest);
  const uw::data::ReplayResult result =
      uw::data::replay_episode(registry(), Dataset::open(dir / "d"), 0);
  CHECK_THAT(result.mismatch, Catch::StartsWith("step 11: state value"));
}

TEST_CASE("generator: pixel datasets store every frame, the same as the env renders") {
  TempDir dir("pixels");
  auto config = small_config(2);
  config.max_steps = 6;
  config.options = uw::Options::parse(std::vector<std::string>{"pixels=12x8"});
  generate(registry(), config, dir / "d", {.threads = 2});
  Dataset dataset = Dataset::open(dir / "d");
  CHECK(dataset.manifest().layout.pixel_height == 8);
  CHECK(dataset.manifest().layout.pixel_width == 12);
  CHECK(dataset.manifest().layout.obs_size == 0);  // pictures only
  const uw::data::Episode e = dataset.read(1);
  REQUIRE(e.pixels.size() == 7u * 8 * 12 * 3);
  auto env = registry().make("pointmass-reach", config.options);
  const uw::envs::TimeStep first = env->reset(e.seed);
  CHECK(std::equal(first.pixels.begin(), first.pixels.end(), e.pixels.begin()));
  CHECK(uw::data::verify_dataset(dir / "d").ok());
  CHECK(uw::data::replay_episode(registry(), dataset, 1).exact());
}

TEST_CASE("generator: leftovers of a killed run and a second run at once") {
  TempDir dir("leftovers");
  const auto config = small_config(4);
  SECTION("killed while writing its first generation.json") {
    fs::create_directories(dir / "d");
    uw::data::write_file_atomically(dir / "d" / "generation.json.tmp", "{\"format\": \"umw");
    generate(registry(), config, dir / "d", {});
    CHECK(uw::data::verify_dataset(dir / "d").ok());
  }
  SECTION("a .partial beside its finished shard") {
    generate(registry(), config, dir / "d", {});
    fs::remove(dir / "d" / "manifest.json");
    uw::data::write_file_atomically(dir / "d" / "shards/shard-000000.uws.partial", "UWSHARD1");
    generate(registry(), config, dir / "d", {});
    CHECK_FALSE(fs::exists(dir / "d" / "shards/shard-000000.uws.partial"));
    CHECK(uw::data::verify_dataset(dir / "d").ok());
  }
  SECTION("another generation holds the directory") {
    auto other = config;
    generate(registry(), config, dir / "d", {});
    fs::remove(dir / "d" / "manifest.json");
    const uw::data::FileLock held(dir / "d" / "generation.json", "held");
    CHECK_THROWS_WITH(generate(registry(), config, dir / "d", {}),
                      Catch::Contains("another `umwelt gen` is generating this dataset now"));
  }
}

TEST_CASE("merge: a killed merge is resumed by running it again") {
  TempDir dir("merge_resume");
  const std::vector<fs::path> parts = generate_parts(small_config(6), 2, dir);
  uw::data::merge_datasets(dir / "merged", parts);
  const std::string expected = content_hash_of(dir / "merged");
  // as a kill would leave it: no manifest, one shard missing and one copy cut short
  fs::remove(dir / "merged" / "manifest.json");
  fs::remove(dir / "merged" / "shards/shard-000001.uws");
  fs::resize_file(dir / "merged" / "shards/shard-000000.uws", 100);
  uw::data::merge_datasets(dir / "merged", parts);
  CHECK(uw::data::verify_dataset(dir / "merged").ok());
  CHECK(content_hash_of(dir / "merged") == expected);
  // a finished merge is not merged over
  CHECK_THROWS_WITH(uw::data::merge_datasets(dir / "merged", parts),
                    Catch::Contains("is not an empty directory"));
}
