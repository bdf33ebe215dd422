#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "agents/tensor_allocations.h"
#include "agents/trainer.h"
#include "agents/world_model.h"
#include "core/error.h"
#include "datagen/file_io.h"
#include "tests/datagen/datagen_test_util.h"

using namespace uw::test;
namespace agents = uw::agents;

namespace {

// A small pointmass dataset, made once per test binary.
const fs::path& dataset_dir() {
  static TempDir dir("world_model_data");
  static const bool made = [] {
    uw::data::GenerationConfig config = small_config(40);
    config.max_steps = 40;
    config.policy = "mix:random=0.5,scripted=0.5";
    uw::data::generate(registry(), config, dir / "d", {});
    return true;
  }();
  (void)made;
  static const fs::path path = dir / "d";
  return path;
}

// Options for a tiny, fast model.
agents::TrainOptions tiny(const fs::path& out, int64_t steps) {
  agents::TrainOptions o;
  o.data = dataset_dir();
  o.out = out;
  o.steps = steps;
  o.threads = 1;
  o.progress = false;
  o.overrides = {"model.encoder_hidden=32", "model.predictor_hidden=32", "model.probe_hidden=32",
                 "model.latent_dim=8",      "train.batch_size=32",       "train.eval_windows=64",
                 "train.eval_every=0",      "train.checkpoint_every=20", "loss.horizon=3"};
  return o;
}

// Equal names, shapes and bits (in any order: a file lists its tensors by name).
bool same_weights(agents::ModelFile a, agents::ModelFile b) {
  if (a.weights.size() != b.weights.size()) return false;
  const auto by_name = [](const auto& x, const auto& y) { return x.name < y.name; };
  std::sort(a.weights.begin(), a.weights.end(), by_name);
  std::sort(b.weights.begin(), b.weights.end(), by_name);
  for (size_t i = 0; i < a.weights.size(); ++i) {
    const auto& x = a.weights[i];
    const auto& y = b.weights[i];
    if (x.name != y.name || x.shape != y.shape ||
        !same_bits(std::span<const float>(x.values), std::span<const float>(y.values))) {
      return false;
    }
  }
  return true;
}

std::string load_error(const fs::path& dir, const uw::envs::EnvSpec* spec = nullptr) {
  try {
    agents::WorldModel::load(dir, spec);
  } catch (const uw::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE(
    "trainer: the same seed gives bit-identical weights, and a resumed run equals one "
    "that never stopped") {
  TempDir dir("determinism");
  const agents::TrainResult a = agents::train_world_model(tiny(dir / "a", 40));
  const agents::TrainResult b = agents::train_world_model(tiny(dir / "b", 40));
  CHECK(same_weights(a.model, b.model));
  agents::TrainOptions other = tiny(dir / "c", 40);
  other.seed = 1;
  CHECK_FALSE(same_weights(a.model, agents::train_world_model(other).model));

  // stop at 20 (as a kill after the checkpoint would), then resume to 40
  agents::train_world_model(tiny(dir / "r", 20));
  agents::TrainOptions resume = tiny(dir / "r", 40);
  resume.resume = true;
  const agents::TrainResult resumed = agents::train_world_model(resume);
  CHECK(resumed.first_step == 20);
  CHECK(same_weights(a.model, resumed.model));
  CHECK(same_weights(a.model, agents::load_model_file(dir / "r")));

  // a run is not overwritten without --resume, and a resume needs the same seed
  CHECK_THROWS_WITH(agents::train_world_model(tiny(dir / "a", 40)),
                    Catch::Contains("already holds a model: give --resume"));
  resume.seed = 5;
  CHECK_THROWS_WITH(agents::train_world_model(resume), Catch::Contains("--seed 0, not 5"));
}

TEST_CASE(
    "trainer: streamed from the shards a pool at a time, the same weights at any thread "
    "count and across a resume") {
  TempDir dir("streamed");
  const auto streamed = [&](const char* name, int64_t steps, int data_threads) {
    agents::TrainOptions o = tiny(dir / name, steps);
    o.overrides.push_back("train.stream_episodes=5");
    o.overrides.push_back("train.stream_batches=3");
    o.overrides.push_back("train.data_threads=" + std::to_string(data_threads));
    return o;
  };
  const agents::TrainResult one = agents::train_world_model(streamed("one", 40, 1));
  CHECK(one.model.dataset["streamed_pool_episodes"] == 5);
  CHECK(one.model.dataset["train_episodes"] == 36);
  const agents::TrainResult three = agents::train_world_model(streamed("three", 40, 3));
  CHECK(same_weights(one.model, three.model));
  // not the in-memory run: the windows come from other episodes in another order
  CHECK_FALSE(same_weights(one.model, agents::train_world_model(tiny(dir / "memory", 40)).model));
  agents::train_world_model(streamed("resumed", 20, 2));
  agents::TrainOptions resume = streamed("resumed", 40, 2);
  resume.resume = true;
  CHECK(same_weights(one.model, agents::train_world_model(resume).model));
}

TEST_CASE("normalisation: a nearly constant column is not blown up to unit noise") {
  // bullet-push-cube's cube rests on the table: its height (column 6) jitters by micrometres
  TempDir dir("near_constant");
  uw::data::GenerationConfig config = small_config(40);  // held out: a few episodes
  config.env_id = "bullet-push-cube";
  config.max_steps = 40;
  config.policy = "random";
  uw::data::generate(registry(), config, dir / "d", {});
  agents::TrainOptions o = tiny(dir / "m", 1);
  o.data = dir / "d";
  const agents::TrainResult r = agents::train_world_model(o);
  const std::vector<float>& std_dev = r.model.normalization.obs_std;
  REQUIRE(std_dev.size() == 13);
  CHECK(std_dev[6] == 0.01f);  // floored: its own deviation is far smaller
  CHECK(std_dev[0] > 0.01f);   // the pusher's x keeps its own
  CHECK(std_dev[0] < 1.0f);
  // and its R^2, over a spread far under the floor, is left out of the probe's mean
  const nlohmann::json& dims = r.model.metrics["probe_r2_dims"];
  REQUIRE(dims.size() == 13);
  INFO(dims.dump());
  CHECK(dims[6].is_null());
  CHECK(dims[0].is_number());
  CHECK(r.model.metrics["probe_r2"].get<double>() > -5.0);
}

TEST_CASE("checkpoint: the saved model loads bit-exact and computes the same latents") {
  TempDir dir("round_trip");
  const agents::TrainResult r = agents::train_world_model(tiny(dir / "m", 20));
  const agents::ModelFile loaded = agents::load_model_file(dir / "m");
  CHECK(same_weights(r.model, loaded));
  CHECK(loaded.normalization == r.model.normalization);
  CHECK(loaded.config.model.input == "state");
  CHECK(loaded.metrics == r.model.metrics);
  const agents::WorldModel in_memory = agents::WorldModel::from_file(r.model);
  const agents::WorldModel from_disk = agents::WorldModel::load(dir / "m");
  const std::vector<float> obs = {0.1f, -0.2f, 0.3f, 0.0f, -0.5f, 0.5f, 0.0f, 1.0f};
  std::vector<float> z1(16), z2(16);
  in_memory.encode(2, obs, {}, z1);
  from_disk.encode(2, obs, {}, z2);
  CHECK(same_bits(std::span<const float>(z1), std::span<const float>(z2)));

  // predict is one step of rollout; decode_state gives observations
  const std::vector<float> chunks = {0.5f, -0.5f, 1.0f, 0.0f};
  std::vector<float> next(16), rolled(16), decoded(8);
  from_disk.predict(2, z1, chunks, next);
  from_disk.rollout(2, 1, z1, chunks, rolled);
  CHECK(same_bits(std::span<const float>(next), std::span<const float>(rolled)));
  from_disk.decode_state(2, z1, decoded);
  for (const float v : decoded) CHECK(std::isfinite(v));
  // from several threads at once, the same latents
  std::vector<std::vector<float>> each(4, std::vector<float>(16));
  std::vector<std::thread> threads;
  for (auto& out : each) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) from_disk.encode(2, obs, {}, out);
    });
  }
  for (std::thread& t : threads) t.join();
  for (const auto& out : each)
    CHECK(same_bits(std::span<const float>(out), std::span<const float>(z1)));
  std::vector<float> z3(24);
  CHECK_THROWS_WITH(from_disk.encode(3, obs, {}, z3),
                    Catch::Contains("observations has 8 values, expected 12"));
}

