#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/cli/run_umwelt.h"
#include "tests/test_util.h"

using namespace uw::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A suite small enough for a test: a few pointmass episodes, a tiny model, short evaluations.
void write_tiny_suite(const fs::path& path) {
  std::ofstream(path) << R"({
    "name": "tiny",
    "seeds": [3],
    "tasks": [{
      "env": "pointmass-reach",
      "dataset": {"episodes": 30, "max_steps": 40},
      "model": {"set": ["model.latent_dim=4", "model.frameskip=2", "model.encoder_hidden=32",
                        "model.predictor_hidden=32", "model.probe_hidden=32",
                        "train.batch_size=32", "train.eval_windows=64", "loss.horizon=3"],
                "steps": 60},
      "agents": [
        {"agent": "random", "episodes": 3},
        {"agent": "latent-cem", "episodes": 3,
         "set": ["planner.samples=20", "planner.elites=5", "planner.iterations=2"]},
        {"agent": "oracle-random", "episodes": 2, "set": ["planner.samples=10"]}
      ]
    }]
  })";
}

// The scores of a report, without the timings (which no run repeats).
json scores(const json& report) {
  json out = json::array();
  for (const json& task : report["tasks"]) {
    for (const json& a : task["agents"]) {
      out.push_back({a["agent"], a["episodes"], a["success_rate"], a["mean_return"],
                     a["final_goal_distance"], a["predictor_calls_per_plan"]});
    }
    for (const json& m : task["models"]) out.push_back(m["eval"]);
  }
  return out;
}

}  // namespace

TEST_CASE("umwelt bench: a suite end to end, cached by recipe, the same numbers from the seed") {
  TempDir dir("bench_cli");
  write_tiny_suite(dir / "tiny.json");
  const std::string suite = " --suite " + dir.str("tiny.json");
  const Run first = umwelt("bench" + suite + " --out " + dir.str("a") + " --json");
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  const json report = json::parse(first.out);
  CHECK(json::parse(std::ifstream(dir / "a" / "report.json")) == report);
  REQUIRE(report["tasks"].size() == 1);
  const json& task = report["tasks"][0];
  REQUIRE(task["agents"].size() == 3);
  CHECK(task["agents"][1]["agent"] == "latent-cem");
  CHECK(task["agents"][1]["episodes"] == 3);
  CHECK(task["agents"][1]["predictor_calls_per_plan"].get<double>() > 0);
  REQUIRE(task["models"].size() == 1);
  CHECK(task["models"][0]["steps"] == 60);
  CHECK(task["models"][0]["curve"].size() == 2);  // losses at steps 50 and 60
  const std::string md = read_file(dir / "a" / "report.md");
  CHECK(md.find("| pointmass-reach |") != std::string::npos);
  CHECK(count_occurrences(read_file(dir / "a" / "report.html"), "<svg") == 3);
  const auto report_at = [&](const std::string& out) {
    return json::parse(std::ifstream(dir / out / "report.json"));
  };

  // again into the same place (the table, not JSON: stage lines on stderr): nothing is redone,
  // the report is the same
  const Run again = umwelt("bench" + suite + " --out " + dir.str("a"));
  REQUIRE(again.exit_code == 0);
  CHECK(again.out.find("pointmass-reach") != std::string::npos);
  CHECK(count_occurrences(again.err, "cached") == 5);  // the dataset, the model, three evaluations
  CHECK(scores(report_at("a")) == scores(report));

  // one evaluation lost (a kill while it ran): only it is redone, to the same numbers
  for (const auto& entry : fs::directory_iterator(dir / "a" / "cache" / "evals")) {
    if (entry.path().string().ends_with("-latent-cem.json")) fs::remove(entry.path());
  }
  const Run resumed = umwelt("bench" + suite + " --out " + dir.str("a"));
  REQUIRE(resumed.exit_code == 0);
  CHECK(count_occurrences(resumed.err, "cached") == 4);
  CHECK(scores(report_at("a")) == scores(report));

  // in another place, trained on one thread (a new model: the thread count is in its key; the
  // dataset and the evaluations without a model are shared): the same numbers
  const Run fresh = umwelt("bench" + suite + " --out " + dir.str("b") + " --threads 1 --cache " +
                           dir.str("a") + "/cache");
  REQUIRE(fresh.exit_code == 0);
  CHECK(count_occurrences(fresh.err, "model cached") == 0);
  CHECK(count_occurrences(fresh.err, "cached") == 3);
  CHECK(scores(report_at("b")) == scores(report));
  CHECK(fs::exists(dir / "b" / "report.html"));
}

TEST_CASE("umwelt bench: a bad suite is refused with its file and field named") {
  TempDir dir("bench_cli_bad");
  std::ofstream(dir / "bad.json") << R"({"name": "bad", "tasks": [{"env": "pointmass-reach",
    "agents": [{"agent": "random", "episodes": 2, "seed": 1}]}]})";
  expect_error(umwelt("bench --suite " + dir.str("bad.json") + " --out " + dir.str("o")),
               "tasks[0].agents[0] has no field 'seed'");
  expect_error(umwelt("bench --suite nonesuch --out " + dir.str("o")), "no suite 'nonesuch'");
  std::ofstream(dir / "unknown.json") << R"({"name": "u", "tasks": [{"env": "pointmass-reach",
    "agents": [{"agent": "clairvoyant", "episodes": 2}]}]})";
  expect_error(umwelt("bench --suite " + dir.str("unknown.json") + " --out " + dir.str("o")),
               "clairvoyant");
  std::ofstream(dir / "typo.json") << R"({"name": "t", "tasks": [{"env": "pointmass-reach",
    "model": {"set": ["model.latnt_dim=4"]},
    "agents": [{"agent": "latent-cem", "episodes": 2}]}]})";
  const Run typo = umwelt("bench --suite " + dir.str("typo.json") + " --out " + dir.str("o"));
  expect_error(typo, "has no field 'latnt_dim'");
  CHECK_FALSE(fs::exists(dir / "o" / "cache"));  // refused before any work
  std::ofstream(dir / "policy.json") << R"({"name": "p", "tasks": [{"env": "pointmass-reach",
    "dataset": {"policy": "mix:ou=0.5,scriptd=0.5"},
    "agents": [{"agent": "random", "episodes": 2}]}]})";
  const Run policy = umwelt("bench --suite " + dir.str("policy.json") + " --out " + dir.str("o"));
  expect_error(policy, "suite task 'pointmass-reach'");
  expect_error(policy, "scriptd");
  CHECK_FALSE(fs::exists(dir / "o" / "cache"));
}

TEST_CASE("umwelt perf plan: the planner's latency beside raw LibTorch's, in JSON") {
  const Run run =
      umwelt("perf plan --samples 20 --horizon 2 --iterations 3 --rounds 1 --plans 2 --json");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const json out = json::parse(run.out);
  REQUIRE(out["results"].size() == 1);
  const json& r = out["results"][0];
  CHECK(r["predictor_calls_per_plan"] == 20 * 2 * 3);
  CHECK(r["elites"] == 2);
  CHECK(r["ms_per_plan"].get<double>() > 0);
  CHECK(r["raw_ms_per_plan"].get<double>() > 0);
  CHECK(r["raw_vs_ours"].get<double>() > 0);
  expect_error(umwelt("perf plan --model /nonexistent/model"), "/nonexistent/model");
}
