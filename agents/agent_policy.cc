#include "agents/agent_policy.h"

#include <algorithm>
#include <array>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "agents/agent_factory.h"
#include "agents/world_model.h"
#include "core/error.h"

namespace uw::agents {
namespace {

class AgentPolicy final : public envs::Policy {
 public:
  // With `watch`, row 0's plans are published to it with their `candidates` best candidates.
  AgentPolicy(AgentRecipe recipe, std::shared_ptr<const WorldModel> model,
              const envs::Registry& registry, int rows, std::shared_ptr<PlanWatch> watch = nullptr,
              int64_t candidates = 0)
      : recipe_(std::move(recipe)),
        model_(std::move(model)),
        registry_(registry),
        envs_(static_cast<size_t>(rows), nullptr),
        agents_(static_cast<size_t>(rows)),
        watch_(std::move(watch)),
        candidates_(candidates) {}

  void bind(int row, const envs::Env& env) override {
    const envs::EnvSpec& spec = env.spec();
    envs_.at(static_cast<size_t>(row)) = &env;
    std::unique_ptr<MpcAgent>& agent = agents_[static_cast<size_t>(row)];
    if (recipe_.latent || !spec.has_pixels()) {
      agent = make_mpc_agent(recipe_, spec, env, model_.get());
    } else {
      // the oracle copies this twin (same state layout) and restores the env's states into it
      const std::unique_ptr<envs::Env> twin = registry_.make(spec.id, without_pixels(spec.options));
      agent = make_mpc_agent(recipe_, spec, *twin, model_.get());
    }
    if (watch_ && row == 0) agent->keep_traces(candidates_);
  }

  void reset(int row, uint64_t seed) override {
    const auto r = static_cast<size_t>(row);
    UW_CHECK(agents_.at(r) != nullptr, "an agent policy's row reset before bind");
    agents_[r]->reset(*envs_[r], seed);
  }

  void act(std::span<const float> /*obs*/, std::span<const float> /*goals*/,
           std::span<float> actions) override {
    const size_t size = actions.size() / agents_.size();
    for (size_t row = 0; row < agents_.size(); ++row) {
      agents_[row]->act_normalised(*envs_[row], actions.subspan(row * size, size));
    }
    const PlanTrace* trace = watch_ ? agents_[0]->last_trace() : nullptr;
    if (trace != nullptr && trace->number != published_) {
      watch_->publish(*trace);
      published_ = trace->number;
    }
  }

  std::string_view name(int /*row*/) const override { return recipe_.name; }

 private:
  AgentRecipe recipe_;
  std::shared_ptr<const WorldModel> model_;  // latent agents'; shared by the rows
  const envs::Registry& registry_;
  std::vector<const envs::Env*> envs_;
  std::vector<std::unique_ptr<MpcAgent>> agents_;
  std::shared_ptr<PlanWatch> watch_;
  int64_t candidates_ = 0;
  int64_t published_ = 0;  // the number of the plan last published
};

// A policy spec's parameters as the agent's overrides; the model directory apart.
struct AgentParams {
  std::string model;
  std::vector<std::string> overrides;
};

AgentParams agent_params(const std::string& name, const Options& params) {
  AgentParams out;
  for (const auto& [key, value] : params.values()) {
    if (key == "model") {
      out.model = value;
    } else {
      out.overrides.push_back((key == "cost" ? "objective." : "planner.") + key + "=" + value);
    }
  }
  const bool latent = name.starts_with("latent-");
  if (latent && out.model.empty()) {
    throw Error("policy " + name + " needs model=DIR (a world model of the env)");
  }
  if (!latent && !out.model.empty()) throw Error("policy " + name + " uses no model");
  return out;
}

struct ResolvedAgent {
  AgentRecipe recipe;
  std::shared_ptr<const WorldModel> model;
};

ResolvedAgent resolve(const std::string& name, const Options& params, const envs::EnvSpec& spec) {
  const AgentParams p = agent_params(name, params);
  ResolvedAgent out;
  try {
    if (!p.model.empty()) {
      out.model = std::make_shared<const WorldModel>(WorldModel::load(p.model, &spec));
    }
    out.recipe = agent_recipe(name, p.overrides, out.model.get());
  } catch (const Error& e) {
    throw Error("policy " + name + ": " + e.what());
  }
  if (out.recipe.latent && !spec.is_goal_task()) {
    throw Error("policy " + name + ": " + spec.id + " has no goal to plan towards");
  }
  return out;
}

constexpr std::array<const char*, 7> kAgentKinds = {"oracle-cem", "oracle-mppi", "oracle-random",
                                                    "latent-cem", "latent-mppi", "latent-random",
                                                    "latent-grad"};
constexpr const char* kAgentKindList =
    "oracle-cem, oracle-mppi, oracle-random, latent-cem, latent-mppi, latent-random, latent-grad";

}  // namespace

bool PlanWatch::latest(int64_t seen, PlanTrace& out) const {
  const std::lock_guard lock(mutex_);
  if (trace_.number <= seen) return false;
  out = trace_;
  return true;
}

void PlanWatch::publish(const PlanTrace& trace) {
  const std::lock_guard lock(mutex_);
  trace_ = trace;
}

WatchedAgentPolicy make_watched_agent_policy(const envs::Registry& registry,
                                             const std::string& spec, const envs::EnvSpec& env_spec,
                                             int64_t candidates) {
  const size_t colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  if (std::find(kAgentKinds.begin(), kAgentKinds.end(), name) == kAgentKinds.end()) {
    throw Error("agent '" + spec + "': not an agent that plans (" + kAgentKindList + ")");
  }
  std::vector<std::string> items;
  if (colon != std::string::npos) {
    std::istringstream rest(spec.substr(colon + 1));
    for (std::string item; std::getline(rest, item, ',');) items.push_back(item);
  }
  ResolvedAgent agent = resolve(name, Options::parse(items), env_spec);
  if (agent.model) set_inference_threads(1);
  auto watch = std::make_shared<PlanWatch>();
  WatchedAgentPolicy out;
  out.policy = std::make_unique<AgentPolicy>(std::move(agent.recipe), std::move(agent.model),
                                             registry, 1, watch, candidates);
  out.watch = std::move(watch);
  return out;
}

void add_agent_policy_kinds(envs::Registry& registry) {
  for (const std::string name : kAgentKinds) {
    const bool latent = name.starts_with("latent-");
    envs::PolicyKind kind;
    kind.name = name;
    kind.usage =
        name + (latent ? ":model=DIR[,cost=" + latent_costs() + "]" : "") + "[,PLANNER_FIELD=..]";
    kind.make = [name, &registry](const Options& params, const envs::EnvSpec& spec, int rows) {
      ResolvedAgent agent = resolve(name, params, spec);
      if (agent.model) set_inference_threads(1);
      return std::make_unique<AgentPolicy>(std::move(agent.recipe), std::move(agent.model),
                                           registry, rows);
    };
    kind.describe = [name, latent](const Options& params, const envs::EnvSpec& spec) {
      const ResolvedAgent agent = resolve(name, params, spec);
      nlohmann::json out = {{"kind", name},
                            {"planner", planner_config_to_json(agent.recipe.planner)}};
      if (latent) {
        out["model"] = agent_params(name, params).model;
        out["cost"] = agent.recipe.cost;
      }
      return out;
    };
    registry.add_policy_kind(std::move(kind));
  }
}

}  // namespace uw::agents
