#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "agents/planner.h"
#include "core/error.h"
#include "tests/test_util.h"

namespace agents = uw::agents;

namespace {

// Cost: squared distance to a fixed target sequence; records the first row of each call.
class QuadraticScorer : public agents::SequenceScorer {
 public:
  explicit QuadraticScorer(std::vector<float> target) : target_(std::move(target)) {}
  void score(int64_t n, std::span<const float> sequences, std::span<float> costs) override {
    const size_t size = target_.size();
    REQUIRE(sequences.size() == static_cast<size_t>(n) * size);
    first_rows.emplace_back(sequences.begin(), sequences.begin() + static_cast<long>(size));
    for (size_t r = 0; r < static_cast<size_t>(n); ++r) {
      double c = 0;
      for (size_t i = 0; i < size; ++i) {
        const double d = sequences[r * size + i] - target_[i];
        c += d * d;
      }
      costs[r] = static_cast<float>(c);
    }
  }
  bool has_gradient() const override { return true; }
  void score_with_gradient(int64_t n, std::span<const float> sequences, std::span<float> costs,
                           std::span<float> gradient) override {
    score(n, sequences, costs);
    const size_t size = target_.size();
    for (size_t i = 0; i < gradient.size(); ++i) {
      gradient[i] = 2 * (sequences[i] - target_[i % size]);
    }
  }
  double cost_of(std::span<const float> x) const {
    double c = 0;
    for (size_t i = 0; i < target_.size(); ++i) c += (x[i] - target_[i]) * (x[i] - target_[i]);
    return c;
  }
  std::vector<std::vector<float>> first_rows;

 private:
  std::vector<float> target_;
};

agents::PlannerConfig config(const std::string& method) {
  agents::PlannerConfig c;
  c.method = method;
  c.horizon = 4;
  c.frameskip = 2;
  return c;
}

// A target inside the bounds but for one value beyond them: horizon 4, frameskip 2, 2 actions.
std::vector<float> target() {
  std::vector<float> t(16);
  for (size_t i = 0; i < t.size(); ++i) t[i] = 0.8f * std::sin(0.7f * static_cast<float>(i));
  t[5] = 1.6f;
  return t;
}

}  // namespace

TEST_CASE("planners: CEM and MPPI find the best sequence within the action bounds") {
  for (const char* method : {"cem", "mppi"}) {
    INFO(method);
    agents::Planner planner(config(method), 2);
    planner.reset(3);
    QuadraticScorer scorer(target());
    const std::span<const float> plan = planner.plan(scorer);
    REQUIRE(plan.size() == 16);
    std::vector<float> best = target();
    best[5] = 1.0f;  // the nearest point of [-1, 1]
    for (size_t i = 0; i < plan.size(); ++i) {
      CHECK(std::abs(plan[i] - best[i]) < 0.06);
      CHECK(std::abs(plan[i]) <= 1.0f);
    }
    CHECK(planner.sequences_scored() == 300 * 10);
    const std::vector<float>& costs = planner.cost_per_iteration();
    REQUIRE(costs.size() == 10);
    CHECK(std::is_sorted(costs.rbegin(), costs.rend()));  // never worse than before
    CHECK(costs.back() < costs.front());
  }
}

TEST_CASE("planners: gradient descent seeded by CEM starts where CEM ended") {
  // the cost's gradient vanishes (a saturated model), so only the starts decide the plan
  struct NoSlope : QuadraticScorer {
    using QuadraticScorer::QuadraticScorer;
    void score_with_gradient(int64_t n, std::span<const float> sequences, std::span<float> costs,
                             std::span<float> gradient) override {
      score(n, sequences, costs);
      std::fill(gradient.begin(), gradient.end(), 0.0f);
    }
  };
  agents::PlannerConfig c = config("grad");
  c.samples = 64;
  c.elites = 8;
  c.iterations = 5;
  const auto plan_cost = [&](int64_t cem_iterations) {
    c.cem_iterations = cem_iterations;
    agents::Planner planner(c, 2);
    planner.reset(4);
    NoSlope scorer(target());
    const std::span<const float> plan = planner.plan(scorer);
    CHECK(planner.sequences_scored() == 64 * (cem_iterations + 6));
    CHECK(planner.cost_per_iteration().size() == static_cast<size_t>(cem_iterations + 6));
    return scorer.cost_of(plan);
  };
  const double alone = plan_cost(0);
  const double seeded = plan_cost(10);
  CHECK(seeded < 0.2 * alone);
  CHECK(seeded < 0.36 + 0.15);  // 0.36: the target value beyond the bounds

  c.method = "cem";
  c.cem_iterations = 3;
  CHECK_THROWS_WITH(agents::Planner(c, 2), Catch::Contains("planner.cem_iterations"));
}

