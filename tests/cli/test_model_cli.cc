#include <catch2/catch.hpp>
#include <csignal>
#include <nlohmann/json.hpp>

#include "tests/cli/run_umwelt.h"
#include "tests/test_util.h"

using namespace uw::test;
namespace fs = std::filesystem;

TEST_CASE("umwelt train, model info and model eval: a model trained, described, evaluated") {
  TempDir dir("model_cli");
  REQUIRE(umwelt("gen --env pointmass-reach --episodes 30 --max-steps 40 --out " + dir.str("d") +
                 " --policy mix:random=0.5,scripted=0.5")
              .exit_code == 0);
  const std::string small =
      " --set model.encoder_hidden=32 --set model.predictor_hidden=32 --set model.probe_hidden=32"
      " --set train.batch_size=32 --set train.eval_windows=64 --set loss.horizon=3";
  const Run train = umwelt("train --data " + dir.str("d") + " --out " + dir.str("m") +
                           " --steps 30 --json" + small);
  INFO(train.err);
  REQUIRE(train.exit_code == 0);
  const auto result = nlohmann::json::parse(train.out);
  CHECK(result["steps"] == 30);
  CHECK(result["metrics"].contains("pred_error_ratio_10"));
  CHECK(fs::exists(dir / "m" / "weights.safetensors"));
  CHECK(fs::exists(dir / "m" / "metrics.jsonl"));

  const Run info = umwelt("model info " + dir.str("m") + " --json");
  REQUIRE(info.exit_code == 0);
  const auto config = nlohmann::json::parse(info.out);
  CHECK(config["env_spec"]["id"] == "pointmass-reach");
  CHECK(config["training"]["step"] == 30);

  const Run eval =
      umwelt("model eval " + dir.str("m") + " --data " + dir.str("d") + " --windows 64 --json");
  INFO(eval.err);
  REQUIRE(eval.exit_code == 0);
  const auto metrics = nlohmann::json::parse(eval.out);
  CHECK(metrics["heldout"] == "the model's held-out episodes");
  // by default the windows the training run evaluated on: its own numbers, exactly
  CHECK(metrics["pred_error_ratio_10"] == result["metrics"]["pred_error_ratio_10"]);
  CHECK(metrics["probe_r2"] == result["metrics"]["probe_r2"]);
  for (const char* key : {"probe_r2", "probe_r2_10", "pred_error_ratio_1", "pred_error_ratio_5",
                          "pred_error_ratio_10", "effective_rank", "collapsed", "idm_error"}) {
    CHECK(metrics.contains(key));
  }

  // bad input: another env's data, a device this build lacks, a config field that is not there
  REQUIRE(umwelt("gen --env reacher-reach --episodes 2 --max-steps 20 --out " + dir.str("r"))
              .exit_code == 0);
  expect_error(umwelt("model eval " + dir.str("m") + " --data " + dir.str("r")),
               "trained on env 'pointmass-reach', not 'reacher-reach'");
  expect_error(
      umwelt("train --data " + dir.str("d") + " --out " + dir.str("x") + " --set model.latent=3"),
      "has no field 'latent'");
  expect_error(umwelt("train --data " + dir.str("d") + " --out " + dir.str("m")),
               "already holds a model");
}

