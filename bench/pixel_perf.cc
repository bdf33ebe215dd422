#include "bench/pixel_perf.h"

#include <algorithm>
#include <limits>

#include "bench/env_vs_raw.h"
#include "core/error.h"
#include "envs/vector_env.h"
#include "sim/renderer.h"

namespace uw::bench {
namespace {

// Seconds for `repeats` runs of the actions from `start` (restoring is not timed).
double time_runs(envs::Env& env, const std::vector<double>& start,
                 const std::vector<float>& actions, int steps, int repeats) {
  const size_t size = env.spec().action_space.flat_size();
  double seconds = 0;
  for (int r = 0; r < repeats; ++r) {
    env.restore_state(start);
    seconds += seconds_of([&] {
      for (int t = 0; t < steps; ++t) env.step(std::span(actions).subspan(t * size, size));
    });
  }
  return seconds;
}

PixelVsState measure(const envs::Registry& registry, const std::string& id,
                     const PixelPerfConfig& config) {
  Options pixel_options;
  pixel_options.set("pixels", std::to_string(config.width) + "x" + std::to_string(config.height));
  std::unique_ptr<envs::Env> pixels = registry.make(id, pixel_options);
  std::unique_ptr<envs::Env> state = registry.make(id);
  const int steps = steps_within_episode(*state, config.steps, "perf pixels");
  const std::vector<float> actions = random_actions(state->spec().action_space, steps, config.seed);
  pixels->reset(config.seed);  // makes the renderer: not timed
  state->reset(config.seed);
  const std::vector<double> start = state->save_state();
  const int state_repeats = std::max(1, config.min_state_steps / steps);
  double best_pixels = std::numeric_limits<double>::infinity();
  double best_state = std::numeric_limits<double>::infinity();
  for (int round = 0; round < config.rounds; ++round) {
    best_pixels = std::min(best_pixels, time_runs(*pixels, start, actions, steps, 1));
    best_state = std::min(best_state, time_runs(*state, start, actions, steps, state_repeats));
  }
  PixelVsState result;
  result.env_id = id;
  result.frames_per_second = steps / best_pixels;
  result.state_steps_per_second = double(steps) * state_repeats / best_state;
  result.ratio = result.frames_per_second / result.state_steps_per_second;
  return result;
}

void measure_vector(const envs::Registry& registry, const PixelPerfConfig& config,
                    PixelPerfReport& report) {
  Options pixel_options;
  pixel_options.set("pixels", std::to_string(config.width) + "x" + std::to_string(config.height));
  const int n = config.vector_envs;
  envs::VectorEnv one(registry.make(config.vector_env_id, pixel_options),
                      {n, /*threads=*/1, envs::AutoresetMode::kNextStep});
  envs::VectorEnv two(registry.make(config.vector_env_id, pixel_options),
                      {n, /*threads=*/2, envs::AutoresetMode::kNextStep});
  const size_t batch = size_t(n) * one.action_size();
  const std::vector<float> actions =
      random_actions(one.spec().action_space, n * config.vector_steps, config.seed);
  auto time_run = [&](envs::VectorEnv& envs) {
    envs.reset(config.seed);  // the first makes the renderers: not timed
    return seconds_of([&] {
      for (int t = 0; t < config.vector_steps; ++t) {
        envs.step(std::span(actions).subspan(t * batch, batch));
      }
    });
  };
  double best_one = std::numeric_limits<double>::infinity();
  double best_two = std::numeric_limits<double>::infinity();
  for (int round = 0; round < config.rounds; ++round) {
    best_one = std::min(best_one, time_run(one));
    best_two = std::min(best_two, time_run(two));
  }
  const double frames = double(n) * config.vector_steps;
  report.vector_env_id = config.vector_env_id;
  report.vector_envs = n;
  report.vector_1_thread_frames_per_second = frames / best_one;
  report.vector_2_threads_frames_per_second = frames / best_two;
  report.vector_2v1_ratio = best_one / best_two;
}

}  // namespace

PixelPerfReport run_pixel_perf(const envs::Registry& registry, const PixelPerfConfig& config) {
  PixelPerfReport report;
  report.width = config.width;
  report.height = config.height;
  report.backend = sim::Renderer(sim::RenderQuality::kFast).backend();
  const std::vector<std::string> ids = config.env_ids.empty() ? registry.ids() : config.env_ids;
  for (const std::string& id : ids) report.envs.push_back(measure(registry, id, config));
  measure_vector(registry, config, report);
  return report;
}

}  // namespace uw::bench
