#include "datagen/policy.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/error.h"
#include "core/options.h"
#include "core/random.h"

namespace uw::data {
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

// Maps [-1, 1] onto each dimension's bounds (an unbounded dimension is taken as [-1, 1]).
void to_action_space(const envs::Space& space, std::span<const double> unit,
                     std::span<float> action) {
  for (size_t i = 0; i < action.size(); ++i) {
    const double low = space.low()[i], high = space.high()[i];
    const bool bounded = std::isfinite(low) && std::isfinite(high);
    const double center = bounded ? 0.5 * (low + high) : 0.0;
    const double half = bounded ? 0.5 * (high - low) : 1.0;
    action[i] = static_cast<float>(center + half * std::clamp(unit[i], -1.0, 1.0));
  }
  space.clip(action);
}

class RandomPolicy final : public Policy {
 public:
  void reset(const envs::Env&, uint64_t seed) override { rng_ = Rng(seed); }
  void act(const envs::Env& env, std::span<const float>, std::span<float> action) override {
    env.spec().action_space.sample(rng_, action);
  }
  std::string name() const override { return "random"; }

 private:
  Rng rng_{0};
};

// dx = -theta x dt + sigma dW per dimension with dt = 1 step, started from its stationary
// distribution, then mapped from [-1, 1] onto the action bounds.
class OrnsteinUhlenbeckPolicy final : public Policy {
 public:
  OrnsteinUhlenbeckPolicy(double theta, double sigma) : theta_(theta), sigma_(sigma) {}

  void reset(const envs::Env& env, uint64_t seed) override {
    rng_ = Rng(seed);
    state_.assign(env.spec().action_space.flat_size(), 0.0);
    const double stationary = sigma_ / std::sqrt(theta_ * (2.0 - theta_));
    for (double& x : state_) x = stationary * rng_.normal();
  }
  void act(const envs::Env& env, std::span<const float>, std::span<float> action) override {
    to_action_space(env.spec().action_space, state_, action);
    for (double& x : state_) x += -theta_ * x + sigma_ * rng_.normal();
  }
  std::string name() const override { return "ou"; }

 private:
  double theta_, sigma_;
  Rng rng_{0};
  std::vector<double> state_;
};

class ScriptedPolicy final : public Policy {
 public:
  ScriptedPolicy(envs::ScriptedController controller, double noise)
      : controller_(controller), noise_(noise) {}

  void reset(const envs::Env& env, uint64_t seed) override {
    rng_ = Rng(seed);
    const envs::Goal* goal = env.goal();
    UW_CHECK(goal != nullptr, "a scripted policy for an env without a goal");
    goal_.assign(goal->values().begin(), goal->values().end());
    unit_.resize(env.spec().action_space.flat_size());
    raw_.resize(unit_.size());
  }
  void act(const envs::Env& env, std::span<const float> obs, std::span<float> action) override {
    controller_(obs, goal_, raw_);
    for (size_t i = 0; i < unit_.size(); ++i) unit_[i] = raw_[i] + noise_ * rng_.normal();
    to_action_space(env.spec().action_space, unit_, action);
  }
  std::string name() const override { return "scripted"; }

 private:
  envs::ScriptedController controller_;
  double noise_;
  Rng rng_{0};
  std::vector<float> goal_;
  std::vector<float> raw_;
  std::vector<double> unit_;
};

// One component per episode, drawn with the given weights.
class MixturePolicy final : public Policy {
 public:
  void add(std::unique_ptr<Policy> policy, double weight) {
    components_.push_back(std::move(policy));
    weights_.push_back(weight);
  }
  void reset(const envs::Env& env, uint64_t seed) override {
    Rng rng(seed);
    double total = 0.0;
    for (double w : weights_) total += w;
    double pick = rng.uniform() * total;
    current_ = components_.size() - 1;
    for (size_t i = 0; i < weights_.size(); ++i) {
      if (pick < weights_[i]) {
        current_ = i;
        break;
      }
      pick -= weights_[i];
    }
    components_[current_]->reset(env, derive_seed(seed, current_ + 1));
  }
  void act(const envs::Env& env, std::span<const float> obs, std::span<float> action) override {
    components_[current_]->act(env, obs, action);
  }
  std::string name() const override { return components_[current_]->name(); }