TEST_CASE("planners: gradient descent finds the best sequence, and needs a gradient") {
  agents::PlannerConfig c = config("grad");
  c.samples = 4;
  c.iterations = 60;
  agents::Planner planner(c, 2);
  planner.reset(2);
  QuadraticScorer scorer(target());
  const std::span<const float> plan = planner.plan(scorer);
  std::vector<float> best = target();
  best[5] = 1.0f;
  for (size_t i = 0; i < plan.size(); ++i) CHECK(std::abs(plan[i] - best[i]) < 0.02);
  CHECK(planner.sequences_scored() == 4 * 61);
  CHECK(scorer.cost_of(plan) == Approx(planner.best_cost()).epsilon(1e-5));

  struct NoGradient : agents::SequenceScorer {
    void score(int64_t, std::span<const float>, std::span<float> costs) override {
      std::fill(costs.begin(), costs.end(), 0.0f);
    }
  } flat;
  CHECK_THROWS_WITH(planner.plan(flat), Catch::Contains("gives no gradient"));
}

TEST_CASE("planners: random shooting keeps the best sample, better than doing nothing") {
  agents::Planner planner(config("random"), 2);
  planner.reset(1);
  QuadraticScorer scorer(target());
  const std::span<const float> plan = planner.plan(scorer);
  CHECK(planner.sequences_scored() == 300);
  CHECK(scorer.cost_of(plan) == Approx(planner.best_cost()).epsilon(1e-5));
  const std::vector<float> zero(16, 0.0f);
  CHECK(scorer.cost_of(plan) <= scorer.cost_of(zero));
}

TEST_CASE("planners: a seed gives the same plan, the warm start is the plan shifted") {
  QuadraticScorer scorer(target());
  const auto copy = [](std::span<const float> plan) {
    return std::vector<float>(plan.begin(), plan.end());
  };
  const auto plan_with = [&](uint64_t seed) {
    agents::Planner p(config("cem"), 2);
    p.reset(seed);
    return copy(p.plan(scorer));
  };
  const std::vector<float> a = plan_with(5);
  CHECK(uw::same_bits(std::span<const float>(a), std::span<const float>(plan_with(5))));
  CHECK(plan_with(6) != a);

  // after executing one chunk (2 actions of 2 values), the next plan's first candidate is the
  // rest of the plan, then zeros
  agents::Planner w(config("cem"), 2);
  w.reset(9);
  const std::vector<float> first = copy(w.plan(scorer));
  w.shift(1);
  scorer.first_rows.clear();
  w.plan(scorer);
  std::vector<float> expected(first.begin() + 4, first.end());
  expected.resize(16, 0.0f);
  CHECK(scorer.first_rows.front() == expected);

  // without warm_start, every plan starts from zero
  agents::PlannerConfig cold = config("cem");
  cold.warm_start = false;
  agents::Planner x(cold, 2);
  x.reset(9);
  x.plan(scorer);
  x.shift(1);
  scorer.first_rows.clear();
  x.plan(scorer);
  CHECK(scorer.first_rows.front() == std::vector<float>(16, 0.0f));
}

TEST_CASE("planner config: fields read from JSON, errors name the field") {
  const auto c = agents::planner_config_from_json(
      nlohmann::json{{"method", "mppi"}, {"samples", 64}, {"temperature", 0.5}}, "planner");
  CHECK(c.method == "mppi");
  CHECK(c.samples == 64);
  CHECK(c.temperature == 0.5);
  CHECK(c.horizon == 5);  // a default
  CHECK(agents::planner_config_from_json(agents::planner_config_to_json(c), "p").samples == 64);
  const auto fails = [](const nlohmann::json& j, const std::string& words) {
    INFO(j.dump());
    CHECK_THROWS_WITH(agents::planner_config_from_json(j, "planner"), Catch::Contains(words));
  };
  fails({{"method", "grid"}}, "planner.method: 'grid' is not one of cem, mppi, random, grad");
  fails({{"learning_rate", -1}}, "planner.learning_rate");
  fails({{"samples", 10}, {"elites", 20}}, "planner.elites");
  fails({{"horizon", 3}, {"execute", 4}}, "planner.execute");
  fails({{"samples", "many"}}, "planner.samples is \"many\", expected an integer");
  fails({{"sample", 3}}, "planner has no field 'sample'");
  fails({{"temperature", 0}}, "planner.temperature");
}

TEST_CASE("planners: the best candidates of the last iteration come best first") {
  agents::Planner planner(config("cem"), 2);
  planner.reset(5);
  QuadraticScorer scorer(target());
  const std::span<const float> plan = planner.plan(scorer);
  const std::vector<float> best = planner.best_candidates(4);
  REQUIRE(best.size() == 4 * plan.size());
  std::vector<double> costs;
  for (size_t i = 0; i < 4; ++i) {
    costs.push_back(scorer.cost_of(std::span(best).subspan(i * plan.size(), plan.size())));
  }
  CHECK(std::is_sorted(costs.begin(), costs.end()));
  // the best is the plan's best: what the last iteration scored lowest
  CHECK(costs.front() == Approx(planner.cost_per_iteration().back()).epsilon(1e-5));
  CHECK(planner.best_candidates(10000).size() == 300 * plan.size());  // all there are
}
