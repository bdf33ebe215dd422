#include "datagen/episode.h"

#include <cmath>
#include <cstring>
#include <type_traits>

#include "core/error.h"

namespace uw::data {
namespace {

template <class T>
std::string size_problem(const char* name, const std::vector<T>& values, int64_t expected) {
  if (static_cast<int64_t>(values.size()) == expected) return {};
  return std::string(name) + " holds " + std::to_string(values.size()) + " values, expected " +
         std::to_string(expected);
}

// Whether every value is finite: no early exit, so it vectorises (the exponent bits of an
// infinity or NaN are all ones).
template <class T>
bool all_finite(const std::vector<T>& values) {
  using Bits = std::conditional_t<sizeof(T) == 8, uint64_t, uint32_t>;
  constexpr Bits kExponent = sizeof(T) == 8 ? 0x7ff0000000000000 : 0x7f800000;
  Bits not_finite = 0;
  for (const T& value : values) {
    Bits bits;
    std::memcpy(&bits, &value, sizeof(T));
    not_finite |= static_cast<Bits>((bits & kExponent) == kExponent);
  }
  return not_finite == 0;
}

template <class T>
std::string finite_problem(const char* name, const std::vector<T>& values, int64_t row_size) {
  if (all_finite(values)) return {};
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      const int64_t row = row_size > 0 ? static_cast<int64_t>(i) / row_size : 0;
      return std::string(name) + " is not finite at step " + std::to_string(row) + " (value " +
             std::to_string(row_size > 0 ? static_cast<int64_t>(i) % row_size : 0) + ")";
    }
  }
  return {};
}

}  // namespace

uint64_t payload_bound(const EpisodeLayout& l, int64_t steps) {
  // each float array also carries a bit per column for its constant columns; 4096 + 256 covers
  // the header and the longest policy name
  const auto masks = static_cast<uint64_t>(
      (2 * l.obs_size + l.action_size + 1 + l.state_size + l.goal_size) / 8 + 6);
  return array_bytes(l, 1, steps) + masks + 4096 + 256;
}

uint64_t array_bytes(const EpisodeLayout& l, int64_t episodes, int64_t steps) {
  const auto rows = static_cast<uint64_t>(steps + episodes);  // T + 1 per episode
  const auto row = static_cast<uint64_t>(4 * l.obs_size + l.pixel_size());
  // floor(T / K) + 1 state rows per episode, at most steps / K + episodes in all
  const auto state_rows = static_cast<uint64_t>(
      l.state_every == 0 ? 0 : steps / l.state_every + episodes);
  const auto step = static_cast<uint64_t>(4 * l.action_size + 4);
  const auto goal = static_cast<uint64_t>(l.goal_size > 0 ? 4 * (l.goal_size + l.obs_size) : 0);
  return rows * row + state_rows * 8 * static_cast<uint64_t>(l.state_size) +
         static_cast<uint64_t>(steps) * step + static_cast<uint64_t>(episodes) * goal;
}

std::string states_text(int64_t every) {
  if (every == 1) return "all";
  if (every == 0) return "none";
  return "every=" + std::to_string(every);
}

int64_t parse_states(const std::string& text) {
  if (text == "all") return 1;
  if (text == "none") return 0;
  if (text.rfind("every=", 0) == 0) {
    size_t used = 0;
    int64_t every = 0;
    try {
      every = std::stoll(text.substr(6), &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used > 0 && 6 + used == text.size() && every >= 1 && every <= (int64_t{1} << 31)) {
      return every;
    }
  }
  throw Error("states '" + text + "': expected all, none or every=K with K >= 1");
}

double Episode::total_reward() const {
  double total = 0.0;
  for (float r : rewards) total += r;
  return total;
}

std::string episode_problem(const Episode& e, const EpisodeLayout& layout) {
  if (e.steps < 1) return "has " + std::to_string(e.steps) + " steps, expected at least 1";
  const int64_t T = e.steps;
  if (e.state_every != layout.state_every) {
    return "keeps states " + states_text(e.state_every) + ", the dataset " +
           states_text(layout.state_every);
  }
  for (const std::string& problem :
       {size_problem("observations", e.observations, (T + 1) * layout.obs_size),
        size_problem("actions", e.actions, T * layout.action_size),
        size_problem("rewards", e.rewards, T),
        size_problem("states", e.states, state_rows(T, e.state_every) * layout.state_size),
        size_problem("goal", e.goal, layout.goal_size),
        size_problem("goal_observation", e.goal_observation,
                     layout.goal_size > 0 ? layout.obs_size : 0),
        size_problem("pixels", e.pixels, (T + 1) * layout.pixel_size()),
        finite_problem("observations", e.observations, layout.obs_size),
        finite_problem("actions", e.actions, layout.action_size),
        finite_problem("rewards", e.rewards, 1),
        finite_problem("states", e.states, layout.state_size), finite_problem("goal", e.goal, 0),
        finite_problem("goal_observation", e.goal_observation, 0)}) {
    if (!problem.empty()) return problem;
  }
  const bool ended_by_task =
      e.reason == envs::EndReason::kSuccess || e.reason == envs::EndReason::kFailure;
  const bool cut_short =
      e.reason == envs::EndReason::kTimeLimit || e.reason == envs::EndReason::kPhysics;
  if (e.terminated && e.truncated) return "is both terminated and truncated";
  if (e.terminated != ended_by_task || e.truncated != cut_short) {
    return "ends with terminated=" + std::to_string(e.terminated) +
           " truncated=" + std::to_string(e.truncated) + " but reason '" +
           std::string(envs::end_reason_name(e.reason)) + "'";
  }
  if (!e.terminated && !e.truncated) return "ends neither terminated nor truncated";
  if (e.success.has_value() != (layout.goal_size > 0)) {
    return layout.goal_size > 0 ? "has no success flag, but the task has a goal"
                                : "has a success flag, but the task has no goal";
  }
  return {};
}

}  // namespace uw::data
