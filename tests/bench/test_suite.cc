#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "agents/agent_eval.h"
#include "bench/report.h"
#include "bench/suite.h"
#include "bench/suite_runner.h"
#include "core/error.h"
#include "envs/registry.h"
#include "tests/test_util.h"

using namespace uw;
using nlohmann::json;
using uw::test::count_occurrences;

namespace {

json minimal_suite() {
  return json::parse(R"({
    "name": "t",
    "tasks": [{"env": "pointmass-reach", "agents": [{"agent": "random", "episodes": 3}]}]
  })");
}

void expect_suite_error(const json& suite, const std::string& needle) {
  try {
    bench::suite_from_json(suite, "suite 'x.json'", "/base");
    FAIL("no error; expected one containing: " << needle);
  } catch (const Error& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find(needle) != std::string::npos);
  }
}

// A report as run_suite writes it: one task, three agents, one model.
json sample_report() {
  const json agent = {{"episodes", 10},
                      {"success_rate", 0.8},
                      {"success_ci95", {0.49, 0.94}},
                      {"mean_return", -30.5},
                      {"final_goal_distance", 0.05},
                      {"plan_ms_per_action", 12.5},
                      {"predictor_calls_per_plan", 15000},
                      {"seconds", 3.0}};
  json latent = agent, random = agent, oracle = agent;
  latent["agent"] = latent["kind"] = "latent-cem";
  random["agent"] = random["kind"] = "random";
  random["success_rate"] = 0.0;
  random["plan_ms_per_action"] = 0.0;
  oracle["agent"] = oracle["kind"] = "oracle-cem";
  oracle["success_rate"] = 1.0;
  return {{"suite", {{"name", "sample"}, {"description", "a <test> & more"}, {"seeds", {0}}}},
          {"threads", 2},
          {"machine", {{"cpu", "test cpu"}, {"cores", 2}}},
          {"seconds", 75.0},
          {"tasks",
           {{{"name", "pointmass-reach"},
             {"env", "pointmass-reach"},
             {"options", json::array()},
             {"agents", {random, latent, oracle}},
             {"latent_vs_oracle", {{"latent-cem", 0.8}}},
             {"models",
              {{{"seed", 0},
                {"input", "state"},
                {"latent_dim", 4},
                {"frameskip", 5},
                {"steps", 600},
                {"train_seconds", 30.0},
                {"eval", {{"probe_r2_10", 0.9}, {"plannability", 0.93}}},
                {"curve", {{50, 0.5}, {100, 0.3}, {150, 0.2}}}}}}}}}};
}

}  // namespace

TEST_CASE("suite files: read with defaults, relative model configs from the suite's folder") {
  json j = minimal_suite();
  j["tasks"][0]["model"] = {
      {"config", "configs/x.json"}, {"set", {"model.latent_dim=4"}}, {"steps", 100}};
  j["tasks"][0]["options"] = {"pixels=64"};
  const bench::Suite suite = bench::suite_from_json(j, "suite", "/base");
  REQUIRE(suite.tasks.size() == 1);
  const bench::SuiteTask& task = suite.tasks[0];
  CHECK(task.name == "pointmass-reach");   // the env id when no name is given
  CHECK(task.agents[0].name == "random");  // the agent when no name is given
  CHECK(task.options.get_int("pixels") == 64);
  CHECK(task.dataset.episodes == 1000);
  CHECK(task.model.config == std::filesystem::path("/base/configs/x.json"));
  CHECK(task.model.steps == 100);
  CHECK(suite.seeds == std::vector<uint64_t>{0});
  CHECK_FALSE(task.needs_model());
  // written and read back: the same suite
  const bench::Suite again = bench::suite_from_json(bench::suite_to_json(suite), "suite", "/");
  CHECK(bench::suite_to_json(again) == bench::suite_to_json(suite));
}

