#include "datagen/codec.h"

#include <zstd.h>

#include <cstring>
#include <limits>

#include "core/error.h"

namespace uw::data {
namespace {

constexpr uint32_t kEpisodeMagic = 0x50455755;  // "UWEP" little-endian
constexpr uint32_t kEpisodeVersion = 1;
constexpr size_t kMaxPolicyName = 4096;

// Little-endian scalars (the only byte order this runs on; checked at compile time).
static_assert(std::endian::native == std::endian::little, "the dataset format is little-endian");

class Writer {
 public:
  explicit Writer(std::vector<uint8_t>& bytes) : bytes_(bytes) { bytes_.clear(); }

  template <class T>
  void put(T value) {
    const size_t at = bytes_.size();
    bytes_.resize(at + sizeof(T));
    std::memcpy(bytes_.data() + at, &value, sizeof(T));
  }
  void put_bytes(std::span<const uint8_t> data) {
    bytes_.insert(bytes_.end(), data.begin(), data.end());
  }
  // rows x cols values, row-major in `values`, written column-major and byte-shuffled
  template <class T>
  void put_columns(const std::vector<T>& values, int64_t rows, int64_t cols) {
    const size_t count = values.size();
    UW_CHECK(count == static_cast<size_t>(rows * cols), "array size does not match its shape");
    const size_t at = bytes_.size();
    bytes_.resize(at + count * sizeof(T));
    uint8_t* out = bytes_.data() + at;
    const auto* in = reinterpret_cast<const uint8_t*>(values.data());
    // one byte plane at a time, written in order; the reads stay within a small episode array
    for (size_t b = 0; b < sizeof(T); ++b) {
      uint8_t* plane = out + b * count;
      for (int64_t c = 0; c < cols; ++c) {
        const uint8_t* column = in + c * sizeof(T) + b;
        for (int64_t r = 0; r < rows; ++r) *plane++ = column[r * cols * sizeof(T)];
      }
    }
  }

 private:
  std::vector<uint8_t>& bytes_;
};

class Reader {
 public:
  Reader(std::span<const uint8_t> bytes, const std::string& where) : bytes_(bytes), where_(where) {}

  template <class T>
  T get(const char* field) {
    need(sizeof(T), field);
    T value;
    std::memcpy(&value, bytes_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return value;
  }
  std::span<const uint8_t> get_bytes(size_t size, const char* field) {
    need(size, field);
    const auto out = bytes_.subspan(at_, size);
    at_ += size;
    return out;
  }
  template <class T>
  std::vector<T> get_columns(int64_t rows, int64_t cols, const char* field) {
    const size_t count = static_cast<size_t>(rows * cols);
    const std::span<const uint8_t> in = get_bytes(count * sizeof(T), field);
    std::vector<T> values(count);
    auto* out = reinterpret_cast<uint8_t*>(values.data());
    for (size_t b = 0; b < sizeof(T); ++b) {
      const uint8_t* plane = in.data() + b * count;
      for (int64_t c = 0; c < cols; ++c) {
        uint8_t* column = out + c * sizeof(T) + b;
        for (int64_t r = 0; r < rows; ++r) column[r * cols * sizeof(T)] = *plane++;
      }
    }
    return values;
  }
  size_t remaining() const { return bytes_.size() - at_; }
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(where_ + ": malformed episode payload: " + what);
  }

 private:
  void need(size_t size, const char* field) const {
    if (size > remaining()) {
      fail("ends inside '" + std::string(field) + "' (" + std::to_string(remaining()) +
           " bytes left, " + std::to_string(size) + " needed)");
    }
  }