namespace {

// The step of the model in `dir` (0 while it has none), read as a user would.
int64_t saved_step(const std::string& dir) {
  if (!fs::exists(fs::path(dir) / "config.json")) return 0;
  const Run info = umwelt("model info " + dir + " --json");
  REQUIRE(info.exit_code == 0);  // whenever it is looked at, the model on disk is whole
  return nlohmann::json::parse(info.out)["training"]["step"].get<int64_t>();
}

// Waits (up to a minute) until the model in `dir` is saved past `step`.
int64_t wait_for_checkpoint(const std::string& dir, int64_t step) {
  for (int i = 0; i < 600; ++i) {
    if (const int64_t now = saved_step(dir); now > step) return now;
    usleep(100'000);
  }
  FAIL("no checkpoint past step " << step << " within a minute");
  return 0;
}

}  // namespace

TEST_CASE(
    "umwelt train: Ctrl-C saves and stops, a kill leaves the last checkpoint, --resume "
    "continues") {
  TempDir dir("train_signals");
  REQUIRE(umwelt("gen --env pointmass-reach --episodes 20 --max-steps 40 --out " + dir.str("d"))
              .exit_code == 0);
  const std::vector<std::string> train = {"train",
                                          "--data",
                                          dir.str("d"),
                                          "--out",
                                          dir.str("m"),
                                          "--steps",
                                          "1000000",
                                          "--set",
                                          "model.encoder_hidden=16",
                                          "--set",
                                          "model.predictor_hidden=16",
                                          "--set",
                                          "model.probe_hidden=16",
                                          "--set",
                                          "train.batch_size=16",
                                          "--set",
                                          "train.eval_windows=16",
                                          "--set",
                                          "train.eval_every=0",
                                          "--set",
                                          "train.checkpoint_every=20",
                                          "--set",
                                          "loss.horizon=2"};
  const pid_t first = spawn_umwelt(train);
  const int64_t before_interrupt = wait_for_checkpoint(dir.str("m"), 0);
  kill(first, SIGINT);
  const int status = wait_for(first);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  const int64_t interrupted = saved_step(dir.str("m"));
  CHECK(interrupted >= before_interrupt);
  CHECK(interrupted < 1000000);

  std::vector<std::string> resume = train;
  resume.push_back("--resume");
  const pid_t second = spawn_umwelt(resume);
  const int64_t reached = wait_for_checkpoint(dir.str("m"), interrupted);
  kill(second, SIGKILL);
  wait_for(second);
  CHECK(saved_step(dir.str("m")) >= reached);

  // a kill between the checkpoint's two files can leave the train state one checkpoint ahead
  // of the model's config.json (checkpoint_every 20); --resume continues from the train state,
  // so the target lies more than one checkpoint past the model's step
  const int64_t saved = saved_step(dir.str("m"));
  const int64_t target = saved + 25;
  const Run finish = umwelt("train --data " + dir.str("d") + " --out " + dir.str("m") +
                            " --resume --json --steps " + std::to_string(target) +
                            " --set model.encoder_hidden=16 --set model.predictor_hidden=16"
                            " --set model.probe_hidden=16 --set train.batch_size=16"
                            " --set train.eval_windows=16 --set loss.horizon=2");
  INFO(finish.err);
  REQUIRE(finish.exit_code == 0);
  const auto done = nlohmann::json::parse(finish.out);
  CHECK(done["steps"].get<int64_t>() == target);
  CHECK(done["first_step"].get<int64_t>() >= saved);
  CHECK(done["first_step"].get<int64_t>() < target);
  CHECK(done["interrupted"] == false);
  CHECK(saved_step(dir.str("m")) == target);
}

TEST_CASE("umwelt eval: an agent scored as JSON, bad arguments fail with the reason") {
  const Run eval = umwelt("eval --env pointmass-reach --agent scripted --episodes 3 --json");
  INFO(eval.err);
  REQUIRE(eval.exit_code == 0);
  const auto result = nlohmann::json::parse(eval.out);
  CHECK(result["episodes"] == 3);
  CHECK(result["success_rate"] == 1.0);  // the scripted controller, without noise
  CHECK(result["success_ci95"].size() == 2);
  CHECK(result["per_episode"].size() == 3);
  for (const char* key :
       {"mean_return", "final_goal_distance", "plan_ms_per_action", "predictor_calls_per_plan"}) {
    CHECK(result.contains(key));
  }
  const Run table = umwelt("eval --env pointmass-reach --agent random --episodes 2");
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find("95% CI") != std::string::npos);

  const Run no_model = umwelt("eval --env pointmass-reach --agent latent-cem --episodes 1");
  CHECK(no_model.exit_code != 0);
  CHECK(no_model.err.find("needs --model") != std::string::npos);
  const Run bad_set =
      umwelt("eval --env pointmass-reach --agent oracle-cem --episodes 1 --set planner.horizon=0");
  CHECK(bad_set.exit_code != 0);
  CHECK(bad_set.err.find("planner.horizon") != std::string::npos);
}