TEST_CASE(
    "inference: rollout chains predict over a history; with a scratch the hot path "
    "allocates no tensor memory and computes the same bits") {
  TempDir dir("scratch");
  agents::TrainOptions o = tiny(dir / "m", 10);
  o.overrides.push_back("model.history=2");
  o.overrides.push_back("model.frameskip=2");
  o.overrides.push_back("model.inverse_dynamics=true");
  const agents::WorldModel model =
      agents::WorldModel::load((agents::train_world_model(o), dir / "m"));
  const int64_t n = 3, Z = model.latent_dim(), H = 2, C = 2 * 2, S = 4;
  std::vector<float> history(n * H * Z), chunks(n * S * C);
  for (size_t i = 0; i < history.size(); ++i) history[i] = std::sin(0.7f * float(i));
  for (size_t i = 0; i < chunks.size(); ++i) chunks[i] = std::cos(1.3f * float(i));
  std::vector<float> rolled(n * S * Z);
  model.rollout(n, S, history, chunks, rolled);

  // step by step: predict from the last H latents, then slide the window
  std::vector<float> window = history, next(n * Z), chunk(n * C);
  for (int64_t k = 0; k < S; ++k) {
    for (int64_t r = 0; r < n; ++r) {
      std::copy_n(chunks.data() + (r * S + k) * C, C, chunk.data() + r * C);
    }
    model.predict(n, window, chunk, next);
    for (int64_t r = 0; r < n; ++r) {
      CHECK(std::equal(next.begin() + r * Z, next.begin() + (r + 1) * Z,
                       rolled.begin() + (r * S + k) * Z));
      std::copy_n(window.data() + (r * H + 1) * Z, Z, window.data() + r * H * Z);
      std::copy_n(next.data() + r * Z, Z, window.data() + (r * H + 1) * Z);
    }
  }

  // with a scratch: the same bits, and after the first call no tensor memory
  agents::InferenceScratch scratch;
  std::vector<float> with_scratch(n * S * Z), obs(n * 4, 0.25f), z(n * Z), decoded(n * 4),
      actions(n * C);
  const auto hot_path = [&] {
    model.rollout(n, S, history, chunks, with_scratch, &scratch);
    model.encode(n, obs, {}, z, &scratch);
    model.decode_state(n, z, decoded, &scratch);
    model.infer_actions(n, z, z, actions, &scratch);
  };
  CHECK(agents::count_tensor_allocations(hot_path) > 0);  // the scratch grows
  CHECK(agents::count_tensor_allocations(hot_path) == 0);
  CHECK(same_bits(std::span<const float>(with_scratch), std::span<const float>(rolled)));
  // the counter counts: the same calls without a scratch allocate
  CHECK(agents::count_tensor_allocations(
            [&] { model.rollout(n, S, history, chunks, with_scratch); }) > 0);
  // a scratch serves other batch sizes too
  std::vector<float> one(S * Z);
  model.rollout(1, S, std::span<const float>(history).first(H * Z),
                std::span<const float>(chunks).first(S * C), one, &scratch);
  for (int64_t i = 0; i < S * Z; ++i) CHECK(one[i] == Approx(rolled[i]).margin(1e-5));
}

