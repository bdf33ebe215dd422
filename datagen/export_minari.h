#pragma once

#include <filesystem>
#include <string>

#include "datagen/dataset.h"
#include "datagen/export.h"
#include "envs/space.h"

namespace uw::data {

// The Minari release whose on-disk layout export_minari writes (data/metadata.json beside
// data/main_data.hdf5, spaces serialised into the metadata); Minari refuses datasets whose
// minari_version it does not list as supported.
inline constexpr const char* kMinariVersion = "0.5.0";

// Writes `dataset` as a Minari dataset (HDF5 storage) in `out_dir`, which must not exist or be
// empty: out_dir/data/main_data.hdf5 and out_dir/data/metadata.json. minari.load_dataset(id)
// finds it when out_dir is $MINARI_DATASETS_PATH/<dataset_id>. One group `episode_<i>` per
// episode (i = 0..E-1 in dataset order) holds
//   observations float32 [T+1, *observation shape]   actions float32 [T, *action shape]
//   rewards float64 [T] (as Minari's own collector writes them), terminations, truncations bool [T]
//   infos/states float64 [T+1, S]; goal tasks: infos/goal [T+1, G] and
//   infos/goal_observation [T+1, D] (constant rows); pixel datasets: infos/pixels uint8
//   [T+1, H, W, 3]
// and attributes id, total_steps, seed, index (the episode's number in the Umwelt dataset),
// policy, end_reason, success (goal tasks). Observations stay the flat Box of the env spec, not
// Minari's dict convention for goal envs. Writes `out_dir`.tmp (a leftover one is removed) and
// renames it into place. Throws uw::Error naming the file, or the damaged episode.
ExportResult export_minari(const Dataset& dataset, const std::filesystem::path& out_dir,
                           const std::string& dataset_id);

// Throws uw::Error unless `id` has Minari's form (namespace/)name-v<version>.
void check_minari_dataset_id(const std::string& id);

// A space as Minari serialises it into metadata.json (a JSON text inside the JSON; bounds
// written as Python's json module reads them, Infinity included).
std::string minari_space(const envs::Space& space);

}  // namespace uw::data
