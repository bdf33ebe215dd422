#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "datagen/episode.h"

struct ZSTD_CCtx_s;
typedef struct ZSTD_CCtx_s ZSTD_CCtx;

namespace uw::data {

// An episode's payload (docs/dataset-format.md): a fixed header, then each array column-major
// (all time steps of value 0, then of value 1, ...) with its bytes shuffled (byte 0 of every
// element, then byte 1, ...), which puts the slowly changing high bytes of floats side by side
// for the compressor. A column holding one value in every row (most of a MuJoCo state: applied
// forces, mocap poses, the generator) is stored once. The payload is what content hashes are
// taken over.
std::vector<uint8_t> encode_episode(const Episode& episode);
// The same into `payload`, reusing its memory.
void encode_episode_into(const Episode& episode, std::vector<uint8_t>& payload);
// Throws uw::Error naming `where` and what is malformed (a bad magic or version, sizes that do
// not add up, a payload too short or too long, arrays that would decode to more than
// max_array_bytes). Does not check finiteness: episode_problem does.
Episode decode_episode(std::span<const uint8_t> payload, const std::string& where,
                       uint64_t max_array_bytes);

// Compresses payloads into Zstandard frames with their content checksum and size on, reusing
// its context and buffer from frame to frame (a fresh context costs more than a small frame).
class FrameCompressor {
 public:
  explicit FrameCompressor(int level);
  // The frame, valid until the next call.
  std::span<const uint8_t> compress(std::span<const uint8_t> payload);

 private:
  std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> context_;
  std::vector<uint8_t> buffer_;
};

// One frame, with a compressor made for it.
std::vector<uint8_t> compress_frame(std::span<const uint8_t> payload, int level);
// Throws uw::Error naming `where` when the bytes are not exactly one valid frame (a wrong
// checksum, a truncated frame, trailing bytes) or it decompresses to more than max_size bytes.
std::vector<uint8_t> decompress_frame(std::span<const uint8_t> frame, const std::string& where,
                                      uint64_t max_size);

}  // namespace uw::data
