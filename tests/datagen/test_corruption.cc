// Damaged datasets: verify names the shard and episode of each fault, the reader refuses with
// the same message or skips what is damaged when asked, and nothing crashes.
#include <catch2/catch.hpp>
#include <functional>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "datagen/codec.h"
#include "datagen/file_io.h"
#include "datagen/verify.h"
#include "tests/datagen/datagen_test_util.h"

using namespace uw::test;
using uw::data::Dataset;

namespace {

// A fresh dataset of 10 episodes in shards of 3, 3, 3, 1.
fs::path make_dataset(const TempDir& dir) {
  const fs::path out = dir / "d";
  uw::data::generate(registry(), small_config(10), out, {});
  return out;
}

std::string open_error(const fs::path& dir) {
  try {
    Dataset dataset = Dataset::open(dir);
    dataset.for_each([](const uw::data::Episode&) {});
  } catch (const uw::Error& e) {
    return e.what();
  }
  return "";
}

// Writes the dataset's manifest back as `original` with `edit` applied.
void edit_manifest(const fs::path& dir, const std::string& original,
                   const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json m = nlohmann::json::parse(original);
  edit(m);
  uw::data::write_file_atomically(dir / "manifest.json", m.dump());
}

std::vector<uw::data::ShardEntry> index_of(const fs::path& shard) {
  return uw::data::read_shard_index(uw::data::File(shard, uw::data::File::Mode::kRead));
}

}  // namespace

TEST_CASE("corruption: a flipped byte in a frame names its shard and episode") {
  TempDir dir("flip");
  const fs::path d = make_dataset(dir);
  const fs::path shard = d / "shards/shard-000001.uws";
  const auto entries = index_of(shard);
  flip_byte(shard, entries[1].offset + entries[1].size / 2);  // episode 4

  const uw::data::VerifyReport report = uw::data::verify_dataset(d);
  REQUIRE(report.faults.size() == 2);  // the file's checksum, and the frame's
  CHECK_THAT(report.faults[0], Catch::Contains("shard-000001.uws': xxh64"));
  const std::string frame_fault = report.faults[1];
  CHECK_THAT(frame_fault, Catch::Contains("shard-000001.uws', episode 4: frame checksum mismatch"));
  CHECK(report.episodes == 9);

  CHECK(open_error(d) == frame_fault);  // the reader refuses with verify's message
  Dataset skipping = Dataset::open(d, {.skip_bad = true});
  std::vector<int64_t> read;
  skipping.for_each([&](const uw::data::Episode& e) { read.push_back(e.index); });
  CHECK(read == std::vector<int64_t>{0, 1, 2, 3, 5, 6, 7, 8, 9});
  CHECK(skipping.problems() == std::vector<std::string>{frame_fault});
}

TEST_CASE("corruption: every byte flipped in a shard is caught") {
  TempDir dir("every_byte");
  auto config = small_config(1);
  config.max_steps = 3;
  config.shard_episodes = 1;
  uw::data::generate(registry(), config, dir / "d", {});
  const fs::path shard = dir / "d" / "shards/shard-000000.uws";
  const uint64_t size = fs::file_size(shard);
  for (uint64_t offset = 0; offset < size; ++offset) {
    flip_byte(shard, offset);
    const uw::data::VerifyReport report = uw::data::verify_dataset(dir / "d");
    CHECK_FALSE(report.ok());
    CHECK_FALSE(open_error(dir / "d").empty());
    flip_byte(shard, offset);  // back
  }
  CHECK(uw::data::verify_dataset(dir / "d").ok());
}

TEST_CASE("corruption: a truncated shard") {
  TempDir dir("truncated");
  const fs::path d = make_dataset(dir);
  const fs::path shard = d / "shards/shard-000002.uws";
  const uint64_t size = fs::file_size(shard);
  fs::resize_file(shard, size - 100);
  const uw::data::VerifyReport report = uw::data::verify_dataset(d);
  REQUIRE(report.faults.size() == 1);
  CHECK_THAT(report.faults[0],
             Catch::Contains("shard-000002.uws': truncated: " + std::to_string(size - 100) +
                             " bytes, the manifest says " + std::to_string(size)));
  CHECK(report.episodes == 7);
  CHECK(open_error(d) == report.faults[0]);
  Dataset skipping = Dataset::open(d, {.skip_bad = true});
  CHECK(skipping.size() == 7);
  CHECK(skipping.find(6) == -1);
  CHECK(skipping.find(9) == 6);
}

