// Shards are finished (index, sync, rename) on a thread of their own; errors come back on close.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "datagen/codec.h"
#include "datagen/file_io.h"
#include "datagen/recorder.h"
#include "datagen/shard_finisher.h"
#include "tests/datagen/datagen_test_util.h"

using namespace uw::test;

namespace {

// A shard of one episode, written to its .partial and full, not finished.
std::unique_ptr<uw::data::ShardWriter> full_writer(const fs::path& path, int64_t episode) {
  const uw::data::Episode e =
      uw::data::EpisodeRecorder(registry(), small_config(episode + 1)).record(episode);
  const std::vector<uint8_t> frame = uw::data::compress_frame(uw::data::encode_episode(e), -5);
  auto writer = std::make_unique<uw::data::ShardWriter>(path, episode, 1, 1 << 24);
  writer->append(uw::data::summarise(e, 0, frame), frame);
  REQUIRE(writer->full());
  return writer;
}

}  // namespace

TEST_CASE("shard finisher: finishes every shard handed over, with its hash") {
  const TempDir dir("finisher");
  std::map<int64_t, uint64_t> hashes;
  uw::data::ShardFinisher finisher(hashes);
  for (int64_t j = 0; j < 3; ++j) finisher.add(j, full_writer(dir / std::to_string(j), j));
  finisher.close();
  REQUIRE(hashes.size() == 3);
  for (int64_t j = 0; j < 3; ++j) {
    const fs::path shard = dir / std::to_string(j);
    CHECK_FALSE(fs::exists(shard.string() + ".partial"));
    CHECK(hashes.at(j) == uw::data::xxh64_of_file(shard));
    CHECK(uw::data::read_shard_index(uw::data::File(shard, uw::data::File::Mode::kRead)).size() ==
          1);
  }
}

TEST_CASE("shard finisher: a shard that cannot be finished is an error on close") {
  const TempDir dir("finisher_error");
  std::map<int64_t, uint64_t> hashes;
  uw::data::ShardFinisher finisher(hashes);
  fs::create_directories(dir / "gone");
  auto writer = full_writer(dir / "gone" / "0", 0);
  fs::remove_all(dir / "gone");  // its rename has nowhere to go
  finisher.add(0, std::move(writer));
  finisher.add(1, full_writer(dir / "1", 1));
  CHECK_THROWS_WITH(finisher.close(),
                    Catch::Contains("gone/0.partial") && Catch::Contains("cannot rename"));
  CHECK(hashes.count(0) == 0);
  CHECK(hashes.count(1) == 1);  // the others are still finished
}
