#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "datagen/dataset.h"
#include "datagen/export.h"

namespace uw::data {

struct NpzOptions {
  // Sizes and offsets at or above this get ZIP64 fields (as the format requires from 0xFFFFFFFF
  // on); tests lower it to check the ZIP64 path without writing 4 GiB.
  uint64_t zip64_threshold = 0xFFFFFFFF;
};

// Writes `dataset` as a NumPy .npz file (a ZIP archive of .npy arrays, stored uncompressed) that
// numpy.load reads. Arrays, concatenated over episodes in dataset order (N steps, E episodes):
//   observations float32 [N+E, D]   (T+1 rows per episode)
//   actions float32 [N, A], rewards float32 [N]
//   terminations bool [N], truncations bool [N]   (true only on an episode's last step)
//   episode_lengths int64 [E], episode_index int64 [E], episode_seeds uint64 [E]
//   states float64 [N+E, S]
//   goals float32 [E, G], goal_observations float32 [E, D]   (goal tasks only)
//   pixels uint8 [N+E, H, W, 3]   (pixel datasets only)
// Episode e's rows start at the sum of the lengths before it (plus e for the T+1-row arrays).
// Reads each episode once and holds one at a time; writes `out`.tmp and renames it to `out`, so
// `out` is never a partial file. Throws uw::Error naming the file or the damaged episode.
ExportResult export_npz(const Dataset& dataset, const std::filesystem::path& out,
                        const NpzOptions& options = {});

// CRC-32 (IEEE, as ZIP uses) of `bytes` continuing from `crc` (0 to start).
uint32_t crc32(std::span<const uint8_t> bytes, uint32_t crc = 0);

// The .npy (format 1.0) header of a C-order array: magic, version, length, the dict padded with
// spaces to a multiple of 64 bytes. `descr` is NumPy's type string ("<f4", "|b1").
std::string npy_header(std::string_view descr, const std::vector<int64_t>& shape);

}  // namespace uw::data