TEST_CASE("suite files: mistakes are named by their place in the file") {
  json j = minimal_suite();
  j["tasks"][0]["agents"][0]["episods"] = 5;
  expect_suite_error(j, "suite 'x.json'.tasks[0].agents[0] has no field 'episods'");
  j = minimal_suite();
  j["tasks"][0]["dataset"] = {{"states", "sometimes"}};
  expect_suite_error(j, "sometimes");
  j = minimal_suite();
  j["tasks"][0].erase("env");
  expect_suite_error(j, "tasks[0]: expected \"env\"");
  j = minimal_suite();
  j["tasks"][0]["agents"] = json::array();
  expect_suite_error(j, "expected \"agents\"");
  j = minimal_suite();
  j["tasks"].push_back(j["tasks"][0]);
  expect_suite_error(j, "a second task named 'pointmass-reach'");
  j = minimal_suite();
  j["tasks"][0]["agents"].push_back(j["tasks"][0]["agents"][0]);
  expect_suite_error(j, "tasks[0].agents[1]: a second agent named 'random' (give \"name\")");
  j["tasks"][0]["agents"][1]["name"] = "random-again";
  CHECK(bench::suite_from_json(j, "suite", "/").tasks[0].agents[1].name == "random-again");
  j = minimal_suite();
  j["seeds"] = "0";
  expect_suite_error(j, ".seeds is \"0\", expected a list of integers");
  j = minimal_suite();
  j["tasks"][0]["agents"][0]["episodes"] = 0;
  expect_suite_error(j, "episodes: expected a positive number");

  test::TempDir dir("suite_files");
  std::ofstream(dir / "broken.json") << "{\"name\": ";
  CHECK_THROWS_WITH(bench::load_suite(dir / "broken.json"),
                    Catch::Contains("broken.json") && Catch::Contains("not valid JSON"));
  CHECK_THROWS_WITH(bench::find_suite("no-such-suite"),
                    Catch::Contains("no suite 'no-such-suite'") && Catch::Contains("smoke"));
}

TEST_CASE("suite files: the shipped suites read, and name registered envs and known agents") {
  const envs::Registry registry = envs::make_default_registry();
  const std::vector<std::string> agents = {"random",      "scripted",      "oracle-cem",
                                           "oracle-mppi", "latent-cem",    "latent-mppi",
                                           "latent-grad", "oracle-random", "latent-random"};
  for (const char* name : {"smoke", "standard"}) {
    INFO(name);
    const bench::Suite suite = bench::load_suite(bench::find_suite(name));
    CHECK(suite.name == name);
    for (const bench::SuiteTask& task : suite.tasks) {
      INFO(task.name);
      CHECK_NOTHROW(registry.find(task.env));
      for (const bench::AgentRun& run : task.agents) {
        CHECK(std::find(agents.begin(), agents.end(), run.agent) != agents.end());
      }
    }
  }
}

TEST_CASE("recipe keys: the same recipe gives the same key, any change another") {
  const json a = {{"env", "pointmass-reach"}, {"episodes", 10}};
  const json b = {{"episodes", 10}, {"env", "pointmass-reach"}};
  CHECK(bench::recipe_key(a) == bench::recipe_key(b));
  CHECK(bench::recipe_key(a).size() == 16);
  json c = a;
  c["episodes"] = 11;
  CHECK(bench::recipe_key(a) != bench::recipe_key(c));
}

TEST_CASE("reports: Markdown tables and an HTML page with charts, from report.json alone") {
  const json report = sample_report();
  const std::string md = bench::report_markdown(report);
  CHECK(md.find("# Suite `sample`") != std::string::npos);
  CHECK(md.find("| pointmass-reach | 0.00 | 0.80 | 1.00 | 0.80 |") != std::string::npos);
  CHECK(md.find("| latent-cem | 10 | 0.800 | [0.490, 0.940] | -30.50 | 0.050 | 12.50 | 15000 |") !=
        std::string::npos);
  CHECK(md.find("| 0 | state | 4 | 5 | 600 | 30 s | 0.900 | 0.930 | - |") != std::string::npos);

  const std::string html = bench::report_html(report);
  CHECK(html.starts_with("<!DOCTYPE html>"));
  CHECK(html.find("a &lt;test&gt; &amp; more") != std::string::npos);  // escaped
  CHECK(html.find("a <test>") == std::string::npos);
  CHECK(html.find("<script") == std::string::npos);  // self-contained, static
  CHECK(count_occurrences(html, "<svg") == 3);       // success, latency, learning curve
  // success bars: 3 agents, each with an interval whisker; latency: the 2 planners
  CHECK(count_occurrences(html, "<rect") == 5);
  CHECK(count_occurrences(html, "stroke=\"#222\"") == 3);
  CHECK(html.find("80% of 10") != std::string::npos);
  CHECK(html.find("12.5 ms") != std::string::npos);
  CHECK(count_occurrences(html, "<polyline") == 1);
}