  std::span<const uint8_t> bytes_;
  const std::string& where_;
  size_t at_ = 0;
};

}  // namespace

std::vector<uint8_t> encode_episode(const Episode& e) {
  std::vector<uint8_t> payload;
  encode_episode_into(e, payload);
  return payload;
}

void encode_episode_into(const Episode& e, std::vector<uint8_t>& payload) {
  const int64_t T = e.steps;
  const auto count = [](const auto& values, int64_t rows) {
    return rows > 0 ? static_cast<int64_t>(values.size()) / rows : 0;
  };
  const int64_t obs_size = count(e.observations, T + 1);
  const int64_t action_size = count(e.actions, T);
  const int64_t state_size = count(e.states, T + 1);
  const int64_t pixel_size = count(e.pixels, T + 1);
  UW_CHECK(e.policy.size() <= kMaxPolicyName, "policy name too long");
  Writer w(payload);
  w.put(kEpisodeMagic);
  w.put(kEpisodeVersion);
  w.put(static_cast<int64_t>(e.index));
  w.put(e.seed);
  w.put(T);
  w.put(obs_size);
  w.put(action_size);
  w.put(state_size);
  w.put(static_cast<int64_t>(e.goal.size()));
  w.put(pixel_size);
  w.put(static_cast<uint8_t>(e.terminated));
  w.put(static_cast<uint8_t>(e.truncated));
  w.put(static_cast<uint8_t>(e.reason));
  w.put(success_code(e.success));
  w.put(static_cast<uint32_t>(e.policy.size()));
  w.put_bytes({reinterpret_cast<const uint8_t*>(e.policy.data()), e.policy.size()});
  w.put_columns(e.observations, T + 1, obs_size);
  w.put_columns(e.actions, T, action_size);
  w.put_columns(e.rewards, T, 1);
  w.put_columns(e.states, T + 1, state_size);
  w.put_columns(e.goal, 1, static_cast<int64_t>(e.goal.size()));
  w.put_columns(e.goal_observation, 1, static_cast<int64_t>(e.goal_observation.size()));
  w.put_bytes(e.pixels);
}

Episode decode_episode(std::span<const uint8_t> payload, const std::string& where) {
  Reader r(payload, where);
  if (r.get<uint32_t>("magic") != kEpisodeMagic) r.fail("it does not start with 'UWEP'");
  const uint32_t version = r.get<uint32_t>("version");
  if (version != kEpisodeVersion) {
    r.fail("version " + std::to_string(version) + ", this reader knows version " +
           std::to_string(kEpisodeVersion));
  }
  Episode e;
  e.index = r.get<int64_t>("index");
  e.seed = r.get<uint64_t>("seed");
  e.steps = r.get<int64_t>("steps");
  const int64_t obs_size = r.get<int64_t>("obs_size");
  const int64_t action_size = r.get<int64_t>("action_size");
  const int64_t state_size = r.get<int64_t>("state_size");
  const int64_t goal_size = r.get<int64_t>("goal_size");
  const int64_t pixel_size = r.get<int64_t>("pixel_size");
  // bound every size by what the payload can hold before multiplying, so nothing overflows
  const auto limit = static_cast<int64_t>(payload.size());
  for (const auto& [name, value] :
       {std::pair{"steps", e.steps}, std::pair{"obs_size", obs_size},
        std::pair{"action_size", action_size}, std::pair{"state_size", state_size},
        std::pair{"goal_size", goal_size}, std::pair{"pixel_size", pixel_size}}) {
    if (value < 0 || value > limit) {
      r.fail(std::string(name) + " is " + std::to_string(value) + ", outside [0, " +
             std::to_string(limit) + "]");
    }
  }
  if (e.index < 0) r.fail("index is negative");
  const uint8_t terminated = r.get<uint8_t>("terminated");
  const uint8_t truncated = r.get<uint8_t>("truncated");
  const uint8_t reason = r.get<uint8_t>("reason");
  const uint8_t success = r.get<uint8_t>("success");
  if (terminated > 1 || truncated > 1) r.fail("terminated/truncated are not 0 or 1");
  if (reason > static_cast<uint8_t>(envs::EndReason::kPhysics)) {
    r.fail("unknown end reason " + std::to_string(reason));
  }
  if (success > 2) r.fail("unknown success code " + std::to_string(success));
  e.terminated = terminated == 1;
  e.truncated = truncated == 1;
  e.reason = static_cast<envs::EndReason>(reason);
  e.success = success_from_code(success);
  const uint32_t policy_size = r.get<uint32_t>("policy_size");
  if (policy_size > kMaxPolicyName)
    r.fail("policy name of " + std::to_string(policy_size) + " bytes");
  const auto policy = r.get_bytes(policy_size, "policy");
  e.policy.assign(policy.begin(), policy.end());
  // the arrays must fill the rest exactly
  const __int128 T = e.steps;
  const __int128 expected = (T + 1) * obs_size * 4 + T * action_size * 4 + T * 4 +
                            (T + 1) * state_size * 8 + goal_size * 4 +
                            (goal_size > 0 ? obs_size * 4 : 0) + (T + 1) * pixel_size;
  if (expected != static_cast<__int128>(r.remaining())) {
    r.fail("the sizes in its header need " +
           std::to_string(static_cast<int64_t>(std::min<__int128>(expected, limit * 2))) +
           " bytes of arrays, it holds " + std::to_string(r.remaining()));
  }
  e.observations = r.get_columns<float>(e.steps + 1, obs_size, "observations");
  e.actions = r.get_columns<float>(e.steps, action_size, "actions");
  e.rewards = r.get_columns<float>(e.steps, 1, "rewards");
  e.states = r.get_columns<double>(e.steps + 1, state_size, "states");
  e.goal = r.get_columns<float>(1, goal_size, "goal");
  if (goal_size > 0) e.goal_observation = r.get_columns<float>(1, obs_size, "goal_observation");
  const auto pixels = r.get_bytes(static_cast<size_t>((e.steps + 1) * pixel_size), "pixels");
  e.pixels.assign(pixels.begin(), pixels.end());
  return e;
}

FrameCompressor::FrameCompressor(int level) : context_(ZSTD_createCCtx(), ZSTD_freeCCtx) {
  UW_CHECK(context_ != nullptr, "ZSTD_createCCtx failed");
  ZSTD_CCtx_setParameter(context_.get(), ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(context_.get(), ZSTD_c_checksumFlag, 1);
  ZSTD_CCtx_setParameter(context_.get(), ZSTD_c_contentSizeFlag, 1);
}

std::span<const uint8_t> FrameCompressor::compress(std::span<const uint8_t> payload) {
  const size_t bound = ZSTD_compressBound(payload.size());
  if (buffer_.size() < bound) buffer_.resize(bound);
  const size_t size = ZSTD_compress2(context_.get(), buffer_.data(), buffer_.size(), payload.data(),
                                     payload.size());
  UW_CHECK(!ZSTD_isError(size), std::string("zstd compression failed: ") + ZSTD_getErrorName(size));
  return std::span(buffer_).first(size);
}

std::vector<uint8_t> compress_frame(std::span<const uint8_t> payload, int level) {
  FrameCompressor compressor(level);
  const std::span<const uint8_t> frame = compressor.compress(payload);
  return {frame.begin(), frame.end()};
}

std::vector<uint8_t> decompress_frame(std::span<const uint8_t> frame, const std::string& where,
                                      uint64_t max_size) {
  const size_t frame_size = ZSTD_findFrameCompressedSize(frame.data(), frame.size());
  if (ZSTD_isError(frame_size)) {
    throw Error(where + ": not a complete Zstandard frame (" + ZSTD_getErrorName(frame_size) + ")");
  }
  if (frame_size != frame.size()) {
    throw Error(where + ": " + std::to_string(frame.size() - frame_size) +
                " bytes after the end of the Zstandard frame");
  }
  const unsigned long long content = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (content == ZSTD_CONTENTSIZE_UNKNOWN || content == ZSTD_CONTENTSIZE_ERROR) {
    throw Error(where + ": the Zstandard frame does not record its content size");
  }
  if (content > max_size) {
    throw Error(where + ": the Zstandard frame claims " + std::to_string(content) +
                " bytes, more than the limit of " + std::to_string(max_size));
  }
  std::vector<uint8_t> payload(static_cast<size_t>(content));
  const size_t size = ZSTD_decompress(payload.data(), payload.size(), frame.data(), frame.size());
  if (ZSTD_isError(size)) {
    throw Error(where + ": Zstandard frame does not decompress (" + ZSTD_getErrorName(size) + ")");
  }
  if (size != payload.size()) {
    throw Error(where + ": the Zstandard frame decompressed to " + std::to_string(size) +
                " bytes, its header says " + std::to_string(payload.size()));
  }
  return payload;
}

}  // namespace uw::data
