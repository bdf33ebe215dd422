#include "datagen/window_sampler.h"

#include <algorithm>

#include "core/error.h"

namespace uw::data {

WindowSampler::WindowSampler(const EpisodeLayout& layout, int64_t window)
    : layout_(layout),
      obs_size_(layout.obs_size),
      action_size_(layout.action_size),
      window_(window) {
  layout_.state_size = 0;  // never kept
  if (window < 1) throw Error("window length must be at least 1, got " + std::to_string(window));
}

WindowSampler::WindowSampler(int64_t obs_size, int64_t action_size, int64_t window)
    : WindowSampler(EpisodeLayout{.obs_size = obs_size, .action_size = action_size}, window) {}

void WindowSampler::add(const Episode& e) {
  UW_CHECK(static_cast<int64_t>(e.observations.size()) == (e.steps + 1) * obs_size_ &&
               static_cast<int64_t>(e.actions.size()) == e.steps * action_size_,
           "episode arrays do not match the sampler's sizes");
  const int64_t pixel_size = layout_.pixel_size();
  UW_CHECK(static_cast<int64_t>(e.pixels.size()) == (e.steps + 1) * pixel_size &&
               static_cast<int64_t>(e.goal.size()) == layout_.goal_size,
           "episode pictures or goal do not match the sampler's layout");
  if (e.steps < window_) return;
  Held held;
  held.number = e.index;
  held.steps = e.steps;
  held.terminated = e.terminated;
  held.first_step = static_cast<int64_t>(rewards_.size());
  // each episode before holds one more observation row than steps
  held.first_row = held.first_step + static_cast<int64_t>(episodes_.size());
  observations_.insert(observations_.end(), e.observations.begin(), e.observations.end());
  actions_.insert(actions_.end(), e.actions.begin(), e.actions.end());
  rewards_.insert(rewards_.end(), e.rewards.begin(), e.rewards.end());
  pixels_.insert(pixels_.end(), e.pixels.begin(), e.pixels.end());
  goals_.insert(goals_.end(), e.goal.begin(), e.goal.end());
  if (layout_.goal_size > 0) {
    goal_observations_.insert(goal_observations_.end(), e.goal_observation.begin(),
                              e.goal_observation.end());
    goal_observations_.resize(episodes_.size() * obs_size_ + obs_size_);  // pixels only: none
  }

  episodes_.push_back(held);
  cumulative_.push_back(windows() + e.steps - window_ + 1);
}

void WindowSampler::clear() {
  observations_.clear();
  actions_.clear();
  rewards_.clear();
  pixels_.clear();
  goals_.clear();
  goal_observations_.clear();
  episodes_.clear();
  cumulative_.clear();
}

void WindowSampler::sample(Rng& rng, int64_t batch, WindowBatch& out) const {
  if (windows() == 0) {
    throw Error("no window of " + std::to_string(window_) +
                " steps to sample: every episode is shorter");
  }
  const int64_t L = window_;
  out.size = batch;
  out.window = L;
  out.observations.resize(static_cast<size_t>(batch * (L + 1) * obs_size_));
  out.actions.resize(static_cast<size_t>(batch * L * action_size_));
  out.rewards.resize(static_cast<size_t>(batch * L));
  out.terminated.resize(static_cast<size_t>(batch * L));
  const int64_t P = layout_.pixel_size(), G = layout_.goal_size;
  out.pixels.resize(static_cast<size_t>(batch * (L + 1) * P));
  out.goals.resize(static_cast<size_t>(batch * G));
  out.goal_observations.resize(static_cast<size_t>(G > 0 ? batch * obs_size_ : 0));
  out.episode.resize(static_cast<size_t>(batch));
  out.start.resize(static_cast<size_t>(batch));
  for (int64_t b = 0; b < batch; ++b) {
    const auto pick = static_cast<int64_t>(rng.uniform_int(static_cast<uint64_t>(windows())));
    const size_t i = static_cast<size_t>(
        std::upper_bound(cumulative_.begin(), cumulative_.end(), pick) - cumulative_.begin());
    const Held& h = episodes_[i];
    const int64_t start = pick - (i > 0 ? cumulative_[i - 1] : 0);
    std::copy_n(observations_.begin() + (h.first_row + start) * obs_size_, (L + 1) * obs_size_,
                out.observations.begin() + b * (L + 1) * obs_size_);
    std::copy_n(actions_.begin() + (h.first_step + start) * action_size_, L * action_size_,
                out.actions.begin() + b * L * action_size_);
    std::copy_n(rewards_.begin() + h.first_step + start, L, out.rewards.begin() + b * L);
    uint8_t* terminated = out.terminated.data() + b * L;
    std::fill_n(terminated, L, uint8_t{0});
    if (h.terminated && start + L == h.steps) terminated[L - 1] = 1;
    std::copy_n(pixels_.begin() + (h.first_row + start) * P, (L + 1) * P,
                out.pixels.begin() + b * (L + 1) * P);
    std::copy_n(goals_.begin() + static_cast<int64_t>(i) * G, G, out.goals.begin() + b * G);
    if (G > 0) {
      std::copy_n(goal_observations_.begin() + static_cast<int64_t>(i) * obs_size_, obs_size_,
                  out.goal_observations.begin() + b * obs_size_);
    }
    out.episode[b] = h.number;
    out.start[b] = start;
  }
}

WindowSampler load_window_sampler(Dataset& dataset, int64_t window) {
  WindowSampler sampler(dataset.manifest().layout, window);
  dataset.for_each([&](const Episode& e) { sampler.add(e); });
  return sampler;
}

SplitSamplers load_split_samplers(Dataset& dataset, int64_t train_window, int64_t heldout_window,
                                  int64_t heldout_every) {
  if (heldout_every < 2) {
    throw Error("every " + std::to_string(heldout_every) + "th episode cannot be held out");
  }
  const EpisodeLayout& layout = dataset.manifest().layout;
  SplitSamplers split{WindowSampler(layout, train_window), WindowSampler(layout, heldout_window)};
  dataset.for_each([&](const Episode& e) {
    (e.index % heldout_every == heldout_every - 1 ? split.heldout : split.train).add(e);
  });
  return split;
}

}  // namespace uw::data