TEST_CASE(
    "pixel models: the built-in config (a keypoint CNN) and the flatten head train, save, "
    "load and encode pictures") {
  TempDir dir("pixels");
  uw::data::GenerationConfig config = small_config(12);
  config.max_steps = 60;  // evaluation rolls 10 chunks of 5 out
  config.options = uw::Options::parse(std::vector<std::string>{"pixels=16", "pixels_and_state=1"});
  config.policy = "mix:random=0.5,scripted=0.5";
  uw::data::generate(registry(), config, dir / "d", {});
  for (const char* head : {"keypoints", "flatten"}) {
    agents::TrainOptions o;
    o.data = dir / "d";
    o.out = dir / head;
    o.steps = 6;
    o.threads = 1;
    o.progress = false;
    o.overrides = {std::string("model.cnn_head=") + head,
                   "model.cnn_channels=[4,8]",
                   "model.predictor_hidden=16",
                   "model.probe_hidden=16",
                   "train.batch_size=4",
                   "train.eval_windows=8",
                   "loss.horizon=1"};
    const agents::TrainResult r = agents::train_world_model(o);
    CHECK(r.model.config.model.input == "pixels");
    CHECK(r.model.config.model.frameskip == 5);  // the built-in pixel config's
    CHECK(r.model.config.model.cnn_head == head);
    const agents::WorldModel model = agents::WorldModel::load(dir / head);
    REQUIRE(model.pixel_size() == 16 * 16 * 3);
    std::vector<uint8_t> pictures(2 * model.pixel_size());
    for (size_t i = 0; i < pictures.size(); ++i) pictures[i] = static_cast<uint8_t>(i * 7);
    std::vector<float> z(2 * model.latent_dim()), again(z.size());
    model.encode(2, {}, pictures, z);
    agents::WorldModel::from_file(r.model).encode(2, {}, pictures, again);
    CHECK(same_bits(std::span<const float>(z), std::span<const float>(again)));
    CHECK(z != std::vector<float>(z.size(), z[0]));
    std::vector<float> decoded(2 * 4);
    model.decode_state(2, z, decoded);
    for (const float v : decoded) CHECK(std::isfinite(v));
  }
}

