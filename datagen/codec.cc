#include "datagen/codec.h"

#include <zstd.h>

#include <algorithm>
#include <bit>
#include <climits>
#include <cstring>
#include <limits>
#include <type_traits>

#include "core/error.h"

namespace uw::data {
namespace {

constexpr uint32_t kEpisodeMagic = 0x50455755;  // "UWEP" little-endian
constexpr uint32_t kEpisodeVersion = 2;
// version 3 adds state_every after state_size; it is written only for episodes that keep some
// of their states, so that the payloads (and content hashes) of the rest stay as they were
constexpr uint32_t kSparseStatesVersion = 3;
constexpr size_t kMaxPolicyName = 4096;
constexpr size_t kHeaderSize = 80;

// Little-endian scalars (the only byte order this runs on; checked at compile time).
static_assert(std::endian::native == std::endian::little, "the dataset format is little-endian");

// Values are handled as their bits (memcpy: no aliasing of floats as integers).
template <class T>
using Bits = std::conditional_t<sizeof(T) == 8, uint64_t, uint32_t>;

template <class T>
Bits<T> bits_of(const T* values, int64_t i) {
  Bits<T> bits;
  std::memcpy(&bits, values + i, sizeof(T));
  return bits;
}

// Which columns of a rows x cols row-major array hold one value in every row, bit for bit: a
// bit per column, set when constant. Arrays of fewer than 2 rows have none.
template <class T>
std::vector<uint8_t> constant_columns(const std::vector<T>& values, int64_t rows, int64_t cols) {
  std::vector<uint8_t> mask(static_cast<size_t>((cols + 7) / 8), 0);
  if (rows < 2) return mask;
  std::vector<uint8_t> varies(static_cast<size_t>(cols), 0);
  const T* data = values.data();
  for (int64_t r = 1; r < rows; ++r) {  // row by row: sequential reads
    for (int64_t c = 0; c < cols; ++c) varies[c] |= bits_of(data, r * cols + c) != bits_of(data, c);
  }
  for (int64_t c = 0; c < cols; ++c) {
    if (!varies[c]) mask[c / 8] |= uint8_t(1u << (c % 8));
  }
  return mask;
}

bool is_constant(std::span<const uint8_t> mask, int64_t c) { return (mask[c / 8] >> (c % 8)) & 1; }

// The values an array stores: rows for each varying column, one for each constant one.
int64_t stored_values(std::span<const uint8_t> mask, int64_t rows, int64_t cols) {
  int64_t constant = 0;
  for (uint8_t byte : mask) constant += std::popcount(byte);
  return (cols - constant) * rows + constant;
}

// One array's encoding: its constant-column mask, then its stored values (every row of the
// varying columns, column by column, then the one value of each constant column) byte-shuffled.
struct EncodedArray {
  std::vector<uint8_t> mask;
  int64_t values = 0;
};

template <class T>
EncodedArray plan_array(const std::vector<T>& values, int64_t rows, int64_t cols) {
  UW_CHECK(values.size() == static_cast<size_t>(rows * cols),
           "array size does not match its shape");
  EncodedArray a;
  a.mask = constant_columns(values, rows, cols);
  a.values = stored_values(a.mask, rows, cols);
  return a;
}

template <class T>
size_t encoded_size(const EncodedArray& a) {
  return a.mask.size() + static_cast<size_t>(a.values) * sizeof(T);
}

// Writes into a buffer sized in advance (no zero-filling of what is then overwritten).
class Writer {
 public:
  explicit Writer(std::span<uint8_t> bytes) : bytes_(bytes) {}

  template <class T>
  void put(T value) {
    std::memcpy(take(sizeof(T)), &value, sizeof(T));
  }
  void put_bytes(std::span<const uint8_t> data) {
    if (!data.empty()) std::memcpy(take(data.size()), data.data(), data.size());
  }
  template <class T>
  void put_array(const std::vector<T>& values, int64_t rows, int64_t cols, const EncodedArray& a) {
    put_bytes(a.mask);
    const auto count = static_cast<size_t>(a.values);
    uint8_t* planes = take(count * sizeof(T));
    const T* data = values.data();
    size_t i = 0;
    const auto put_value = [&](Bits<T> v) {
      for (size_t b = 0; b < sizeof(T); ++b) planes[b * count + i] = uint8_t(v >> (8 * b));
      ++i;
    };
    for (int64_t c = 0; c < cols; ++c) {
      if (is_constant(a.mask, c)) continue;
      for (int64_t r = 0; r < rows; ++r) put_value(bits_of(data, r * cols + c));
    }
    for (int64_t c = 0; c < cols; ++c) {
      if (is_constant(a.mask, c)) put_value(bits_of(data, c));
    }
    UW_CHECK(i == count, "stored values do not match the plan");
  }
  bool full() const { return at_ == bytes_.size(); }

