#include "agents/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include "agents/batch_source.h"
#include "agents/learner.h"
#include "agents/world_model.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/random.h"
#include "datagen/dataset.h"
#include "datagen/file_io.h"
#include "datagen/manifest.h"
#include "datagen/stats.h"

namespace uw::agents {
namespace {

using Clock = std::chrono::steady_clock;

// Per-dimension mean and standard deviation of rows of `size` values, added a span at a time.
// Deviations are floored at kMinStd: a nearly constant column (a resting cube's height, which
// jitters by micrometres in contact) divided by its own tiny deviation became unit-sized noise
// in the encoder's input and the probe's target. Observations are in SI units, where a hundredth
// is below every task's tolerance.
constexpr double kMinStd = 1e-2;
class ColumnStats {
 public:
  explicit ColumnStats(int64_t size)
      : size_(static_cast<size_t>(size)), sum_(size_), squares_(size_) {}
  void add(std::span<const float> rows) {
    if (size_ == 0) return;  // no columns (a dataset of pictures only)
    for (size_t at = 0; at + size_ <= rows.size(); at += size_, ++count_) {
      for (size_t d = 0; d < size_; ++d) {
        const double v = rows[at + d];
        sum_[d] += v;
        squares_[d] += v * v;
      }
    }
  }
  void finish(std::vector<float>& mean, std::vector<float>& std_dev) const {
    mean.assign(size_, 0.0f);
    std_dev.assign(size_, 1.0f);
    for (size_t d = 0; d < size_ && count_ > 1; ++d) {
      const double m = sum_[d] / count_;
      const double var = std::max(0.0, squares_[d] / count_ - m * m);
      mean[d] = static_cast<float>(m);
      // a constant column keeps a deviation of 1 (it is only shifted)
      std_dev[d] = var > 1e-12 ? static_cast<float>(std::max(std::sqrt(var), kMinStd)) : 1.0f;
    }
  }

 private:
  size_t size_;
  int64_t count_ = 0;
  std::vector<double> sum_, squares_;
};

}  // namespace

WorldModelConfig resolve_config(const std::optional<std::filesystem::path>& file,
                                std::span<const std::string> overrides,
                                std::optional<int64_t> steps, const std::string& env_id,
                                bool has_pixels) {
  const std::filesystem::path path = file ? *file : builtin_config_path(env_id, has_pixels);
  nlohmann::json json = read_config_file(path);
  apply_overrides(json, overrides);
  if (steps) json["train"]["steps"] = *steps;
  WorldModelConfig config = config_from_json(json, "config '" + path.string() + "'");
  if (config.model.input == "auto") config.model.input = has_pixels ? "pixels" : "state";
  return config;
}

namespace {

// Appends lines to metrics.jsonl (after dropping lines past `from_step` on a resume).
class MetricsLog {
 public:
  MetricsLog(const std::filesystem::path& path, int64_t from_step) : path_(path) {
    std::string kept;
    if (from_step > 0 && std::filesystem::exists(path)) {
      std::istringstream lines(data::read_text_file(path));
      for (std::string line; std::getline(lines, line);) {
        const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_discarded() && j.value("step", int64_t{0}) <= from_step) kept += line + "\n";
      }
    }
    data::write_file_atomically(path, kept);
    out_.open(path, std::ios::app);
  }
  void write(const nlohmann::json& line) { out_ << line.dump() << "\n" << std::flush; }

 private:
  std::filesystem::path path_;
  std::ofstream out_;
};

std::string terms_text(const detail::LossResult& loss) {
  char text[64];
  std::string out;
  for (const auto& [name, value] : loss.terms) {
    std::snprintf(text, sizeof(text), "%s %.4g", name.c_str(), value);
    out += (out.empty() ? "" : ", ") + std::string(text);
  }
  return out;
}

}  // namespace

bool cuda_available() { return torch::cuda::is_available(); }

