#include "viewer/dataset_session.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "datagen/replay.h"

namespace uw::viewer {
namespace {

std::string end_text(const data::ShardEntry& e) {
  return std::string(envs::end_reason_name(e.reason));
}

}  // namespace

DatasetSession::DatasetSession(const envs::Registry& registry, const std::filesystem::path& dir)
    : dataset_(data::Dataset::open(dir, {.skip_bad = true})) {
  const data::Manifest& m = dataset_.manifest();
  env_ = registry.make(m.generation.env_id, m.generation.options);
  problems_ = dataset_.problems();
  if (const std::string engines = data::engine_difference(m); !engines.empty()) {
    problems_.push_back("the dataset was " + engines +
                        ": the scenes are re-simulated and may differ from what was recorded");
  }
  for (int64_t i = 0; i < dataset_.size(); ++i) {
    const data::ShardEntry& e = dataset_.entry(i);
    EpisodeRow row;
    row.position = i;
    row.episode = e.episode;
    row.total_reward = e.total_reward;
    row.steps = e.steps;
    row.success = e.success;
    row.end_reason = end_text(e);
    rows_.push_back(std::move(row));
  }
  verifier_ = std::thread([this] { verify_all(); });
}

DatasetSession::~DatasetSession() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  verifier_.join();
}

std::vector<EpisodeRow> DatasetSession::rows() const {
  std::lock_guard lock(mutex_);
  return rows_;
}

std::vector<std::string> DatasetSession::problems() const {
  std::lock_guard lock(mutex_);
  return problems_;
}

int64_t DatasetSession::checked() const {
  std::lock_guard lock(mutex_);
  return checked_;
}

void DatasetSession::mark(int64_t position, const std::string& fault) {
  std::lock_guard lock(mutex_);
  EpisodeRow& row = rows_[static_cast<size_t>(position)];
  if (row.fault.empty() && !fault.empty()) problems_.push_back(fault);
  if (!fault.empty()) row.fault = fault;
  if (!row.checked) ++checked_;
  row.checked = true;
}

void DatasetSession::verify_all() {
  for (int64_t i = 0; i < dataset_.size(); ++i) {
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
    }
    std::string fault;
    try {
      dataset_.read(i);
    } catch (const Error& e) {
      fault = e.what();
    }
    mark(i, fault);
  }
}

void DatasetSession::select(int64_t position) {
  UW_CHECK(position >= 0 && position < dataset_.size(), "episode position out of range");
  try {
    episode_ = dataset_.read(position);
  } catch (const Error& e) {
    episode_.reset();
    selected_ = -1;
    mark(position, e.what());
    throw;
  }
  selected_ = position;
  const data::Episode& e = *episode_;
  const int64_t d = dataset_.manifest().layout.obs_size;
  const int64_t a = dataset_.manifest().layout.action_size;
  divergence_.clear();
  states_.clear();
  data::seek_step(*env_, e, 0);
  states_.push_back(env_->save_state());
  for (int64_t t = 0; t < e.steps; ++t) {
    if (env_->episode_ended()) {
      divergence_ = "step " + std::to_string(t) + ": the episode ended here when re-simulated";
      break;
    }
    env_->step(std::span(e.actions).subspan(static_cast<size_t>(t * a), static_cast<size_t>(a)));
    states_.push_back(env_->save_state());
    const std::span<const float> obs = env_->observation();
    if (divergence_.empty() && std::memcmp(obs.data(), e.observations.data() + (t + 1) * d,
                                           static_cast<size_t>(d) * sizeof(float)) != 0) {
      divergence_ = "step " + std::to_string(t + 1) +
                    ": the re-simulated observation differs from the recorded one";
    }
  }
}

void DatasetSession::show_step(int64_t t, SceneView& view) {
  if (states_.empty()) return;
  t = std::clamp<int64_t>(t, 0, static_cast<int64_t>(states_.size()) - 1);
  env_->restore_state(states_[static_cast<size_t>(t)]);
  if (const sim::World* world = env_->world()) view.sync(world->draw());
}

}  // namespace uw::viewer
