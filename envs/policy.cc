#include "envs/policy.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/error.h"
#include "core/options.h"
#include "core/random.h"

namespace uw::envs {
namespace {

using nlohmann::json;

// "kind[:key=value,...]" split into the kind and its parameters.
struct ParsedSpec {
  std::string kind;
  Options params;
};

ParsedSpec parse_spec(const std::string& spec) {
  ParsedSpec parsed;
  const size_t colon = spec.find(':');
  parsed.kind = spec.substr(0, colon);
  if (colon == std::string::npos) return parsed;
  std::vector<std::string> items;
  size_t start = colon + 1;
  while (start <= spec.size()) {
    const size_t comma = std::min(spec.find(',', start), spec.size());
    items.push_back(spec.substr(start, comma - start));
    start = comma + 1;
  }
  try {
    parsed.params = Options::parse(items);
  } catch (const Error& e) {
    throw Error("policy '" + spec + "': " + e.what());
  }
  return parsed;
}

// The parameters of a kind with defaults filled in; unknown keys are errors.
Options resolve(const ParsedSpec& parsed, const std::vector<OptionSpec>& known,
                const std::string& spec) {
  Options resolved = resolve_options(parsed.params, known, "policy '" + spec + "'");
  resolved.set_owner("policy '" + spec + "'");
  return resolved;
}

// Row i of a [rows, size] batch.
template <class T>
std::span<T> row_of(std::span<T> batch, int i, size_t size) {
  return batch.subspan(size_t(i) * size, size);
}

class RandomPolicy final : public Policy {
 public:
  explicit RandomPolicy(int rows) : rngs_(rows, Rng(0)) {}
  void reset(int row, uint64_t seed) override { rngs_[row] = Rng(seed); }
  void act(std::span<const float>, std::span<const float>, std::span<float> actions) override {
    const size_t size = actions.size() / rngs_.size();
    for (size_t i = 0; i < rngs_.size(); ++i) {
      for (float& a : row_of(actions, int(i), size))
        a = static_cast<float>(rngs_[i].uniform(-1, 1));
    }
  }
  std::string_view name(int) const override { return "random"; }

 private:
  std::vector<Rng> rngs_;
};

// dx = -theta x dt + sigma dW per dimension with dt = 1 step, started from its stationary
// distribution.
class OrnsteinUhlenbeckPolicy final : public Policy {
 public:
  OrnsteinUhlenbeckPolicy(double theta, double sigma, int rows, int action_size)
      : theta_(theta), sigma_(sigma), rngs_(rows, Rng(0)), state_(size_t(rows) * action_size) {}

  void reset(int row, uint64_t seed) override {
    rngs_[row] = Rng(seed);
    const double stationary = sigma_ / std::sqrt(theta_ * (2.0 - theta_));
    for (double& x : row_of(std::span(state_), row, state_.size() / rngs_.size())) {
      x = stationary * rngs_[row].normal();
    }
  }
  void act(std::span<const float>, std::span<const float>, std::span<float> actions) override {
    const size_t size = state_.size() / rngs_.size();
    for (size_t i = 0; i < rngs_.size(); ++i) {
      const std::span<double> x = row_of(std::span(state_), int(i), size);
      const std::span<float> a = row_of(actions, int(i), size);
      for (size_t k = 0; k < size; ++k) {
        a[k] = static_cast<float>(x[k]);
        x[k] += -theta_ * x[k] + sigma_ * rngs_[i].normal();
      }
    }
  }
  std::string_view name(int) const override { return "ou"; }

 private:
  double theta_, sigma_;
  std::vector<Rng> rngs_;
  std::vector<double> state_;  // [rows, action size]
};

// The task's controller on each row's observation and goal, plus Gaussian noise.
class ScriptedPolicy final : public Policy {
 public:
  ScriptedPolicy(ScriptedController controller, double noise, int rows, int obs_size, int goal_size)
      : controller_(controller),
        noise_(noise),
        rngs_(rows, Rng(0)),
        obs_size_(obs_size),
        goal_size_(goal_size) {}

