#include <catch2/catch.hpp>
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

  const Run eval = umwelt("model eval " + dir.str("m") + " --data " + dir.str("d") +
                          " --windows 64 --json");
  INFO(eval.err);
  REQUIRE(eval.exit_code == 0);
  const auto metrics = nlohmann::json::parse(eval.out);
  CHECK(metrics["heldout"] == "the model's held-out episodes");
  for (const char* key : {"probe_r2", "probe_r2_10", "pred_error_ratio_1", "pred_error_ratio_5",
                          "pred_error_ratio_10", "effective_rank", "collapsed", "idm_error"}) {
    CHECK(metrics.contains(key));
  }

  // bad input: another env's data, a device this build lacks, a config field that is not there
  REQUIRE(umwelt("gen --env reacher-reach --episodes 2 --max-steps 20 --out " + dir.str("r"))
              .exit_code == 0);
  expect_error(umwelt("model eval " + dir.str("m") + " --data " + dir.str("r")),
               "trained on env 'pointmass-reach', not 'reacher-reach'");
  expect_error(umwelt("train --data " + dir.str("d") + " --out " + dir.str("x") +
                      " --set model.latent=3"),
               "has no field 'latent'");
  expect_error(umwelt("train --data " + dir.str("d") + " --out " + dir.str("m")),
               "already holds a model");
}
