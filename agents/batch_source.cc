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

BatchSource::BatchSource(const data::EpisodePools* pools, int64_t batches_per_pool,
                         const WindowGeometry& geometry, const DataShape& shape,
                         const Normalization& norm, int64_t batch_size, uint64_t seed,
                         int64_t first_batch)
    : pools_(pools),
      batches_per_pool_(batches_per_pool),
      geometry_(geometry),
      shape_(shape),
      norm_(norm),
      batch_size_(batch_size),
      seed_(seed),
      next_to_fill_(first_batch),
      next_to_hand_(first_batch) {}

BatchSource::BatchSource(const data::WindowSampler& sampler, const WindowGeometry& geometry,
                         const DataShape& shape, const Normalization& norm, int64_t batch_size,
                         uint64_t seed, int threads, int64_t first_batch)
    : BatchSource(nullptr, std::numeric_limits<int64_t>::max(), geometry, shape, norm, batch_size,
                  seed, first_batch) {
  UW_CHECK(sampler.window() == geometry.steps(), "sampler windows of another length");
  if (sampler.windows() == 0) {
    throw Error("no training window of " + std::to_string(geometry.steps()) +
                " steps: every training episode is shorter (lower loss.horizon, model.history "
                "or model.frameskip)");
  }
  // every batch comes from pool 0: the caller's sampler, not owned
  loaded_[0] = std::shared_ptr<const data::WindowSampler>(std::shared_ptr<void>(), &sampler);
  start(threads);
}

BatchSource::BatchSource(const data::EpisodePools& pools, int64_t batches_per_pool,
                         const WindowGeometry& geometry, const DataShape& shape,
                         const Normalization& norm, int64_t batch_size, uint64_t seed, int threads,
                         int64_t first_batch)
    : BatchSource(&pools, batches_per_pool, geometry, shape, norm, batch_size, seed, first_batch) {
  UW_CHECK(batches_per_pool >= 1, "a pool serves at least one batch");
  loader_ = std::thread([this] { load_pools(); });
  start(threads);
}

void BatchSource::start(int threads) {
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
}

BatchSource::~BatchSource() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (std::thread& t : workers_) t.join();
  if (loader_.joinable()) loader_.join();
}

void BatchSource::load_pools() {
  std::unique_lock lock(mutex_);
  while (true) {
    // the pool of the next batch to fill and the one after it; pools before are done with
    // (a worker still filling from one holds its own reference)
    int64_t wanted = -1;
    changed_.wait(lock, [&] {
      if (stopping_ || error_) return true;
      const int64_t current = pool_of(next_to_fill_);
      while (!loaded_.empty() && loaded_.begin()->first < current) loaded_.erase(loaded_.begin());
      for (const int64_t pool : {current, current + 1}) {
        if (loaded_.count(pool) == 0) {
          wanted = pool;
          return true;
        }
      }
      return false;
    });
    if (stopping_ || error_) return;
    lock.unlock();
    std::shared_ptr<const data::WindowSampler> pool;
    std::exception_ptr error;
    try {
      pool = pools_->load(wanted);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    if (error) {
      error_ = error;
    } else {
      loaded_[wanted] = std::move(pool);
    }
    changed_.notify_all();
  }
}

void BatchSource::work() {
  std::unique_lock lock(mutex_);
  while (true) {
    // batch j goes to slot j mod kSlots; it may be filled once the batch there before it is
    // no longer the caller's (the caller holds batch next_to_hand_ - 1), and once its pool is in
    changed_.wait(lock, [&] {
      return stopping_ || error_ ||
             (next_to_fill_ < next_to_hand_ + kSlots - 1 &&
              loaded_.count(pool_of(next_to_fill_)) > 0);
    });
    if (stopping_ || error_) return;
    const int64_t batch = next_to_fill_++;
    const std::shared_ptr<const data::WindowSampler> sampler = loaded_[pool_of(batch)];
    Slot& slot = slots_[batch % kSlots];
    slot.batch = batch;
    slot.ready = false;
    changed_.notify_all();  // the loader may read ahead
    lock.unlock();
    std::exception_ptr error;
    try {
      Rng rng(derive_seed(seed_, static_cast<uint64_t>(batch)));
      sampler->sample(rng, batch_size_, slot.windows);
      make_training_batch(slot.windows, geometry_, shape_, norm_, slot.training);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    if (error) error_ = error;
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
  changed_.wait(lock, [&] { return error_ || (slot.batch == batch && slot.ready); });
  waited_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (error_) std::rethrow_exception(error_);
  return slot.training;
}

}  // namespace uw::agents