 private:
  std::vector<std::unique_ptr<Policy>> components_;
  std::vector<double> weights_;
  size_t current_ = 0;
};

const std::vector<OptionSpec> kOuParams = {
    {"theta", "0.15", "pull towards 0 per step"},
    {"sigma", "0.3", "noise per step, in units of half the action range"}};
const std::vector<OptionSpec> kScriptedParams = {
    {"noise", "0.1", "Gaussian noise on the controller's action, in units of half the range"}};

void check_scripted(const envs::EnvSpec& env_spec, const std::string& spec,
                    envs::ScriptedController controller) {
  if (controller == nullptr || !env_spec.goal_space) {
    throw Error("policy '" + spec + "': env '" + env_spec.id +
                "' has no scripted controller (`umwelt envs` marks the tasks that have one)");
  }
  if (env_spec.observation_space.flat_size() == 0) {
    throw Error("policy '" + spec + "' needs the state observation: with pixels, add " +
                "--option pixels_and_state=1");
  }
}

// Builds the policy, or (policy == nullptr) only checks the spec and describes it.
std::unique_ptr<Policy> build(const std::string& spec, const envs::EnvSpec& env_spec,
                              envs::ScriptedController scripted, json* out, bool in_mixture) {
  const ParsedSpec parsed = parse_spec(spec);
  if (parsed.kind == "random") {
    resolve(parsed, {}, spec);
    if (out) *out = {{"kind", "random"}};
    return std::make_unique<RandomPolicy>();
  }
  if (parsed.kind == "ou") {
    const Options p = resolve(parsed, kOuParams, spec);
    const double theta = p.get_double("theta"), sigma = p.get_double("sigma");
    if (!(theta > 0 && theta <= 1) || !(sigma >= 0 && std::isfinite(sigma))) {
      throw Error("policy '" + spec + "': expected 0 < theta <= 1 and sigma >= 0");
    }
    if (out) *out = {{"kind", "ou"}, {"theta", theta}, {"sigma", sigma}};
    return std::make_unique<OrnsteinUhlenbeckPolicy>(theta, sigma);
  }
  if (parsed.kind == "scripted") {
    const Options p = resolve(parsed, kScriptedParams, spec);
    const double noise = p.get_double("noise");
    if (!(noise >= 0 && std::isfinite(noise))) {
      throw Error("policy '" + spec + "': expected noise >= 0");
    }
    check_scripted(env_spec, spec, scripted);
    if (out) *out = {{"kind", "scripted"}, {"noise", noise}};
    return std::make_unique<ScriptedPolicy>(scripted, noise);
  }
  if (parsed.kind == "mix" && !in_mixture) {
    if (parsed.params.values().empty()) {
      throw Error("policy '" + spec + "': expected components with weights, e.g. " +
                  "mix:random=0.5,scripted=0.5");
    }
    auto mixture = std::make_unique<MixturePolicy>();
    json components = json::array();
    for (const auto& [component, weight_text] : parsed.params.values()) {
      const double weight = parsed.params.get_double(component);
      if (!(weight > 0 && std::isfinite(weight))) {
        throw Error("policy '" + spec + "': weight of '" + component + "' is " + weight_text +
                    ", expected a positive number");
      }
      json described;
      mixture->add(build(component, env_spec, scripted, &described, true), weight);
      described["weight"] = weight;
      components.push_back(described);
    }
    if (out) *out = {{"kind", "mix"}, {"components", components}};
    return mixture;
  }
  throw Error("policy '" + spec + "': unknown kind '" + parsed.kind + "'; expected random, " +
              "ou[:theta=..,sigma=..], scripted[:noise=..]" +
              (in_mixture ? "" : ", or mix:KIND=WEIGHT,..."));
}

}  // namespace

std::unique_ptr<Policy> make_policy(const std::string& spec, const envs::EnvSpec& env_spec,
                                    envs::ScriptedController scripted) {
  return build(spec, env_spec, scripted, nullptr, false);
}

json describe_policy(const std::string& spec, const envs::EnvSpec& env_spec,
                     envs::ScriptedController scripted) {
  json out;
  build(spec, env_spec, scripted, &out, false);
  return out;
}

}  // namespace uw::data