TEST_CASE("corruption: a missing shard") {
  TempDir dir("missing");
  const fs::path d = make_dataset(dir);
  fs::remove(d / "shards/shard-000000.uws");
  const uw::data::VerifyReport report = uw::data::verify_dataset(d);
  REQUIRE(report.faults.size() == 1);
  CHECK_THAT(report.faults[0],
             Catch::Contains("shard-000000.uws': missing (the manifest lists it)"));
  CHECK(open_error(d) == report.faults[0]);
}

TEST_CASE("corruption: a manifest with wrong counts") {
  TempDir dir("counts");
  const fs::path d = make_dataset(dir);
  const fs::path manifest_path = d / "manifest.json";
  const std::string original = uw::data::read_text_file(manifest_path);

  SECTION("a shard's episode count") {
    edit_manifest(d, original, [&](nlohmann::json& m) {
      m["shards"][1]["episodes"] = 4;
      m["totals"]["episodes"] = 11;
    });
    const uw::data::VerifyReport report = uw::data::verify_dataset(d);
    REQUIRE(report.faults.size() == 1);
    CHECK_THAT(report.faults[0],
               Catch::Contains("shard-000001.uws': holds 3 episodes, the manifest says 4"));
    CHECK(open_error(d) == report.faults[0]);
  }
  SECTION("the totals") {
    edit_manifest(d, original, [&](nlohmann::json& m) { m["totals"]["steps"] = 1; });
    const uw::data::VerifyReport report = uw::data::verify_dataset(d);
    REQUIRE(report.faults.size() == 1);
    CHECK_THAT(report.faults[0], Catch::Contains("totals: steps is 1, the shards add up to 250"));
  }
  SECTION("a shard left out") {
    edit_manifest(d, original, [&](nlohmann::json& m) {
      m["shards"].erase(3);
      m.erase("totals");
    });
    CHECK_THAT(uw::data::verify_dataset(d).faults.at(0),
               Catch::Contains("lists 3 shards, the generation has 4"));
  }
  SECTION("a file outside the dataset") {
    edit_manifest(d, original,
                  [&](nlohmann::json& m) { m["shards"][0]["file"] = "../../etc/passwd"; });
    CHECK_THAT(open_error(d), Catch::Contains("is not one of the dataset's 4 shards"));
  }
  SECTION("not JSON at all") {
    uw::data::write_file_atomically(manifest_path, original.substr(0, original.size() / 2));
    CHECK_THAT(open_error(d), Catch::Contains("manifest.json': not valid JSON"));
  }
}