  void reset(int row, uint64_t seed) override { rngs_[row] = Rng(seed); }
  void act(std::span<const float> obs, std::span<const float> goals,
           std::span<float> actions) override {
    UW_CHECK(obs.size() == rngs_.size() * obs_size_ && goals.size() == rngs_.size() * goal_size_,
             "a scripted policy of " + std::to_string(rngs_.size()) + " rows needs " +
                 std::to_string(obs_size_) + " observation and " + std::to_string(goal_size_) +
                 " goal values per row; got " + std::to_string(obs.size()) + " and " +
                 std::to_string(goals.size()));
    const size_t size = actions.size() / rngs_.size();
    for (size_t i = 0; i < rngs_.size(); ++i) {
      const std::span<float> a = row_of(actions, int(i), size);
      controller_(row_of(obs, int(i), obs_size_), row_of(goals, int(i), goal_size_), a);
      for (float& x : a) x = static_cast<float>(x + noise_ * rngs_[i].normal());
    }
  }
  std::string_view name(int) const override { return "scripted"; }

 private:
  ScriptedController controller_;
  double noise_;
  std::vector<Rng> rngs_;
  size_t obs_size_, goal_size_;
};

// One component per episode and row, drawn with the given weights.
class MixturePolicy final : public Policy {
 public:
  MixturePolicy(int rows, int action_size)
      : current_(rows, 0), scratch_(size_t(rows) * action_size) {}

  void add(std::unique_ptr<Policy> policy, double weight) {
    components_.push_back(std::move(policy));
    weights_.push_back(weight);
  }
  void reset(int row, uint64_t seed) override {
    Rng rng(seed);
    double total = 0.0;
    for (double w : weights_) total += w;
    double pick = rng.uniform() * total;
    size_t chosen = components_.size() - 1;
    for (size_t i = 0; i < weights_.size(); ++i) {
      if (pick < weights_[i]) {
        chosen = i;
        break;
      }
      pick -= weights_[i];
    }
    current_[row] = chosen;
    components_[chosen]->reset(row, derive_seed(seed, chosen + 1));
  }
  // Every component acts for the whole batch (its rows stay in step); each row takes its own's.
  void act(std::span<const float> obs, std::span<const float> goals,
           std::span<float> actions) override {
    const size_t size = actions.size() / current_.size();
    for (size_t c = 0; c < components_.size(); ++c) {
      components_[c]->act(obs, goals, scratch_);
      for (size_t i = 0; i < current_.size(); ++i) {
        if (current_[i] != c) continue;
        const std::span<const float> from = row_of(std::span<const float>(scratch_), int(i), size);
        std::copy(from.begin(), from.end(), row_of(actions, int(i), size).begin());
      }
    }
  }
  std::string_view name(int row) const override { return components_[current_[row]]->name(row); }
  void bind(int row, const Env& env) override {
    for (const auto& component : components_) component->bind(row, env);
  }

