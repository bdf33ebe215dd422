#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "agents/model_file.h"
#include "datagen/episode_pools.h"
#include "datagen/window_sampler.h"

namespace uw::agents {

// How a model cuts a window: `history` latents of context, then `horizon` predictor steps, each
// over a chunk of `frameskip` actions. A window holds (history - 1 + horizon) chunks and one
// observation at each chunk boundary.
struct WindowGeometry {
  int64_t history = 1;
  int64_t horizon = 1;
  int64_t frameskip = 1;

  int64_t chunks() const { return history - 1 + horizon; }
  int64_t boundaries() const { return chunks() + 1; }
  int64_t steps() const { return chunks() * frameskip; }  // env steps in a window
};

// A batch in the shape training wants: the observations (and pictures) at chunk boundaries,
// normalised, and the action chunks between them.
struct TrainingBatch {
  int64_t size = 0;               // B
  int64_t boundaries = 0;         // n
  std::vector<float> obs;         // [B, n, D], normalised
  std::vector<uint8_t> pixels;    // [B, n, H, W, 3]
  std::vector<float> chunks;      // [B, n-1, F*A], normalised
  std::vector<float> rewards;     // [B, n-1]: summed over each chunk
  std::vector<float> terminated;  // [B, n-1]: 1 when the episode terminated within the chunk
};

// Cuts sampled windows into a training batch (normalising with `norm`).
void make_training_batch(const data::WindowBatch& windows, const WindowGeometry& geometry,
                         const DataShape& shape, const Normalization& norm, TrainingBatch& out);

// Training batches prepared ahead on worker threads, so that the optimiser never waits for
// data. Batch i is drawn from its own seed (derive_seed(seed, i)), so the sequence is the same
// whatever the number of threads, and a resumed run picks it up at any i. The windows come from
// episodes in memory, or streamed: batch i from pool i / batches_per_pool of `pools`, with the
// next pool read ahead on a loader thread while the current one serves.
class BatchSource {
 public:
  BatchSource(const data::WindowSampler& sampler, const WindowGeometry& geometry,
              const DataShape& shape, const Normalization& norm, int64_t batch_size, uint64_t seed,
              int threads, int64_t first_batch = 0);
  BatchSource(const data::EpisodePools& pools, int64_t batches_per_pool,
              const WindowGeometry& geometry, const DataShape& shape, const Normalization& norm,
              int64_t batch_size, uint64_t seed, int threads, int64_t first_batch = 0);
  ~BatchSource();
  BatchSource(const BatchSource&) = delete;
  BatchSource& operator=(const BatchSource&) = delete;

  // The next batch in order; valid until the following call.
  const TrainingBatch& next();
  // Seconds the caller has spent waiting for batches (0 when the workers keep ahead).
  double seconds_waited() const { return waited_; }

 private:
  static constexpr int kSlots = 4;
  struct Slot {
    int64_t batch = -1;  // the batch it holds or is being filled with
    bool ready = false;
    data::WindowBatch windows;
    TrainingBatch training;
  };
  // the members alone: the public constructors add the pools and start the threads
  BatchSource(const data::EpisodePools* pools, int64_t batches_per_pool,
              const WindowGeometry& geometry, const DataShape& shape, const Normalization& norm,
              int64_t batch_size, uint64_t seed, int64_t first_batch);
  void start(int threads);
  void work();
  void load_pools();
  int64_t pool_of(int64_t batch) const { return batch / batches_per_pool_; }

  const data::EpisodePools* pools_;  // null: one sampler in memory (pool 0)
  int64_t batches_per_pool_;
  std::map<int64_t, std::shared_ptr<const data::WindowSampler>> loaded_;  // by pool
  WindowGeometry geometry_;
  DataShape shape_;
  Normalization norm_;
  int64_t batch_size_;
  uint64_t seed_;
  std::mutex mutex_;
  std::condition_variable changed_;
  Slot slots_[kSlots];
  int64_t next_to_fill_;  // the next batch number a worker takes
  int64_t next_to_hand_;  // the next batch number next() returns
  bool stopping_ = false;
  double waited_ = 0;
  std::vector<std::thread> workers_;
  std::thread loader_;
  std::exception_ptr error_;  // a pool that could not be read, or a batch not made: next() throws
};

}  // namespace uw::agents