WindowGeometry window_geometry(const WorldModelConfig& c) {
  return {c.model.history, c.loss.horizon, c.model.frameskip};
}

int64_t TrainingData::train_episodes() const {
  return split.train.episodes() + static_cast<int64_t>(streamed.size());
}

TrainingData load_training_data(data::Dataset& dataset, const WorldModelConfig& config) {
  const data::EpisodeLayout& layout = dataset.manifest().layout;
  const int64_t window = window_geometry(config).steps(), every = config.train.heldout_every;
  const bool streaming = config.train.stream_episodes > 0;
  if (every < 2) throw Error("every " + std::to_string(every) + "th episode cannot be held out");
  TrainingData out{{layout.obs_size, layout.action_size, layout.pixel_height, layout.pixel_width},
                   {},
                   {data::WindowSampler(layout, window),
                    data::WindowSampler(layout, eval_window_steps(config.model))},
                   {}};
  ColumnStats obs(layout.obs_size), actions(layout.action_size);
  dataset.for_each([&](const data::Episode& e) {
    if (e.index % every == every - 1) {
      out.split.heldout.add(e);
      return;
    }
    if (e.steps < window) return;  // no window to train on
    obs.add(e.observations);
    actions.add(e.actions);
    if (streaming) {
      out.streamed.push_back(dataset.find(e.index));
    } else {
      out.split.train.add(e);
    }
  });
  if (out.train_episodes() == 0) {
    throw Error("dataset " + data::quoted(dataset.dir()) + " has no training episode of at least " +
                std::to_string(window) + " steps");
  }
  obs.finish(out.normalization.obs_mean, out.normalization.obs_std);
  actions.finish(out.normalization.action_mean, out.normalization.action_std);
  return out;
}

