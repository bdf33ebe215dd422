#include "agents/batch_source.h"

#include <chrono>

#include "core/error.h"
#include "core/random.h"

namespace uw::agents {

void make_training_batch(const data::WindowBatch& w, const WindowGeometry& g,
                         const DataShape& shape, const Normalization& norm, TrainingBatch& out) {
  UW_CHECK(w.window == g.steps(), "windows of another length than the geometry's");
  const int64_t B = w.size, n = g.boundaries(), F = g.frameskip, L = w.window;
  const int64_t D = shape.obs_size, A = shape.action_size;
  const int64_t P = shape.pixel_height * shape.pixel_width * 3;
  out.size = B;
  out.boundaries = n;
  out.obs.resize(static_cast<size_t>(B * n * D));
  out.pixels.resize(static_cast<size_t>(B * n * P));
  out.chunks.resize(static_cast<size_t>(B * (n - 1) * F * A));
  out.rewards.resize(static_cast<size_t>(B * (n - 1)));
  out.terminated.resize(static_cast<size_t>(B * (n - 1)));
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t j = 0; j < n; ++j) {
      const int64_t t = j * F;  // the step of boundary j
      const float* o = w.observations.data() + (b * (L + 1) + t) * D;
      float* to = out.obs.data() + (b * n + j) * D;
      for (int64_t d = 0; d < D; ++d) to[d] = (o[d] - norm.obs_mean[d]) / norm.obs_std[d];
      if (P > 0) {
        std::copy_n(w.pixels.data() + (b * (L + 1) + t) * P, P,
                    out.pixels.data() + (b * n + j) * P);
      }
    }
    for (int64_t j = 0; j + 1 < n; ++j) {
      float reward = 0, terminated = 0;
      for (int64_t s = 0; s < F; ++s) {
        const int64_t t = j * F + s;
        const float* a = w.actions.data() + (b * L + t) * A;
        float* to = out.chunks.data() + ((b * (n - 1) + j) * F + s) * A;
        for (int64_t d = 0; d < A; ++d) to[d] = (a[d] - norm.action_mean[d]) / norm.action_std[d];
        reward += w.rewards[b * L + t];
        if (w.terminated[b * L + t] != 0) terminated = 1;
      }
      out.rewards[b * (n - 1) + j] = reward;
      out.terminated[b * (n - 1) + j] = terminated;
    }
  }
}

BatchSource::BatchSource(const data::WindowSampler& sampler, const WindowGeometry& geometry,
                         const DataShape& shape, const Normalization& norm, int64_t batch_size,
                         uint64_t seed, int threads, int64_t first_batch)
    : sampler_(sampler),
      geometry_(geometry),
      shape_(shape),
      norm_(norm),
      batch_size_(batch_size),
      seed_(seed),
      next_to_fill_(first_batch),
      next_to_hand_(first_batch) {
  UW_CHECK(sampler.window() == geometry.steps(), "sampler windows of another length");
  if (sampler.windows() == 0) {
    throw Error("no training window of " + std::to_string(geometry.steps()) +
                " steps: every training episode is shorter (lower loss.horizon, model.history "
                "or model.frameskip)");
  }
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
}

BatchSource::~BatchSource() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void BatchSource::work() {
  std::unique_lock lock(mutex_);
  while (true) {
    // batch j goes to slot j mod kSlots; it may be filled once the batch there before it is
    // no longer the caller's (the caller holds batch next_to_hand_ - 1)
    changed_.wait(lock,
                  [&] { return stopping_ || next_to_fill_ < next_to_hand_ + kSlots - 1; });
    if (stopping_) return;
    const int64_t batch = next_to_fill_++;
    Slot& slot = slots_[batch % kSlots];
    slot.batch = batch;
    slot.ready = false;
    lock.unlock();
    Rng rng(derive_seed(seed_, static_cast<uint64_t>(batch)));
    sampler_.sample(rng, batch_size_, slot.windows);
    make_training_batch(slot.windows, geometry_, shape_, norm_, slot.training);
    lock.lock();
    slot.ready = true;
    changed_.notify_all();
  }
}

const TrainingBatch& BatchSource::next() {
  std::unique_lock lock(mutex_);
  const int64_t batch = next_to_hand_;
  Slot& slot = slots_[batch % kSlots];
  // the slot of the batch handed out before this one is free again
  ++next_to_hand_;
  changed_.notify_all();
  const auto start = std::chrono::steady_clock::now();
  changed_.wait(lock, [&] { return slot.batch == batch && slot.ready; });
  waited_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return slot.training;
}

}  // namespace uw::agents
