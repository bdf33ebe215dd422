#include "agents/model_config.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <numbers>

#include "agents/config_fields.h"
#include "core/error.h"

namespace uw::agents {

// Each section's fields, listed once for writing and reading: f(name, member). Outside the
// anonymous namespace, so that the readers of config_fields.h find them by argument lookup.
template <class F>
void visit(ModelConfig& c, F&& f) {
  f("input", c.input);
  f("latent_dim", c.latent_dim);
  f("encoder_hidden", c.encoder_hidden);
  f("encoder_layers", c.encoder_layers);
  f("cnn_channels", c.cnn_channels);
  f("cnn_head", c.cnn_head);
  f("predictor_hidden", c.predictor_hidden);
  f("predictor_blocks", c.predictor_blocks);
  f("frameskip", c.frameskip);
  f("history", c.history);
  f("inverse_dynamics", c.inverse_dynamics);
  f("reward_head", c.reward_head);
  f("termination_head", c.termination_head);
  f("probe_hidden", c.probe_hidden);
}

template <class F>
void visit(LossConfig& c, F&& f) {
  f("horizon", c.horizon);
  f("open_loop_weight", c.open_loop_weight);
  f("teacher_forcing_weight", c.teacher_forcing_weight);
  f("target", c.target);
  f("ema_decay", c.ema_decay);
  f("regularizer", c.regularizer);
  f("variance_weight", c.variance_weight);
  f("covariance_weight", c.covariance_weight);
  f("sigreg_weight", c.sigreg_weight);
  f("sigreg_projections", c.sigreg_projections);
  f("inverse_dynamics_weight", c.inverse_dynamics_weight);
  f("reward_weight", c.reward_weight);
  f("termination_weight", c.termination_weight);
}

template <class F>
void visit(TrainConfig& c, F&& f) {
  f("steps", c.steps);
  f("batch_size", c.batch_size);
  f("learning_rate", c.learning_rate);
  f("lr_schedule", c.lr_schedule);
  f("min_learning_rate_fraction", c.min_learning_rate_fraction);
  f("weight_decay", c.weight_decay);
  f("eval_every", c.eval_every);
  f("checkpoint_every", c.checkpoint_every);
  f("heldout_every", c.heldout_every);
  f("eval_windows", c.eval_windows);
  f("data_threads", c.data_threads);
  f("stream_episodes", c.stream_episodes);
  f("stream_batches", c.stream_batches);
  f("probe_only", c.probe_only);
}

namespace {

using detail::section_from_json;
using detail::section_to_json;

void require(bool ok, const std::string& where, const std::string& what) {
  if (!ok) throw Error(where + ": " + what);
}

void check(const WorldModelConfig& c, const std::string& where) {
  const ModelConfig& m = c.model;
  const std::string model = where + ".model";
  require(m.input == "state" || m.input == "pixels" || m.input == "both" || m.input == "auto",
          model + ".input", "'" + m.input + "' is not one of auto, state, pixels, both");
  require(m.latent_dim >= 1 && m.latent_dim <= 4096, model + ".latent_dim", "expected 1..4096");
  require(m.encoder_hidden >= 1 && m.encoder_layers >= 1, model,
          "encoder_hidden and encoder_layers must be at least 1");
  require(!m.cnn_channels.empty() && m.cnn_channels.size() <= 8, model + ".cnn_channels",
          "expected 1..8 layers");
  for (const int64_t channels : m.cnn_channels) {
    require(channels >= 1 && channels <= 1024, model + ".cnn_channels", "expected 1..1024");
  }
  require(m.cnn_head == "flatten" || m.cnn_head == "keypoints", model + ".cnn_head",
          "'" + m.cnn_head + "' is not one of flatten, keypoints");
  require(m.predictor_hidden >= 1 && m.predictor_blocks >= 0, model,
          "predictor_hidden must be at least 1 and predictor_blocks at least 0");
  require(m.frameskip >= 1 && m.frameskip <= 100, model + ".frameskip", "expected 1..100");
  require(m.history >= 1 && m.history <= 32, model + ".history", "expected 1..32");
  require(m.probe_hidden >= 1, model + ".probe_hidden", "expected at least 1");
  const LossConfig& l = c.loss;
  const std::string loss = where + ".loss";
  require(l.horizon >= 1 && l.horizon <= 256, loss + ".horizon", "expected 1..256");
  require(l.target == "stopgrad" || l.target == "ema", loss + ".target",
          "'" + l.target + "' is not one of stopgrad, ema");
  require(l.ema_decay >= 0 && l.ema_decay < 1, loss + ".ema_decay", "expected [0, 1)");
  require(l.regularizer == "vicreg" || l.regularizer == "sigreg" || l.regularizer == "none",
          loss + ".regularizer", "'" + l.regularizer + "' is not one of vicreg, sigreg, none");
  require(l.sigreg_projections >= 1, loss + ".sigreg_projections", "expected at least 1");
  for (const double w :
       {l.open_loop_weight, l.teacher_forcing_weight, l.variance_weight, l.covariance_weight,
        l.sigreg_weight, l.inverse_dynamics_weight, l.reward_weight, l.termination_weight}) {
    require(w >= 0 && std::isfinite(w), loss, "weights must be finite and >= 0");
  }
  const TrainConfig& t = c.train;
  const std::string train = where + ".train";
  require(t.steps >= 0, train + ".steps", "expected >= 0");
  require(t.batch_size >= 2, train + ".batch_size",
          "expected at least 2 (the regulariser "
          "needs a spread)");
  require(t.learning_rate > 0 && std::isfinite(t.learning_rate), train + ".learning_rate",
          "expected > 0");
  require(t.lr_schedule == "constant" || t.lr_schedule == "cosine", train + ".lr_schedule",
          "'" + t.lr_schedule + "' is not one of constant, cosine");
  require(t.min_learning_rate_fraction >= 0 && t.min_learning_rate_fraction <= 1,
          train + ".min_learning_rate_fraction", "expected [0, 1]");
  require(t.weight_decay >= 0, train + ".weight_decay", "expected >= 0");
  require(t.eval_every >= 0 && t.checkpoint_every >= 0, train,
          "eval_every and checkpoint_every must be >= 0");
  require(t.heldout_every >= 2, train + ".heldout_every", "expected at least 2");
  require(t.eval_windows >= 2, train + ".eval_windows", "expected at least 2");
  require(t.data_threads >= 1 && t.data_threads <= 64, train + ".data_threads", "expected 1..64");
  require(t.stream_episodes >= 0, train + ".stream_episodes",
          "expected 0 (all in memory) or a pool size");
  require(t.stream_batches >= 1, train + ".stream_batches", "expected at least 1");
}

}  // namespace

double learning_rate(const TrainConfig& train, int64_t step) {
  if (train.lr_schedule != "cosine" || train.steps <= 1) return train.learning_rate;
  const double progress = std::min(1.0, static_cast<double>(step) / (train.steps - 1));
  const double low = train.min_learning_rate_fraction;
  return train.learning_rate *
         (low + (1 - low) * 0.5 * (1 + std::cos(std::numbers::pi * progress)));
}

nlohmann::json config_to_json(const WorldModelConfig& config) {
  return {{"model", section_to_json(config.model)},
          {"loss", section_to_json(config.loss)},
          {"train", section_to_json(config.train)}};
}

WorldModelConfig config_from_json(const nlohmann::json& json, const std::string& where) {
  if (!json.is_object()) throw Error(where + ": expected a JSON object");
  WorldModelConfig c;
  for (const auto& [name, value] : json.items()) {
    if (name == "model") {
      section_from_json(value, where + ".model", c.model);
    } else if (name == "loss") {
      section_from_json(value, where + ".loss", c.loss);
    } else if (name == "train") {
      section_from_json(value, where + ".train", c.train);
    } else if (name != "comment") {
      throw Error(where + " has no section '" + name + "'; known: model, loss, train");
    }
  }
  check(c, where);
  return c;
}

void apply_overrides(nlohmann::json& json, std::span<const std::string> overrides) {
  for (const std::string& item : overrides) {
    const size_t eq = item.find('=');
    const size_t dot = item.find('.');
    if (eq == std::string::npos || dot == std::string::npos || dot > eq || dot == 0 ||
        dot + 1 == eq) {
      throw Error("--set '" + item + "': expected section.field=value (e.g. model.latent_dim=8)");
    }
    const std::string section = item.substr(0, dot);
    const std::string field = item.substr(dot + 1, eq - dot - 1);
    const std::string text = item.substr(eq + 1);
    nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) value = text;  // a bare word: a string
    json[section][field] = value;
  }
}

std::filesystem::path default_config_dir() {
  if (const char* dir = std::getenv("UMWELT_CONFIG_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return UMWELT_DEFAULT_CONFIG_DIR;
}

std::filesystem::path builtin_config_path(const std::string& env_id, bool pixels) {
  const std::filesystem::path dir = default_config_dir();
  const std::string suffix = pixels ? "-pixels.json" : ".json";
  const std::filesystem::path own = dir / (env_id + suffix);
  std::error_code ec;
  // ids like mjcf:/path/model.xml name no file here
  if (env_id.find('/') == std::string::npos && std::filesystem::is_regular_file(own, ec)) {
    return own;
  }
  return dir / ("default" + suffix);
}

nlohmann::json read_config_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read config file '" + path.string() + "'");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error("config file '" + path.string() + "' is not valid JSON: " + e.what());
  }
}

}  // namespace uw::agents