 private:
  std::vector<std::unique_ptr<Policy>> components_;
  std::vector<double> weights_;
  std::vector<size_t> current_;  // per row
  std::vector<float> scratch_;
};

const std::vector<OptionSpec> kOuParams = {
    {"theta", "0.15", "pull towards 0 per step"},
    {"sigma", "0.3", "noise per step, in units of half the action range"}};
const std::vector<OptionSpec> kScriptedParams = {
    {"noise", "0.1", "Gaussian noise on the controller's action, in units of half the range"}};

void check_scripted(const EnvSpec& env_spec, const std::string& spec,
                    ScriptedController controller) {
  if (controller == nullptr || !env_spec.goal_space) {
    throw Error("policy '" + spec + "': env '" + env_spec.id +
                "' has no scripted controller (`umwelt envs` marks the tasks that have one)");
  }
  if (env_spec.observation_space.flat_size() == 0) {
    throw Error("policy '" + spec + "' needs the state observation: with pixels, add " +
                "--option pixels_and_state=1");
  }
}

// The shape of the batch a policy acts for.
struct Batch {
  int rows, obs_size, action_size, goal_size;
};

// Builds the policy; with `out`, describes it there too (its parameters, defaults filled in).
std::unique_ptr<Policy> build(const std::string& spec, const EnvSpec& env_spec,
                              ScriptedController scripted, const Batch& batch,
                              std::span<const PolicyKind> more, json* out, bool in_mixture) {
  const ParsedSpec parsed = parse_spec(spec);
  if (parsed.kind == "random") {
    resolve(parsed, {}, spec);
    if (out) *out = {{"kind", "random"}};
    return std::make_unique<RandomPolicy>(batch.rows);
  }
  if (parsed.kind == "ou") {
    const Options p = resolve(parsed, kOuParams, spec);
    const double theta = p.get_double("theta"), sigma = p.get_double("sigma");
    if (!(theta > 0 && theta <= 1) || !(sigma >= 0 && std::isfinite(sigma))) {
      throw Error("policy '" + spec + "': expected 0 < theta <= 1 and sigma >= 0");
    }
    if (out) *out = {{"kind", "ou"}, {"theta", theta}, {"sigma", sigma}};
    return std::make_unique<OrnsteinUhlenbeckPolicy>(theta, sigma, batch.rows, batch.action_size);
  }
  if (parsed.kind == "scripted") {
    const Options p = resolve(parsed, kScriptedParams, spec);
    const double noise = p.get_double("noise");
    if (!(noise >= 0 && std::isfinite(noise))) {
      throw Error("policy '" + spec + "': expected noise >= 0");
    }
    check_scripted(env_spec, spec, scripted);
    if (out) *out = {{"kind", "scripted"}, {"noise", noise}};
    return std::make_unique<ScriptedPolicy>(scripted, noise, batch.rows, batch.obs_size,
                                            batch.goal_size);
  }
  if (parsed.kind == "mix" && !in_mixture) {
    if (parsed.params.values().empty()) {
      throw Error("policy '" + spec + "': expected components with weights, e.g. " +
                  "mix:random=0.5,scripted=0.5");
    }
    auto mixture = std::make_unique<MixturePolicy>(batch.rows, batch.action_size);
    json components = json::array();
    for (const auto& [component, weight_text] : parsed.params.values()) {
      const double weight = parsed.params.get_double(component);
      if (!(weight > 0 && std::isfinite(weight))) {
        throw Error("policy '" + spec + "': weight of '" + component + "' is " + weight_text +
                    ", expected a positive number");
      }
      json described;
      mixture->add(build(component, env_spec, scripted, batch, {}, &described, true), weight);
      described["weight"] = weight;
      components.push_back(described);
    }
    if (out) *out = {{"kind", "mix"}, {"components", components}};
    return mixture;
  }
  for (const PolicyKind& kind : more) {
    if (kind.name != parsed.kind) continue;
    if (out) *out = kind.describe(parsed.params, env_spec);
    return kind.make(parsed.params, env_spec, batch.rows);
  }
  std::string expected = "random, ou[:theta=..,sigma=..], scripted[:noise=..]";
  for (const PolicyKind& kind : more) expected += ", " + kind.usage;
  if (!in_mixture) expected += ", or mix:KIND=WEIGHT,...";
  throw Error("policy '" + spec + "': unknown kind '" + parsed.kind + "'; expected " + expected);
}

Batch batch_of(const EnvSpec& env_spec, int rows) {
  if (rows < 1) throw Error("a policy needs at least one row, got " + std::to_string(rows));
  return {rows, static_cast<int>(env_spec.observation_space.flat_size()),
          static_cast<int>(env_spec.action_space.flat_size()),
          env_spec.goal_space ? static_cast<int>(env_spec.goal_space->flat_size()) : 0};
}

}  // namespace

std::unique_ptr<Policy> make_policy(const std::string& spec, const EnvSpec& env_spec,
                                    ScriptedController scripted, int rows,
                                    std::span<const PolicyKind> more) {
  return build(spec, env_spec, scripted, batch_of(env_spec, rows), more, nullptr, false);
}

json describe_policy(const std::string& spec, const EnvSpec& env_spec, ScriptedController scripted,
                     std::span<const PolicyKind> more) {
  json out;
  build(spec, env_spec, scripted, batch_of(env_spec, 1), more, &out, false);
  return out;
}

void to_action_space(const Space& space, std::span<const float> unit, std::span<float> action) {
  UW_CHECK(unit.size() == action.size(), "normalised and mapped actions of different sizes");
  for (size_t i = 0; i < action.size(); ++i) {
    const double low = space.low()[i], high = space.high()[i];
    const bool bounded = std::isfinite(low) && std::isfinite(high);
    const double center = bounded ? 0.5 * (low + high) : 0.0;
    const double half = bounded ? 0.5 * (high - low) : 1.0;
    action[i] = static_cast<float>(center + half * std::clamp(double(unit[i]), -1.0, 1.0));
  }
  space.clip(action);
}

}  // namespace uw::envs
