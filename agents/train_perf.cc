#include "agents/train_perf.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "agents/learner.h"
#include "agents/trainer.h"
#include "core/random.h"

namespace uw::agents {

TrainPerf measure_training(const TrainPerfConfig& c) {
  using Clock = std::chrono::steady_clock;
  torch::set_num_threads(c.threads);
  data::Dataset dataset = data::Dataset::open(c.data);
  TrainPerf out;
  out.config = resolve_config(c.config_file, c.overrides, std::nullopt, dataset.manifest().spec.id,
                              dataset.manifest().layout.pixel_height > 0);
  out.batch_size = out.config.train.batch_size;
  const TrainingData data = load_training_data(dataset, out.config);
  out.obs_size = data.shape.obs_size;
  out.action_size = data.shape.action_size;
  const WindowGeometry geometry = window_geometry(out.config);

  // the same model twice: one fed by the trainer's batch source, one by a batch made once
  detail::Learner fed(out.config, data.shape, torch::kCPU, 0);
  detail::Learner held(out.config, data.shape, torch::kCPU, 0);
  // with train.stream_episodes the source streams pools from the shards, as the trainer does
  const auto threads = static_cast<int>(out.config.train.data_threads);
  std::optional<data::EpisodePools> pools;
  if (!data.streamed.empty()) {
    pools.emplace(dataset, data.streamed, out.config.train.stream_episodes, geometry.steps(), 3);
  }
  BatchSource source = pools
                           ? BatchSource(*pools, out.config.train.stream_batches, geometry,
                                         data.shape, data.normalization, out.batch_size, 1, threads)
                           : BatchSource(data.split.train, geometry, data.shape, data.normalization,
                                         out.batch_size, 1, threads);
  data::WindowBatch windows;
  Rng rng(2);
  (pools ? *pools->load(0) : data.split.train).sample(rng, out.batch_size, windows);
  TrainingBatch in_memory;
  make_training_batch(windows, geometry, data.shape, data.normalization, in_memory);

  const auto rate = [&](auto&& one_step) {
    const auto start = Clock::now();
    for (int64_t i = 0; i < c.steps_per_round; ++i) one_step();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return static_cast<double>(c.steps_per_round * out.batch_size) / seconds;
  };
  // a warm-up step each: first calls allocate and fault in memory
  fed.step(source.next());
  held.step(in_memory);
  std::vector<double> ratios;
  double fed_seconds = 0;
  const double waited_before = source.seconds_waited();
  for (int round = 0; round < c.rounds; ++round) {
    const auto start = Clock::now();
    const double a = rate([&] { fed.step(source.next()); });
    fed_seconds += std::chrono::duration<double>(Clock::now() - start).count();
    const double b = rate([&] { held.step(in_memory); });
    out.trainer_samples_per_second = std::max(out.trainer_samples_per_second, a);
    out.in_memory_samples_per_second = std::max(out.in_memory_samples_per_second, b);
    ratios.push_back(a / b);
  }
  std::sort(ratios.begin(), ratios.end());
  out.trainer_vs_in_memory = ratios[ratios.size() / 2];
  out.data_wait_fraction = (source.seconds_waited() - waited_before) / fed_seconds;
  return out;
}

}  // namespace uw::agents