TrainResult train_world_model(const TrainOptions& o) {
  if (o.device != "cpu" && o.device != "cuda") {
    throw Error("--device '" + o.device + "': expected cpu or cuda");
  }
  if (o.device == "cuda" && !cuda_available()) {
    throw Error(
        "--device cuda: this build's LibTorch has no CUDA, or no GPU is visible (build "
        "against a CUDA LibTorch with -DTorch_DIR=...; see the README)");
  }
  const torch::Device device(o.device == "cuda" ? torch::kCUDA : torch::kCPU);
  if (o.threads < 1) throw Error("--threads must be at least 1");
  torch::set_num_threads(o.threads);

  data::Dataset dataset = data::Dataset::open(o.data);
  const data::Manifest& manifest = dataset.manifest();
  const data::EpisodeLayout& layout = manifest.layout;
  const WorldModelConfig config = resolve_config(o.config_file, o.overrides, o.steps,
                                                 manifest.spec.id, layout.pixel_height > 0);
  const std::filesystem::path state_path = o.out / "train_state.safetensors";
  std::error_code ec;
  if (!o.resume && std::filesystem::exists(o.out / "config.json", ec)) {
    throw Error("model directory " + data::quoted(o.out) +
                " already holds a model: give --resume to continue its training, or another --out");
  }
  if (o.resume && !std::filesystem::exists(state_path, ec)) {
    throw Error("--resume: " + data::quoted(o.out) + " holds no train_state.safetensors to resume");
  }

  TrainingData data = load_training_data(dataset, config);
  ModelFile model;
  model.config = config;
  model.spec = manifest.spec;
  model.shape = data.shape;
  model.normalization = data.normalization;
  const data::SplitSamplers& split = data.split;
  const WindowGeometry geometry = window_geometry(config);
  model.dataset = {{"dir", std::filesystem::absolute(o.data).string()},
                   {"content_hash", data::dataset_stats(dataset, true).content_hash},
                   {"episodes", dataset.size()},
                   {"train_episodes", data.train_episodes()},
                   {"streamed_pool_episodes", config.train.stream_episodes},
                   {"heldout_episodes", split.heldout.episodes()},
                   {"heldout_rule", "episode k is held out when k mod " +
                                        std::to_string(config.train.heldout_every) + " = " +
                                        std::to_string(config.train.heldout_every - 1)}};
  model.training = {{"seed", o.seed},
                    {"threads", o.threads},
                    {"device", o.device},
                    {"step", 0},
                    {"versions", data::generator_versions()},
                    {"torch", TORCH_VERSION}};
  const std::string fingerprint = model.fingerprint();

  detail::Learner learner(config, model.shape, device, o.seed);
  TrainResult result;
  if (o.resume) {
    learner.load_state(state_path, fingerprint);
    result.first_step = learner.steps();
  }
  std::filesystem::create_directories(o.out);
  MetricsLog metrics(o.out / "metrics.jsonl", result.first_step);

  const int64_t total = config.train.steps;

  const auto evaluate_now = [&](int64_t step) {
    model.weights = learner.weights();
    model.training["step"] = step;
    const WorldModel current = WorldModel::from_file(model);
    result.eval =
        evaluate_model(current, split.heldout, config.train.eval_windows, eval_seed(o.seed));
    model.metrics = report_to_json(result.eval);
    metrics.write({{"step", step}, {"eval", model.metrics}});
    if (o.progress) {
      std::fprintf(stderr, "\rtrain: step %lld: %s\n", static_cast<long long>(step),
                   report_line(result.eval).c_str());
    }
  };
  const auto checkpoint = [&](int64_t step) {
    model.weights = learner.weights();
    model.training["step"] = step;
    learner.save_state(state_path, fingerprint);
    save_model(o.out, model);
  };

  const uint64_t batch_seed = derive_seed(o.seed, 0xba7c);
  const auto threads = static_cast<int>(config.train.data_threads);
  std::optional<data::EpisodePools> pools;
  if (!data.streamed.empty()) {
    pools.emplace(dataset, data.streamed, config.train.stream_episodes, geometry.steps(),
                  derive_seed(o.seed, 0x9001));
  }
  BatchSource source =
      pools ? BatchSource(*pools, config.train.stream_batches, geometry, model.shape,
                          model.normalization, config.train.batch_size, batch_seed, threads,
                          result.first_step)
            : BatchSource(split.train, geometry, model.shape, model.normalization,
                          config.train.batch_size, batch_seed, threads, result.first_step);
  Progress progress("train", total - result.first_step, "steps");
  double train_seconds = 0;
  int64_t step = result.first_step;
  while (step < total) {
    if (o.stop != nullptr && o.stop->load()) {
      result.interrupted = true;
      break;
    }
    const auto start = Clock::now();
    const detail::LossResult loss = learner.step(source.next());
    ++step;
    train_seconds += std::chrono::duration<double>(Clock::now() - start).count();
    const double rate = (step - result.first_step) * config.train.batch_size / train_seconds;
    if (step % 50 == 0 || step == total) {
      nlohmann::json line = {
          {"step", step}, {"loss", loss.total.item<double>()}, {"samples_per_second", rate}};
      for (const auto& [name, value] : loss.terms) line[name] = value;
      metrics.write(line);
    }
    if (o.progress) {
      progress.update(
          step - result.first_step,
          terms_text(loss) + ", " + std::to_string(static_cast<int64_t>(rate)) + " samples/s");
    }
    const bool last = step == total;
    if (!last && config.train.eval_every > 0 && step % config.train.eval_every == 0) {
      evaluate_now(step);
    }
    if (!last && config.train.checkpoint_every > 0 && step % config.train.checkpoint_every == 0) {
      checkpoint(step);
    }
  }
  progress.finish();
  evaluate_now(step);
  checkpoint(step);
  result.steps = step;
  result.seconds = train_seconds;
  result.samples_per_second =
      train_seconds > 0 ? (step - result.first_step) * config.train.batch_size / train_seconds : 0;
  result.data_wait_seconds = source.seconds_waited();
  result.model = model;
  return result;
}

}  // namespace uw::agents
