#include "datagen/replay.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace uw::data {
namespace {

// The first element where two rows differ bit for bit, or -1.
template <class T>
int64_t first_difference(std::span<const T> a, std::span<const T> b) {
  if (a.size() != b.size()) return 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::memcmp(&a[i], &b[i], sizeof(T)) != 0) return static_cast<int64_t>(i);
  }
  return -1;
}

template <class T>
std::string row_mismatch(const char* what, int64_t step, std::span<const T> stored,
                         std::span<const T> replayed) {
  const int64_t i = first_difference(stored, replayed);
  if (i < 0) return {};
  if (stored.size() != replayed.size()) {
    return "step " + std::to_string(step) + ": " + what + " has " +
           std::to_string(replayed.size()) + " values, the dataset " +
           std::to_string(stored.size());
  }
  char text[160];
  std::snprintf(text, sizeof(text), "step %lld: %s value %lld is %.17g, the dataset has %.17g",
                static_cast<long long>(step), what, static_cast<long long>(i),
                static_cast<double>(replayed[i]), static_cast<double>(stored[i]));
  return text;
}

}  // namespace

ReplayResult replay_episode(const envs::Registry& registry, const Dataset& dataset, int64_t k) {
  if (const std::string engines = engine_difference(dataset.manifest()); !engines.empty()) {
    throw Error("dataset " + dataset.dir().string() + " was " + engines +
                ": replay cannot be bit-exact across engine versions");
  }
  const int64_t position = dataset.find(k);
  if (position < 0) {
    throw Error("dataset " + dataset.dir().string() + " holds no episode " + std::to_string(k));
  }
  const Episode e = dataset.read(position);
  const Manifest& m = dataset.manifest();
  const std::unique_ptr<envs::Env> env = registry.make(m.generation.env_id, m.generation.options);
  if (envs::spec_to_json(env->spec()) != envs::spec_to_json(m.spec)) {
    throw Error("env '" + m.generation.env_id + "' now has a different spec than dataset " +
                dataset.dir().string() + " records: it was made by a different build");
  }
  const EpisodeLayout& layout = m.layout;
  const auto row = [](const auto& values, int64_t t, int64_t size) {
    return std::span(values).subspan(static_cast<size_t>(t * size), static_cast<size_t>(size));
  };
  ReplayResult result;
  result.episode = k;
  envs::TimeStep step = env->reset(e.seed);
  const auto compare = [&](int64_t t) {
    std::string mismatch;
    if (e.state_every > 0 && t % e.state_every == 0) {  // a step whose state was kept
      const std::vector<double> state = env->save_state();
      mismatch = row_mismatch("state", t, row(e.states, t / e.state_every, layout.state_size),
                              std::span<const double>(state));
    }
    if (mismatch.empty()) {
      mismatch = row_mismatch("observation", t, row(e.observations, t, layout.obs_size), step.obs);
    }
    return mismatch;
  };
  result.mismatch = compare(0);
  for (int64_t t = 0; t < e.steps && result.exact(); ++t) {
    if (step.done()) {
      result.mismatch = "step " + std::to_string(t) + ": the episode ended here when replayed";
      break;
    }
    step = env->step(row(e.actions, t, layout.action_size));
    ++result.steps;
    result.mismatch = compare(t + 1);
    if (result.exact() && std::memcmp(&step.reward, &e.rewards[t], sizeof(float)) != 0) {
      result.mismatch = "step " + std::to_string(t) + ": reward " + std::to_string(step.reward) +
                        ", the dataset has " + std::to_string(e.rewards[t]);
    }
  }
  if (!result.exact()) return result;
  // the env ended the episode as stored, or the generator's own step limit did
  const bool cut_by_generator = !step.done() && e.truncated &&
                                e.reason == envs::EndReason::kTimeLimit &&
                                e.steps == m.generation.max_steps;
  if (!cut_by_generator && (step.terminated != e.terminated || step.truncated != e.truncated ||
                            step.info.reason != e.reason)) {
    result.mismatch = "the end differs: replayed terminated=" + std::to_string(step.terminated) +
                      " truncated=" + std::to_string(step.truncated) + " reason " +
                      std::string(envs::end_reason_name(step.info.reason)) + ", stored reason " +
                      std::string(envs::end_reason_name(e.reason));
  } else if (step.info.success != e.success) {
    result.mismatch = "the success flag at the end differs";
  }
  return result;
}

int64_t seek_step(envs::Env& env, const Episode& e, int64_t t) {
  if (t < 0 || t > e.steps) {
    throw Error("episode " + std::to_string(e.index) + " has steps 0.." + std::to_string(e.steps) +
                ", not " + std::to_string(t));
  }
  int64_t from = 0;
  if (e.state_every > 0) {
    from = t / e.state_every * e.state_every;
    const int64_t size = env.state_size();
    env.restore_state(std::span(e.states).subspan(static_cast<size_t>(from / e.state_every * size),
                                                  static_cast<size_t>(size)));
  } else {
    env.reset(e.seed);
  }
  const auto A = static_cast<int64_t>(e.actions.size()) / e.steps;
  for (int64_t s = from; s < t; ++s) {
    env.step(std::span(e.actions).subspan(static_cast<size_t>(s * A), static_cast<size_t>(A)));
  }
  return from;
}

}  // namespace uw::data