TEST_CASE("umwelt eval: latent planning with a pixel model, towards the goal's picture") {
  TempDir dir("pixel_eval");
  REQUIRE(umwelt("gen --env pointmass-reach --option pixels=32 --episodes 10 --max-steps 60 "
                 "--states none --out " +
                 dir.str("d"))
              .exit_code == 0);
  const Run train = umwelt("train --data " + dir.str("d") + " --out " + dir.str("m") +
                           " --steps 4 --set train.batch_size=8 --set train.eval_windows=16");
  INFO(train.err);
  REQUIRE(train.exit_code == 0);
  const Run eval = umwelt(
      "eval --env pointmass-reach --option pixels=32 --agent latent-cem --model " + dir.str("m") +
      " --episodes 2 --json --set planner.samples=8 --set planner.elites=2 "
      "--set planner.iterations=1");
  INFO(eval.err);
  REQUIRE(eval.exit_code == 0);
  const auto result = nlohmann::json::parse(eval.out);
  CHECK(result["episodes"] == 2);
  CHECK(result["predictor_calls_per_plan"].get<double>() > 0);
  // the model reads 32 x 32 pictures: the env without them is another env
  expect_error(
      umwelt("eval --env pointmass-reach --agent latent-cem --episodes 1 --model " + dir.str("m")),
      "differs from the one the model was trained on");
}

TEST_CASE("umwelt eval --video: PNG frames of the chosen episodes, one per step") {
  TempDir dir("eval_video");
  // a frame left by an earlier, longer episode in the same place
  fs::create_directories(dir / "v" / "episode-000");
  std::ofstream(dir / "v" / "episode-000" / "frame-9999.png") << "stale";
  const Run eval = umwelt(
      "eval --env pointmass-reach --agent oracle-cem --episodes 2 --json "
      "--set planner.samples=16 --set planner.elites=4 --set planner.iterations=2 "
      "--video-size 64x48 --video " +
      dir.str("v"));
  INFO(eval.err);
  REQUIRE(eval.exit_code == 0);
  const auto result = nlohmann::json::parse(eval.out);
  const int64_t length = result["per_episode"][0]["length"];
  const fs::path episode = dir / "v" / "episode-000";
  int64_t frames = 0;
  for (const auto& file : fs::directory_iterator(episode)) {
    frames += file.path().extension() == ".png" ? 1 : 0;
  }
  CHECK(frames == length + 1);                    // the reset, then every step
  CHECK(!fs::exists(dir / "v" / "episode-001"));  // --video-episodes 1 by default
  // real pictures, and the point mass moves between the first and the last
  const std::string first = read_file(episode / "frame-0000.png");
  CHECK(first.rfind("\x89PNG", 0) == 0);
  char last_name[32];
  std::snprintf(last_name, sizeof last_name, "frame-%04lld.png", static_cast<long long>(length));
  CHECK(read_file(episode / last_name) != first);
  expect_error(
      umwelt("eval --env pointmass-reach --episodes 1 --video-size 64 --video " + dir.str("w")),
      "--video-size '64': expected WxH");
}

TEST_CASE("umwelt gen and rollout: agents that plan as policies") {
  TempDir dir("agent_policy_cli");
  const Run gen = umwelt("gen --env pointmass-reach --episodes 2 --max-steps 20 --json --out " +
                         dir.str("d") + " --policy oracle-cem:samples=16,elites=4,iterations=2");
  INFO(gen.err);
  REQUIRE(gen.exit_code == 0);
  const auto manifest = nlohmann::json::parse(read_file(dir / "d" / "manifest.json"));
  CHECK(manifest["policy"]["kind"] == "oracle-cem");
  const Run rollout = umwelt(
      "rollout --env pointmass-reach --steps 10 --num-envs 2 --json "
      "--policy oracle-random:samples=8");
  INFO(rollout.err);
  REQUIRE(rollout.exit_code == 0);
  expect_error(umwelt("rollout --env pointmass-reach --steps 1 --policy latent-cem"),
               "needs model=DIR");
}
