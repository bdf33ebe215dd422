// clang-format off
#include <torch/torch.h>
#include "agents/plan_perf.h"
// clang-format on
// (LibTorch first: networks.h needs it and includes none itself.)

#include <algorithm>
#include <chrono>

#include "agents/agent.h"
#include "agents/networks.h"
#include "agents/world_model.h"
#include "core/error.h"
#include "envs/registry.h"

namespace uw::agents {
namespace {

using Clock = std::chrono::steady_clock;

// the planner's defaults (PlannerConfig), on both sides
constexpr double kMomentum = 0.1, kMinStd = 0.05;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CEM as the planner runs it (candidate 0 the mean, clipping, elites, momentum, a floor on the
// spread), written on LibTorch tensors and the model's own modules: the reference.
class RawCem {
 public:
  RawCem(const ModelFile& file, const PlanPerfConfig& c, const std::vector<float>& start,
         const std::vector<float>& goal)
      : c_(c), networks_(file.config.model, file.config.loss, file.shape) {
    detail::set_weights(*networks_, file);
    networks_->eval();
    const int64_t z = file.config.model.latent_dim, h = file.config.model.history;
    const int64_t a = file.shape.action_size;
    chunk_ = file.config.model.frameskip * a;
    const auto as_tensor = [](const std::vector<float>& v) {
      return torch::from_blob(const_cast<float*>(v.data()), {static_cast<int64_t>(v.size())})
          .clone();
    };
    history_ = as_tensor(start).view({1, z}).repeat({c.samples, h});  // [N, H * Z]
    goal_ = as_tensor(goal);
    action_mean_ = as_tensor(file.normalization.action_mean).repeat({file.config.model.frameskip});
    action_std_ = as_tensor(file.normalization.action_std).repeat({file.config.model.frameskip});
    latent_dim_ = z;
  }

  // One plan from scratch; returns the predictor calls made.
  int64_t plan() {
    c10::InferenceMode guard;
    torch::Tensor mean = torch::zeros({c_.horizon, chunk_});
    torch::Tensor std = torch::ones({c_.horizon, chunk_});
    for (int64_t it = 0; it < c_.iterations; ++it) {
      torch::Tensor samples =
          (mean + std * torch::randn({c_.samples, c_.horizon, chunk_})).clamp(-1, 1);
      samples[0] = mean;
      // the env's actions are in [-1, 1] here (the goal tasks'), normalised for the predictor
      const torch::Tensor normalised = (samples - action_mean_) / action_std_;
      torch::Tensor history = history_;
      for (int64_t k = 0; k < c_.horizon; ++k) {
        const torch::Tensor next = networks_->predictor->forward(history, normalised.select(1, k));
        history = torch::cat({history.slice(1, latent_dim_), next}, 1);
      }
      const torch::Tensor last = history.slice(1, history.size(1) - latent_dim_);
      const torch::Tensor costs = (last - goal_).pow(2).sum(1);
      const torch::Tensor elite =
          samples.index_select(0, std::get<1>(costs.topk(c_.elites, 0, /*largest=*/false)));
      mean = kMomentum * mean + (1 - kMomentum) * elite.mean(0);
      std = elite.std(0, /*unbiased=*/false).clamp_min(kMinStd);
    }
    return c_.samples * c_.horizon * c_.iterations;
  }

 private:
  PlanPerfConfig c_;
  detail::Networks networks_;
  torch::Tensor history_, goal_, action_mean_, action_std_;
  int64_t chunk_ = 0, latent_dim_ = 0;
};

}  // namespace

PlanPerf measure_planning(const PlanPerfConfig& c) {
  const WorldModel model = WorldModel::load(c.model);
  const ModelFile& file = model.file();
  if (!model.has_probe() || model.pixel_size() > 0) {
    throw Error("perf plan: " + c.model.string() + " reads pictures; give a state model");
  }
  const envs::Registry registry = envs::make_default_registry();
  std::unique_ptr<envs::Env> env = registry.make(file.spec.id, file.spec.options);
  env->reset(c.seed);
  if (env->goal() == nullptr) throw Error("perf plan: " + file.spec.id + " has no goal to plan to");
  set_inference_threads(c.threads);

  // ours: the planner and the latent objective, as `umwelt eval` runs them
  PlannerConfig planner_config;
  planner_config.method = "cem";
  planner_config.samples = c.samples;
  planner_config.elites = c.elites;
  planner_config.horizon = c.horizon;
  planner_config.iterations = c.iterations;
  planner_config.frameskip = model.frameskip();
  Planner planner(planner_config, model.action_size());
  std::unique_ptr<MpcObjective> objective =
      make_latent_goal_objective(model, env->spec(), c.horizon, "final");
  objective->begin_episode(*env);
  objective->observe(*env);

  std::vector<float> start(static_cast<size_t>(model.latent_dim()));
  std::vector<float> goal(start.size());
  model.encode(1, env->observation(), {}, start);
  model.encode(1, env->goal()->observation(), {}, goal);
  torch::manual_seed(c.seed);
  RawCem raw(file, c, start, goal);

  PlanPerf r;
  r.predictor_calls_per_plan = c.samples * c.horizon * c.iterations;
  std::vector<double> ratios;
  double ours_best = 1e300, raw_best = 1e300;
  planner.reset(c.seed);
  planner.plan(*objective);  // warm-up: scratch memory, caches
  raw.plan();
  for (int round = 0; round < c.rounds; ++round) {
    auto start_time = Clock::now();
    for (int p = 0; p < c.plans_per_round; ++p) {
      planner.reset(c.seed + static_cast<uint64_t>(p));  // every plan from scratch, as raw's
      planner.plan(*objective);
    }
    const double ours = seconds_since(start_time) / c.plans_per_round;
    start_time = Clock::now();
    for (int p = 0; p < c.plans_per_round; ++p) raw.plan();
    const double theirs = seconds_since(start_time) / c.plans_per_round;
    ours_best = std::min(ours_best, ours);
    raw_best = std::min(raw_best, theirs);
    ratios.push_back(theirs / ours);
  }
  std::sort(ratios.begin(), ratios.end());
  r.raw_vs_ours = ratios[ratios.size() / 2];
  r.ours_ms_per_plan = 1e3 * ours_best;
  r.raw_ms_per_plan = 1e3 * raw_best;
  r.ours_calls_per_second = static_cast<double>(r.predictor_calls_per_plan) / ours_best;
  r.raw_calls_per_second = static_cast<double>(r.predictor_calls_per_plan) / raw_best;
  return r;
}

}  // namespace uw::agents
