#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "datagen/dataset.h"
#include "envs/registry.h"
#include "viewer/scene_view.h"

namespace uw::viewer {

// One line of the episode browser.
struct EpisodeRow {
  int64_t position = 0;  // in the dataset's readable episodes
  int64_t episode = 0;   // its number k
  double total_reward = 0;
  int64_t steps = 0;
  std::optional<bool> success;
  std::string end_reason;
  std::string fault;  // why it failed to read or verify; "" while it is fine (or unchecked)
  bool checked = false;
};

// A dataset opened for browsing. The episode list comes from the shards' indexes at once; a
// background thread then reads every episode (the frame checks of `umwelt dataset verify`) and
// marks the damaged ones, so a dataset that fails verification opens with them marked. Shards
// that cannot be opened at all are left out and named in problems(). The scene of a step is
// the stored simulator state: an episode is re-simulated once from its seed and actions when it
// is selected (from its kept states where there are any), and every step is compared with what
// was recorded.
class DatasetSession {
 public:
  // Throws uw::Error when `dir` holds no dataset (no readable manifest), or its env cannot be
  // made here.
  DatasetSession(const envs::Registry& registry, const std::filesystem::path& dir);
  ~DatasetSession();
  DatasetSession(const DatasetSession&) = delete;
  DatasetSession& operator=(const DatasetSession&) = delete;

  const data::Dataset& dataset() const { return dataset_; }
  std::vector<EpisodeRow> rows() const;
  std::vector<std::string> problems() const;
  // Episodes checked by the background thread so far.
  int64_t checked() const;

  // Loads the episode at `position` and re-simulates its states. Throws uw::Error when it is
  // damaged (and marks it).
  void select(int64_t position);
  // The selected episode, or nullptr.
  const data::Episode* episode() const { return episode_ ? &*episode_ : nullptr; }
  int64_t selected() const { return selected_; }
  // The first step where the re-simulation differs from the recording ("" when none).
  const std::string& divergence() const { return divergence_; }
  // The re-simulated env state at step t of the selected episode (empty when none).
  std::span<const double> state(int64_t t) const {
    if (t < 0 || t >= static_cast<int64_t>(states_.size())) return {};
    return states_[static_cast<size_t>(t)];
  }
  // Puts the scene at step t (clamped into the episode).
  void show_step(int64_t t, SceneView& view);

 private:
  void verify_all();
  void mark(int64_t position, const std::string& fault);

  data::Dataset dataset_;
  std::unique_ptr<envs::Env> env_;
  std::optional<data::Episode> episode_;
  int64_t selected_ = -1;
  std::vector<std::vector<double>> states_;  // of the selected episode, per step
  std::string divergence_;

  mutable std::mutex mutex_;  // rows_, problems_, checked_
  std::vector<EpisodeRow> rows_;
  std::vector<std::string> problems_;
  int64_t checked_ = 0;
  bool stop_ = false;
  std::thread verifier_;
};

}  // namespace uw::viewer