 private:
  uint8_t* take(size_t size) {
    UW_CHECK(at_ + size <= bytes_.size(), "payload larger than planned");
    uint8_t* out = bytes_.data() + at_;
    at_ += size;
    return out;
  }

  std::span<uint8_t> bytes_;
  size_t at_ = 0;
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
  // The inverse of Writer::put_array; rows * cols is bounded by the caller.
  template <class T>
  std::vector<T> get_array(int64_t rows, int64_t cols, const char* field) {
    const std::span<const uint8_t> mask = get_bytes(static_cast<size_t>((cols + 7) / 8), field);
    if (cols % 8 != 0 && (mask.back() >> (cols % 8)) != 0) {
      fail(std::string("'") + field + "' marks columns past its " + std::to_string(cols));
    }
    const int64_t stored = stored_values(mask, rows, cols);
    if (rows < 2 && std::ranges::any_of(mask, [](uint8_t byte) { return byte != 0; })) {
      fail(std::string("'") + field + "' marks constant columns in " + std::to_string(rows) +
           " rows");
    }
    const auto count = static_cast<size_t>(stored);
    const uint8_t* planes = get_bytes(count * sizeof(T), field).data();
    std::vector<T> values(static_cast<size_t>(rows * cols));
    T* data = values.data();
    const auto set = [&](int64_t at, Bits<T> v) { std::memcpy(data + at, &v, sizeof(T)); };
    size_t i = 0;
    const auto get_value = [&] {
      Bits<T> v = 0;
      for (size_t b = 0; b < sizeof(T); ++b) v |= Bits<T>(planes[b * count + i]) << (8 * b);
      ++i;
      return v;
    };
    for (int64_t c = 0; c < cols; ++c) {
      if (is_constant(mask, c)) continue;
      for (int64_t r = 0; r < rows; ++r) set(r * cols + c, get_value());
    }
    for (int64_t c = 0; c < cols; ++c) {
      if (!is_constant(mask, c)) continue;
      const Bits<T> v = get_value();
      for (int64_t r = 0; r < rows; ++r) set(r * cols + c, v);
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
  const int64_t state_size = count(e.states, state_rows(T, e.state_every));
  const uint32_t version = e.state_every == 1 ? kEpisodeVersion : kSparseStatesVersion;
  const int64_t pixel_size = count(e.pixels, T + 1);
  const auto goal_size = static_cast<int64_t>(e.goal.size());
  UW_CHECK(e.policy.size() <= kMaxPolicyName, "policy name too long");
  const EncodedArray observations = plan_array(e.observations, T + 1, obs_size);
  const EncodedArray actions = plan_array(e.actions, T, action_size);
  const EncodedArray rewards = plan_array(e.rewards, T, 1);
  const EncodedArray states = plan_array(e.states, state_rows(T, e.state_every), state_size);
  const EncodedArray goal = plan_array(e.goal, 1, goal_size);
  const auto goal_obs_size = static_cast<int64_t>(e.goal_observation.size());
  const EncodedArray goal_observation = plan_array(e.goal_observation, 1, goal_obs_size);
  // a reused buffer of the same size is not touched by resize
  payload.resize(kHeaderSize + (version == kSparseStatesVersion ? 8 : 0) + e.policy.size() + encoded_size<float>(observations) +
                 encoded_size<float>(actions) + encoded_size<float>(rewards) +
                 encoded_size<double>(states) + encoded_size<float>(goal) +
                 encoded_size<float>(goal_observation) + e.pixels.size());
  Writer w(payload);
  w.put(kEpisodeMagic);
  w.put(version);
  w.put(static_cast<int64_t>(e.index));
  w.put(e.seed);
  w.put(T);
  w.put(obs_size);
  w.put(action_size);
  w.put(state_size);
  if (version == kSparseStatesVersion) w.put(e.state_every);
  w.put(goal_size);
  w.put(pixel_size);
  w.put(static_cast<uint8_t>(e.terminated));
  w.put(static_cast<uint8_t>(e.truncated));
  w.put(static_cast<uint8_t>(e.reason));
  w.put(success_code(e.success));
  w.put(static_cast<uint32_t>(e.policy.size()));
  w.put_bytes({reinterpret_cast<const uint8_t*>(e.policy.data()), e.policy.size()});
  w.put_array(e.observations, T + 1, obs_size, observations);
  w.put_array(e.actions, T, action_size, actions);
  w.put_array(e.rewards, T, 1, rewards);
  w.put_array(e.states, state_rows(T, e.state_every), state_size, states);
  w.put_array(e.goal, 1, goal_size, goal);
  w.put_array(e.goal_observation, 1, goal_obs_size, goal_observation);
  w.put_bytes(e.pixels);
  UW_CHECK(w.full(), "payload smaller than planned");
}

Episode decode_episode(std::span<const uint8_t> payload, const std::string& where,
                       uint64_t max_array_bytes) {
  Reader r(payload, where);
  if (r.get<uint32_t>("magic") != kEpisodeMagic) r.fail("it does not start with 'UWEP'");
  const uint32_t version = r.get<uint32_t>("version");
  if (version != kEpisodeVersion && version != kSparseStatesVersion) {
    r.fail("version " + std::to_string(version) + ", this reader knows versions " +
           std::to_string(kEpisodeVersion) + " and " + std::to_string(kSparseStatesVersion));
  }
  Episode e;
  e.index = r.get<int64_t>("index");
  e.seed = r.get<uint64_t>("seed");
  e.steps = r.get<int64_t>("steps");
  const int64_t obs_size = r.get<int64_t>("obs_size");
  const int64_t action_size = r.get<int64_t>("action_size");
  const int64_t state_size = r.get<int64_t>("state_size");
  e.state_every = version == kSparseStatesVersion ? r.get<int64_t>("state_every") : 1;
  const int64_t goal_size = r.get<int64_t>("goal_size");
  const int64_t pixel_size = r.get<int64_t>("pixel_size");
  // bound every size before multiplying, so nothing overflows; the arrays as decoded must fit
  // max_array_bytes (constant columns make them larger than the payload)
  for (const auto& [name, value] :
       {std::pair{"steps", e.steps}, std::pair{"obs_size", obs_size},
        std::pair{"action_size", action_size}, std::pair{"state_size", state_size},
        std::pair{"goal_size", goal_size}, std::pair{"pixel_size", pixel_size},
        std::pair{"state_every", e.state_every}}) {
    if (value < 0 || value > kMaxLayoutSize * 64) {
      r.fail(std::string(name) + " is " + std::to_string(value) + ", outside [0, " +
             std::to_string(kMaxLayoutSize * 64) + "]");
    }
  }
  const __int128 T = e.steps;
  const __int128 array_bytes = (T + 1) * obs_size * 4 + T * action_size * 4 + T * 4 +
                               state_rows(e.steps, e.state_every) * state_size * 8 +
                               goal_size * 4 +
                               (goal_size > 0 ? obs_size * 4 : 0) + (T + 1) * pixel_size;
  if (array_bytes > static_cast<__int128>(max_array_bytes)) {
    r.fail("its header sizes need " +
           std::to_string(static_cast<int64_t>(std::min<__int128>(array_bytes, INT64_MAX))) +
           " bytes of arrays, more than the limit of " + std::to_string(max_array_bytes));
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
  e.observations = r.get_array<float>(e.steps + 1, obs_size, "observations");
  e.actions = r.get_array<float>(e.steps, action_size, "actions");
  e.rewards = r.get_array<float>(e.steps, 1, "rewards");
  e.states = r.get_array<double>(state_rows(e.steps, e.state_every), state_size, "states");
  e.goal = r.get_array<float>(1, goal_size, "goal");
  e.goal_observation = r.get_array<float>(1, goal_size > 0 ? obs_size : 0, "goal_observation");
  const auto pixels = r.get_bytes(static_cast<size_t>((e.steps + 1) * pixel_size), "pixels");
  e.pixels.assign(pixels.begin(), pixels.end());
  if (r.remaining() != 0) {
    r.fail(std::to_string(r.remaining()) + " bytes after the last array");
  }
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
