#include <catch2/catch.hpp>
#include <cstring>

#include "core/error.h"
#include "datagen/codec.h"

using uw::data::decode_episode;
using uw::data::encode_episode;
using uw::data::Episode;

namespace {

Episode tiny_episode() {
  Episode e;
  e.index = 4;
  e.seed = 99;
  e.policy = "ou";
  e.steps = 2;
  e.observations = {1, 2, 3, 4, 5, 6};  // [3, 2]
  e.actions = {0.5f, -0.5f};            // [2, 1]
  e.rewards = {0.25f, 0.75f};
  e.states = {10, 20, 30};  // [3, 1]
  e.goal = {0.1f, 0.2f};
  e.goal_observation = {7, 8};
  e.pixels = {1, 2, 3, 4, 5, 6, 7, 8, 9};  // [3, 1, 1, 3]
  e.truncated = true;
  e.reason = uw::envs::EndReason::kTimeLimit;
  e.success = false;
  return e;
}

std::string error_of(const std::vector<uint8_t>& payload) {
  try {
    decode_episode(payload, "test", 1 << 20);
  } catch (const uw::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("codec: an episode survives encode and decode exactly") {
  const Episode e = tiny_episode();
  const Episode back = decode_episode(encode_episode(e), "test", 1 << 20);
  CHECK(back.index == e.index);
  CHECK(back.seed == e.seed);
  CHECK(back.policy == e.policy);
  CHECK(back.steps == e.steps);
  CHECK(back.observations == e.observations);
  CHECK(back.actions == e.actions);
  CHECK(back.rewards == e.rewards);
  CHECK(back.states == e.states);
  CHECK(back.goal == e.goal);
  CHECK(back.goal_observation == e.goal_observation);
  CHECK(back.pixels == e.pixels);
  CHECK(back.truncated);
  CHECK_FALSE(back.terminated);
  CHECK(back.reason == uw::envs::EndReason::kTimeLimit);
  CHECK(back.success == std::optional<bool>(false));
}

TEST_CASE("codec: arrays are stored column-major with their bytes shuffled") {
  const Episode e = tiny_episode();
  const std::vector<uint8_t> payload = encode_episode(e);
  // the observations start after the header and the policy name; column 0 is (1, 3, 5), column
  // 1 is (2, 4, 6), and byte b of all six floats comes before byte b + 1
  const float column_major[6] = {1, 3, 5, 2, 4, 6};
  std::vector<uint8_t> expected(24);
  for (int i = 0; i < 6; ++i) {
    uint8_t bytes[4];
    std::memcpy(bytes, &column_major[i], 4);
    for (int b = 0; b < 4; ++b) expected[b * 6 + i] = bytes[b];
  }
  const auto found = std::search(payload.begin(), payload.end(), expected.begin(), expected.end());
  REQUIRE(found != payload.end());
  // and the pixels end the payload, unshuffled
  CHECK(std::equal(e.pixels.rbegin(), e.pixels.rend(), payload.rbegin()));
}

TEST_CASE("codec: a column constant over time is stored once, and decodes bit for bit") {
  Episode e = tiny_episode();
  e.steps = 3;
  e.observations = {1, 2, 3, 4, 5, 6, 7, 8};  // [4, 2]
  e.actions = {0.5f, -0.5f, 0.25f};
  e.rewards = {0, 0, 0};  // constant: one value
  e.pixels.clear();
  // [4, 3]: column 0 varies, column 1 is constant, column 2 differs only in the sign of zero
  e.states = {1, 5, 0.0, 2, 5, -0.0, 3, 5, 0.0, 4, 5, 0.0};
  const std::vector<uint8_t> payload = encode_episode(e);
  const Episode back = decode_episode(payload, "test", 1 << 20);
  REQUIRE(back.states.size() == e.states.size());
  CHECK(std::memcmp(back.states.data(), e.states.data(), e.states.size() * 8) == 0);
  CHECK(back.rewards == e.rewards);
  CHECK(back.observations == e.observations);
  // making column 1 vary costs its 3 other rows; making the rewards vary, their 2 others
  Episode varying = e;
  varying.states[4] = 6;
  CHECK(encode_episode(varying).size() == payload.size() + 3 * 8);
  varying.rewards[2] = 1;
  CHECK(encode_episode(varying).size() == payload.size() + 3 * 8 + 2 * 4);
}

TEST_CASE("codec: malformed payloads are clear errors, never crashes") {
  const std::vector<uint8_t> good = encode_episode(tiny_episode());
  CHECK_THAT(error_of({}), Catch::Contains("ends inside 'magic'"));
  std::vector<uint8_t> bad_magic = good;
  bad_magic[0] ^= 0xff;
  CHECK_THAT(error_of(bad_magic), Catch::Contains("does not start with 'UWEP'"));
  std::vector<uint8_t> short_payload(good.begin(), good.end() - 1);
  CHECK_THAT(error_of(short_payload), Catch::Contains("ends inside 'pixels'"));
  std::vector<uint8_t> long_payload = good;
  long_payload.push_back(0);
  CHECK_THAT(error_of(long_payload), Catch::Contains("1 bytes after the last array"));
  // the observations' constant-column mask follows the 80-byte header and the name "ou"; the
  // goal's follows observations (1 + 6 x 4 bytes), actions (1 + 2 x 4), rewards (1 + 2 x 4) and
  // states (1 + 3 x 8)
  constexpr size_t kObsMask = 82, kGoalMask = kObsMask + 25 + 9 + 9 + 25;
  REQUIRE(good[kObsMask] == 0);
  REQUIRE(good[kGoalMask] == 0);
  std::vector<uint8_t> past_columns = good;
  past_columns[kObsMask] = 0x04;  // column 2 of 2
  CHECK_THAT(error_of(past_columns), Catch::Contains("'observations' marks columns past its 2"));
  std::vector<uint8_t> one_row = good;
  one_row[kGoalMask] = 0x01;  // a constant column in a one-row array
  CHECK_THAT(error_of(one_row), Catch::Contains("'goal' marks constant columns in 1 rows"));
  // a step count that would need exabytes
  std::vector<uint8_t> huge = good;
  const int64_t steps = int64_t{1} << 60;
  std::memcpy(huge.data() + 24, &steps, 8);
  CHECK_THAT(error_of(huge), Catch::Contains("steps is"));
  // sizes within bounds whose arrays would still be larger than the caller allows
  CHECK_THROWS_WITH(decode_episode(good, "test", 50),
                    Catch::Contains("bytes of arrays, more than the limit of 50"));
  // every truncation of a good payload fails cleanly
  for (size_t size = 0; size < good.size(); ++size) {
    CHECK_FALSE(error_of({good.begin(), good.begin() + size}).empty());
  }
}

TEST_CASE("codec: frames carry a checksum; damage and trailing bytes are errors") {
  const std::vector<uint8_t> payload = encode_episode(tiny_episode());
  const std::vector<uint8_t> frame = uw::data::compress_frame(payload, 3);
  CHECK(uw::data::decompress_frame(frame, "f", 1 << 20) == payload);
  std::vector<uint8_t> damaged = frame;
  damaged[damaged.size() - 2] ^= 0x01;  // inside the content checksum
  CHECK_THROWS_WITH(uw::data::decompress_frame(damaged, "f", 1 << 20),
                    Catch::Contains("f: Zstandard frame does not decompress"));
  std::vector<uint8_t> trailing = frame;
  trailing.push_back(0);
  CHECK_THROWS_WITH(uw::data::decompress_frame(trailing, "f", 1 << 20),
                    Catch::Contains("after the end of the Zstandard frame"));
  CHECK_THROWS_WITH(uw::data::decompress_frame({frame.begin(), frame.end() - 3}, "f", 1 << 20),
                    Catch::Contains("not a complete Zstandard frame"));
  CHECK_THROWS_WITH(uw::data::decompress_frame(frame, "f", 10),
                    Catch::Contains("more than the limit"));
}
