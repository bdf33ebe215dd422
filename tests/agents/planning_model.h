#pragma once

#include "agents/trainer.h"
#include "tests/datagen/datagen_test_util.h"

namespace uw::test {

// A small pointmass model predicting chunks of 5 actions, trained once per test binary.
inline const fs::path& model_dir() {
  static TempDir dir("planning_model");
  static const bool made = [] {
    // episodes long enough for evaluation's 10 imagined chunks of 5 actions
    data::GenerationConfig config = small_config(24);
    config.max_steps = 100;
    config.policy = "mix:random=0.5,scripted=0.5";
    data::generate(registry(), config, dir / "d", {});
    agents::TrainOptions o;
    o.data = dir / "d";
    o.out = dir / "m";
    o.steps = 30;
    o.threads = 1;
    o.progress = false;
    o.overrides = {"model.encoder_hidden=32", "model.predictor_hidden=32", "model.probe_hidden=32",
                   "model.latent_dim=4",      "model.frameskip=5",         "model.history=2",
                   "train.batch_size=32",     "train.eval_windows=32",     "train.eval_every=0",
                   "loss.horizon=2"};
    agents::train_world_model(o);
    return true;
  }();
  (void)made;
  static const fs::path path = dir / "m";
  return path;
}

}  // namespace uw::test
