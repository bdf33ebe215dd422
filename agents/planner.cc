#include "agents/planner.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "agents/config_fields.h"
#include "core/error.h"

namespace uw::agents {

template <class F>
void visit(PlannerConfig& c, F&& f) {
  f("method", c.method);
  f("horizon", c.horizon);
  f("frameskip", c.frameskip);
  f("samples", c.samples);
  f("elites", c.elites);
  f("iterations", c.iterations);
  f("init_std", c.init_std);
  f("min_std", c.min_std);
  f("momentum", c.momentum);
  f("temperature", c.temperature);
  f("learning_rate", c.learning_rate);
  f("cem_iterations", c.cem_iterations);
  f("warm_start", c.warm_start);
  f("execute", c.execute);
}

namespace {

void require(bool ok, const std::string& where, const std::string& what) {
  if (!ok) throw Error(where + ": " + what);
}

void check(const PlannerConfig& c, const std::string& where) {
  require(c.method == "cem" || c.method == "mppi" || c.method == "random" || c.method == "grad",
          where + ".method", "'" + c.method + "' is not one of cem, mppi, random, grad");
  require(c.horizon >= 1 && c.horizon <= 1000, where + ".horizon", "expected 1..1000");
  require(c.frameskip >= 0 && c.frameskip <= 100, where + ".frameskip",
          "expected 0 (the model's) or 1..100");
  require(c.samples >= 1 && c.samples <= 1'000'000, where + ".samples", "expected 1..1000000");
  require(c.elites >= 1 && (c.method != "cem" || c.elites <= c.samples), where + ".elites",
          "expected 1..samples");
  require(c.iterations >= 1 && c.iterations <= 1000, where + ".iterations", "expected 1..1000");
  require(c.init_std > 0 && std::isfinite(c.init_std), where + ".init_std", "expected > 0");
  require(c.min_std >= 0 && c.min_std <= c.init_std, where + ".min_std", "expected 0..init_std");
  require(c.momentum >= 0 && c.momentum < 1, where + ".momentum", "expected [0, 1)");
  require(c.temperature > 0 && std::isfinite(c.temperature), where + ".temperature",
          "expected > 0");
  require(c.learning_rate > 0 && std::isfinite(c.learning_rate), where + ".learning_rate",
          "expected > 0");
  require(c.execute >= 1 && c.execute <= c.horizon, where + ".execute", "expected 1..horizon");
  require(c.cem_iterations >= 0 && c.cem_iterations <= 1000 &&
              (c.cem_iterations == 0 || c.method == "grad"),
          where + ".cem_iterations", "expected 0..1000, and 0 unless the method is grad");
  require(c.cem_iterations == 0 || c.elites <= c.samples, where + ".elites",
          "expected 1..samples for the CEM iterations");
}

}  // namespace

void SequenceScorer::score_with_gradient(int64_t, std::span<const float>, std::span<float>,
                                         std::span<float>) {
  throw Error("planner.method grad: this objective gives no gradient");
}

PlannerConfig planner_config_from_json(const nlohmann::json& json, const std::string& where) {
  PlannerConfig c;
  detail::section_from_json(json, where, c);
  check(c, where);
  return c;
}

nlohmann::json planner_config_to_json(const PlannerConfig& config) {
  return detail::section_to_json(config);
}

Planner::Planner(const PlannerConfig& config, int64_t action_size)
    : config_(config),
      horizon_(config.horizon),
      frameskip_(config.frameskip),
      action_size_(action_size) {
  check(config, "planner");
  UW_CHECK(frameskip_ >= 1 && action_size_ >= 1, "planner: frameskip and action size unresolved");
  const auto size = static_cast<size_t>(sequence_size());
  mean_.assign(size, 0.0f);
  std_.assign(size, static_cast<float>(config.init_std));
  samples_.resize(static_cast<size_t>(config.samples) * size);
  costs_.resize(static_cast<size_t>(config.samples));
  order_.resize(static_cast<size_t>(config.samples));
  best_.resize(size);
  result_.resize(size);
}

void Planner::reset(uint64_t seed) {
  rng_ = Rng(seed);
  warm_ = false;
}

void Planner::shift(int64_t chunks) {
  const auto chunk = static_cast<size_t>(frameskip_ * action_size_);
  const size_t kept = static_cast<size_t>(std::max<int64_t>(0, horizon_ - chunks)) * chunk;
  std::copy(result_.end() - static_cast<std::ptrdiff_t>(kept), result_.end(), mean_.begin());
  std::fill(mean_.begin() + static_cast<std::ptrdiff_t>(kept), mean_.end(), 0.0f);
  warm_ = config_.warm_start;
}

// Rows from first_row on are drawn around the mean and clipped to [-1, 1]; rows before it keep
// what the caller put there.
void Planner::sample(int64_t first_row) {
  const auto size = static_cast<size_t>(sequence_size());
  for (auto row = static_cast<size_t>(first_row); row < static_cast<size_t>(config_.samples);
       ++row) {
    float* x = samples_.data() + row * size;
    for (size_t i = 0; i < size; ++i) {
      const double v = mean_[i] + std_[i] * rng_.normal();
      x[i] = static_cast<float>(std::clamp(v, -1.0, 1.0));
    }
  }
}

void Planner::refit_cem() {
  const auto size = static_cast<size_t>(sequence_size());
  const auto elites = static_cast<size_t>(config_.elites);
  const double keep = config_.momentum;
  for (size_t i = 0; i < size; ++i) {
    double sum = 0, sum_sq = 0;
    for (size_t e = 0; e < elites; ++e) {
      const double v = samples_[static_cast<size_t>(order_[e]) * size + i];
      sum += v;
      sum_sq += v * v;
    }
    const double mean = sum / static_cast<double>(elites);
    const double var = std::max(0.0, sum_sq / static_cast<double>(elites) - mean * mean);
    mean_[i] = static_cast<float>(keep * mean_[i] + (1 - keep) * mean);
    std_[i] = static_cast<float>(std::max(config_.min_std, std::sqrt(var)));
  }
}

// Weights exp(-cost / temperature) over costs scaled to [0, 1], so the temperature does not
// depend on the objective's units.
void Planner::refit_mppi() {
  const auto size = static_cast<size_t>(sequence_size());
  const auto n = static_cast<size_t>(config_.samples);
  const float low = costs_[static_cast<size_t>(order_.front())];
  const float high = costs_[static_cast<size_t>(order_.back())];
  const double range = std::max<double>(high - low, 1e-12);
  std::vector<double>& w = weights_;
  w.resize(n);
  double total = 0;
  for (size_t s = 0; s < n; ++s) {
    w[s] = std::exp(-(costs_[s] - low) / range / config_.temperature);
    total += w[s];
  }
  for (size_t i = 0; i < size; ++i) {
    double mean = 0;
    for (size_t s = 0; s < n; ++s) mean += w[s] * samples_[s * size + i];
    mean /= total;
    double var = 0;
    for (size_t s = 0; s < n; ++s) {
      const double d = samples_[s * size + i] - mean;
      var += w[s] * d * d;
    }
    mean_[i] = static_cast<float>(mean);
    std_[i] = static_cast<float>(std::max(config_.min_std, std::sqrt(var / total)));
  }
}

// Keeps the best candidate of this plan seen so far (rows of samples_ priced in costs_).
void Planner::keep_best() {
  const auto size = static_cast<size_t>(sequence_size());
  for (size_t r = 0; r < costs_.size(); ++r) {
    if (!std::isfinite(costs_[r])) costs_[r] = std::numeric_limits<float>::max();
    if (costs_[r] < best_cost_) {
      best_cost_ = costs_[r];
      std::copy_n(samples_.begin() + static_cast<std::ptrdiff_t>(r * size), size, best_.begin());
    }
  }
}

// Adam on every start at once; each step keeps the actions in [-1, 1]. The costs priced with
// each gradient are those of the sequences before the step, so the last step is priced too.
void Planner::descend(SequenceScorer& scorer) {
  if (!scorer.has_gradient()) {
    throw Error("planner.method grad: this objective gives no gradient (latent agents do)");
  }
  constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEps = 1e-8;
  const size_t values = samples_.size();
  gradient_.resize(values);
  adam_m_.assign(values, 0.0f);
  adam_v_.assign(values, 0.0f);
  for (int64_t it = 0; it <= config_.iterations; ++it) {
    if (it == config_.iterations) {
      scorer.score(config_.samples, samples_, costs_);
    } else {
      scorer.score_with_gradient(config_.samples, samples_, costs_, gradient_);
    }
    scored_ += config_.samples;
    keep_best();
    iteration_costs_.push_back(best_cost_);
    if (it == config_.iterations) break;
    const double step = config_.learning_rate * std::sqrt(1 - std::pow(kBeta2, it + 1)) /
                        (1 - std::pow(kBeta1, it + 1));
    for (size_t i = 0; i < values; ++i) {
      const double g = std::isfinite(gradient_[i]) ? gradient_[i] : 0.0;
      adam_m_[i] = static_cast<float>(kBeta1 * adam_m_[i] + (1 - kBeta1) * g);
      adam_v_[i] = static_cast<float>(kBeta2 * adam_v_[i] + (1 - kBeta2) * g * g);
      const double x = samples_[i] - step * adam_m_[i] / (std::sqrt(adam_v_[i]) + kEps);
      samples_[i] = static_cast<float>(std::clamp(x, -1.0, 1.0));
    }
  }
}

void Planner::search(SequenceScorer& scorer, int64_t iterations, const std::string& method) {
  for (int64_t it = 0; it < iterations; ++it) {
    // the current mean is always a candidate, so a warm start is never lost to sampling
    std::copy(mean_.begin(), mean_.end(), samples_.begin());
    sample(1);
    scorer.score(config_.samples, samples_, costs_);
    scored_ += config_.samples;
    keep_best();
    iteration_costs_.push_back(best_cost_);
    std::iota(order_.begin(), order_.end(), 0);
    std::stable_sort(order_.begin(), order_.end(), [&](int64_t a, int64_t b) {
      return costs_[static_cast<size_t>(a)] < costs_[static_cast<size_t>(b)];
    });
    if (method == "cem") refit_cem();
    if (method == "mppi") refit_mppi();
  }
}

std::vector<float> Planner::best_candidates(int64_t n) const {
  std::vector<int64_t> order(costs_.size());
  std::iota(order.begin(), order.end(), 0);
  const auto count = static_cast<int64_t>(std::min<size_t>(static_cast<size_t>(n), order.size()));
  std::partial_sort(order.begin(), order.begin() + count, order.end(), [&](int64_t a, int64_t b) {
    return costs_[static_cast<size_t>(a)] < costs_[static_cast<size_t>(b)];
  });
  const int64_t size = sequence_size();
  std::vector<float> out(static_cast<size_t>(count * size));
  for (int64_t i = 0; i < count; ++i) {
    const auto from = samples_.begin() + order[static_cast<size_t>(i)] * size;
    std::copy(from, from + size, out.begin() + i * size);
  }
  return out;
}

std::span<const float> Planner::plan(SequenceScorer& scorer) {
  if (!warm_) std::fill(mean_.begin(), mean_.end(), 0.0f);
  std::fill(std_.begin(), std_.end(), static_cast<float>(config_.init_std));
  best_cost_ = std::numeric_limits<float>::infinity();
  iteration_costs_.clear();
  scored_ = 0;
  if (config_.method == "grad") {
    search(scorer, config_.cem_iterations, "cem");
    // the starts: the (warm or CEM's) mean, and draws around it
    std::copy(mean_.begin(), mean_.end(), samples_.begin());
    sample(1);
    descend(scorer);
    result_ = best_;
    return result_;
  }
  const bool random = config_.method == "random";
  search(scorer, random ? 1 : config_.iterations, config_.method);
  result_ = random ? best_ : mean_;
  return result_;
}

}  // namespace uw::agents