TEST_CASE("checkpoint: damaged or mismatched model directories give clear errors") {
  TempDir dir("damaged");
  agents::train_world_model(tiny(dir / "m", 5));
  const fs::path weights = dir / "m" / "weights.safetensors";
  const std::vector<uint8_t> good = uw::data::File(weights, uw::data::File::Mode::kRead).read_all();
  const auto write = [&](const std::vector<uint8_t>& bytes) {
    std::ofstream(weights, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  };
  SECTION("a flipped byte in a weight") {
    std::vector<uint8_t> bad = good;
    bad[bad.size() - 3] ^= 0x10;
    write(bad);
    CHECK_THAT(load_error(dir / "m"), Catch::Contains("does not match its checksum"));
  }
  SECTION("a truncated file") {
    write({good.begin(), good.end() - 100});
    CHECK_THAT(load_error(dir / "m"), Catch::Contains("lie outside"));
    CHECK_THAT(load_error(dir / "m"), Catch::Contains("weights.safetensors"));
  }
  SECTION("weights of another architecture") {
    nlohmann::json config =
        nlohmann::json::parse(uw::data::read_text_file(dir / "m" / "config.json"));
    config["config"]["model"]["latent_dim"] = 9;
    uw::data::write_file_atomically(dir / "m" / "config.json", config.dump());
    CHECK_THAT(load_error(dir / "m"), Catch::Contains("does not belong to the config.json"));
  }
  SECTION("a model of another env") {
    const auto env = registry().make("reacher-reach");
    CHECK_THAT(load_error(dir / "m", &env->spec()),
               Catch::Contains("trained on env 'pointmass-reach', not 'reacher-reach'"));
  }
  SECTION("no model at all") {
    CHECK_THAT(load_error(dir / "nothing"), Catch::Contains("is not a directory"));
  }
}

TEST_CASE("evaluation: the collapse alarm fires without the anti-collapse term, not with it") {
  TempDir dir("collapse");
  // a setting that collapses: no regulariser, a high learning rate
  agents::TrainOptions collapsing = tiny(dir / "none", 150);
  collapsing.overrides.push_back("loss.regularizer=none");
  collapsing.overrides.push_back("train.learning_rate=0.01");
  collapsing.overrides.push_back("model.latent_dim=16");
  const agents::TrainResult none = agents::train_world_model(collapsing);
  INFO(agents::report_line(none.eval));
  CHECK(none.eval.collapsed);
  CHECK(none.model.metrics["collapsed"] == true);

  agents::TrainOptions kept = collapsing;
  kept.out = dir / "vicreg";
  kept.overrides.push_back("loss.regularizer=vicreg");
  const agents::TrainResult vicreg = agents::train_world_model(kept);
  INFO(agents::report_line(vicreg.eval));
  CHECK_FALSE(vicreg.eval.collapsed);
  CHECK(vicreg.eval.effective_rank > none.eval.effective_rank);
}

TEST_CASE(
    "evaluation: a trained model predicts better than copying the last latent, and than "
    "the same model untrained") {
  TempDir dir("learned");
  const agents::TrainResult untrained = agents::train_world_model(tiny(dir / "u", 0));
  const agents::TrainResult r = agents::train_world_model(tiny(dir / "m", 150));
  INFO("untrained: " << agents::report_line(untrained.eval));
  INFO("trained: " << agents::report_line(r.eval));
  CHECK(untrained.eval.pred_error_ratio.at(1) > 0.7);
  CHECK(r.eval.pred_error_ratio.at(1) < 0.5);
  CHECK(r.eval.pred_error_ratio.at(10) < untrained.eval.pred_error_ratio.at(10));
  CHECK(r.eval.plannability.value() > 0.5);
  const nlohmann::json j = agents::report_to_json(r.eval);
  for (const char* key : {"probe_r2", "probe_r2_10", "pred_error_ratio_1", "pred_error_ratio_5",
                          "pred_error_ratio_10", "effective_rank", "collapsed", "idm_error"}) {
    CHECK(j.contains(key));
  }
  CHECK(j["idm_error"].is_null());
}

TEST_CASE("config: unknown fields and bad values are named") {
  const auto error = [](const nlohmann::json& j) {
    try {
      agents::config_from_json(j, "config 'x.json'");
    } catch (const uw::Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK_THAT(error({{"model", {{"latent", 4}}}}),
             Catch::Contains("config 'x.json'.model has no field 'latent'"));
  CHECK_THAT(error({{"model", {{"latent_dim", "four"}}}}),
             Catch::Contains("model.latent_dim is \"four\", expected an integer"));
  CHECK_THAT(error({{"loss", {{"regularizer", "barlow"}}}}),
             Catch::Contains("'barlow' is not one of vicreg, sigreg, none"));
  nlohmann::json j = nlohmann::json::object();
  agents::apply_overrides(j, std::vector<std::string>{"model.latent_dim=8", "loss.target=ema"});
  CHECK(agents::config_from_json(j, "x").model.latent_dim == 8);
  CHECK(agents::config_from_json(j, "x").loss.target == "ema");
  CHECK_THROWS_WITH(agents::apply_overrides(j, std::vector<std::string>{"latent_dim=8"}),
                    Catch::Contains("expected section.field=value"));
  CHECK_THAT(error({{"model", {{"cnn_head", "pool"}}}}),
             Catch::Contains("'pool' is not one of flatten, keypoints"));
  CHECK_THAT(error({{"train", {{"lr_schedule", "step"}}}}),
             Catch::Contains("'step' is not one of constant, cosine"));

  // the cosine schedule: full at the first step, the floor at the last, halfway between
  agents::TrainConfig train;
  train.steps = 101;
  CHECK(agents::learning_rate(train, 50) == train.learning_rate);  // constant by default
  train.lr_schedule = "cosine";
  CHECK(agents::learning_rate(train, 0) == Approx(1e-3));
  CHECK(agents::learning_rate(train, 50) == Approx(0.55e-3));
  CHECK(agents::learning_rate(train, 100) == Approx(0.1e-3));
  CHECK(agents::learning_rate(train, 500) == Approx(0.1e-3));
}