TEST_CASE("corruption: hostile manifests and indexes never hang or allocate without bound") {
  TempDir dir("hostile");
  const fs::path d = make_dataset(dir);
  const fs::path manifest_path = d / "manifest.json";
  const std::string original = uw::data::read_text_file(manifest_path);

  SECTION("a count of episodes near 2^63") {
    edit_manifest(d, original, [&](nlohmann::json& m) {
      m["generation"]["episodes"] = int64_t{9'000'000'000'000'000'000};
      m["generation"]["shard_episodes"] = 1;
    });
    CHECK_THAT(open_error(d), Catch::Contains("episodes is 9000000000000000000, expected 1..2^40"));
  }
  SECTION("a layout that is not the env's") {
    edit_manifest(d, original, [&](nlohmann::json& m) { m["layout"]["observation"] = 5; });
    CHECK_THAT(open_error(d), Catch::Contains("layout: observation is 5, the env spec says 4"));
  }
  SECTION("an empty shard listed as such") {
    // header, and a footer for an index of no entries with its correct checksum
    const fs::path shard = d / "shards/shard-000003.uws";
    std::vector<uint8_t> bytes = uw::data::File(shard, uw::data::File::Mode::kRead).read_all();
    bytes.resize(16);
    const uint64_t footer[3] = {16, 0, uw::data::xxh64_of({})};
    const auto* raw = reinterpret_cast<const uint8_t*>(footer);
    bytes.insert(bytes.end(), raw, raw + 24);
    for (char c : std::string("UWSHEND1")) bytes.push_back(static_cast<uint8_t>(c));
    fs::remove(shard);
    uw::data::File(shard, uw::data::File::Mode::kCreate).append(bytes);
    edit_manifest(d, original, [&](nlohmann::json& m) {
      m["totals"]["episodes"] = m["totals"]["episodes"].get<int64_t>() - 1;
      m["totals"]["steps"] = m["totals"]["steps"].get<int64_t>() - 25;
      m["totals"]["bytes"] =
          m["totals"]["bytes"].get<int64_t>() - m["shards"][3]["bytes"].get<int64_t>() + 48;
      m["shards"][3]["episodes"] = 0;
      m["shards"][3]["steps"] = 0;
      m["shards"][3]["bytes"] = 48;
      m["shards"][3]["xxh64"] = uw::data::hex64(uw::data::xxh64_of(bytes));
    });
    CHECK_THAT(open_error(d), Catch::Contains("shard-000003.uws': holds no episodes"));
  }
  SECTION("an episode longer than the env allows, and a frame bigger than its episode") {
    // episode 9 rewritten with 40 steps, more than the generation's 25
    Dataset original_data = Dataset::open(d);
    uw::data::Episode e = original_data.read(original_data.find(9));
    const size_t state_size = e.states.size() / (e.steps + 1);
    const std::vector<float> last_obs(e.observations.end() - 4, e.observations.end());
    const std::vector<double> last_state(e.states.end() - state_size, e.states.end());
    for (int extra = 0; extra < 15; ++extra) {
      e.observations.insert(e.observations.end(), last_obs.begin(), last_obs.end());
      e.states.insert(e.states.end(), last_state.begin(), last_state.end());
      e.actions.insert(e.actions.end(), {0.0f, 0.0f});
      e.rewards.push_back(0.0f);
    }
    e.steps += 15;
    const fs::path shard = d / "shards/shard-000003.uws";
    fs::remove(shard);
    const auto frame = uw::data::compress_frame(uw::data::encode_episode(e), 3);
    {
      uw::data::ShardWriter writer(shard, 9, 1, 1 << 20);
      writer.append(uw::data::summarise(e, 0, frame), frame);
      writer.finish();
    }
    auto manifest = uw::data::read_manifest(d);
    manifest.shards[3].bytes = fs::file_size(shard);
    manifest.shards[3].steps = 40;
    manifest.shards[3].xxh64 = uw::data::xxh64_of_file(shard);
    uw::data::write_manifest(d, manifest);
    CHECK_THAT(open_error(d),
               Catch::Contains("episode 9: the index says 40 steps, expected 1..25"));

    // the same frame under an index that says 25 steps: refused before its arrays are decoded
    // (the payload itself fits the limit: constant columns are stored once)
    fs::remove(shard);
    {
      uw::data::ShardWriter writer(shard, 9, 1, 1 << 20);
      uw::data::ShardEntry entry = uw::data::summarise(e, 0, frame);
      entry.steps = 25;
      writer.append(entry, frame);
      writer.finish();
    }
    manifest.shards[3].bytes = fs::file_size(shard);
    manifest.shards[3].steps = 25;
    manifest.shards[3].xxh64 = uw::data::xxh64_of_file(shard);
    uw::data::write_manifest(d, manifest);
    CHECK_THAT(open_error(d), Catch::Contains("episode 9: malformed episode payload: its header "
                                              "sizes need 19200 bytes of arrays"));
    CHECK_THAT(open_error(d), Catch::Contains("more than the limit"));
  }
}
