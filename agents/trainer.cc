#include "agents/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "agents/batch_source.h"
#include "agents/jepa_loss.h"
#include "agents/networks.h"
#include "agents/safetensors.h"
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

// AdamW as PyTorch defines it (decoupled weight decay, bias-corrected moments), with its state
// in plain tensors so that a checkpoint holds it by parameter name.
class AdamW {
 public:
  AdamW(std::vector<std::pair<std::string, torch::Tensor>> params, double lr, double decay)
      : params_(std::move(params)), lr_(lr), decay_(decay) {
    for (const auto& [name, p] : params_) {
      m_.push_back(torch::zeros_like(p));
      v_.push_back(torch::zeros_like(p));
    }
  }

  void zero_grad() {
    for (auto& [name, p] : params_) {
      if (p.grad().defined()) p.mutable_grad().zero_();
    }
  }

  void step() {
    torch::NoGradGuard no_grad;
    ++steps_;
    const double bias1 = 1 - std::pow(kBeta1, static_cast<double>(steps_));
    const double bias2 = 1 - std::pow(kBeta2, static_cast<double>(steps_));
    for (size_t i = 0; i < params_.size(); ++i) {
      torch::Tensor& p = params_[i].second;
      if (!p.grad().defined()) continue;
      const torch::Tensor& g = p.grad();
      if (decay_ > 0) p.mul_(1 - lr_ * decay_);
      m_[i].mul_(kBeta1).add_(g, 1 - kBeta1);
      v_[i].mul_(kBeta2).addcmul_(g, g, 1 - kBeta2);
      const torch::Tensor denom = (v_[i].sqrt() / std::sqrt(bias2)).add_(kEps);
      p.addcdiv_(m_[i], denom, -lr_ / bias1);
    }
  }

  int64_t steps() const { return steps_; }
  void set_steps(int64_t steps) { steps_ = steps; }
  const std::vector<std::pair<std::string, torch::Tensor>>& params() const { return params_; }
  std::vector<torch::Tensor>& first_moments() { return m_; }
  std::vector<torch::Tensor>& second_moments() { return v_; }

 private:
  static constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEps = 1e-8;
  std::vector<std::pair<std::string, torch::Tensor>> params_;
  std::vector<torch::Tensor> m_, v_;
  double lr_, decay_;
  int64_t steps_ = 0;
};

std::span<const uint8_t> bytes_of(const torch::Tensor& t) {
  return std::span(static_cast<const uint8_t*>(t.data_ptr()), t.numel() * sizeof(float));
}

// train_state.safetensors: every parameter and both Adam moments, by name, and the step.
void save_train_state(const std::filesystem::path& path, detail::NetworksImpl& nets,
                      AdamW& adam, const std::string& fingerprint, uint64_t seed) {
  std::vector<torch::Tensor> keep;  // contiguous CPU copies, alive while written
  std::vector<TensorBytes> tensors;
  const auto add = [&](const std::string& name, const torch::Tensor& t) {
    keep.push_back(t.detach().to(torch::kCPU).contiguous());
    tensors.push_back({name, DType::kF32, keep.back().sizes().vec(), bytes_of(keep.back())});
  };
  keep.reserve(nets.named_parameters().size() + 2 * adam.params().size());
  for (const auto& item : nets.named_parameters()) add("param/" + item.key(), item.value());
  for (size_t i = 0; i < adam.params().size(); ++i) {
    add("adam_m/" + adam.params()[i].first, adam.first_moments()[i]);
    add("adam_v/" + adam.params()[i].first, adam.second_moments()[i]);
  }
  write_safetensors(path, tensors,
                    {{"fingerprint", fingerprint},
                     {"step", std::to_string(adam.steps())},
                     {"seed", std::to_string(seed)}});
}

// Restores what save_train_state wrote; returns the step. Errors name the file.
int64_t load_train_state(const std::filesystem::path& path, detail::NetworksImpl& nets,
                         AdamW& adam, const std::string& fingerprint, uint64_t seed) {
  const Safetensors state = Safetensors::read(path);
  if (state.metadata().count("fingerprint") == 0 || state.meta("fingerprint") != fingerprint) {
    throw Error("cannot resume from " + state.where() +
                ": it was trained with another architecture, env, dataset normalisation or "
                "dataset than this command gives");
  }
  if (state.meta("seed") != std::to_string(seed)) {
    throw Error("cannot resume from " + state.where() + ": it was trained with --seed " +
                state.meta("seed") + ", not " + std::to_string(seed));
  }
  torch::NoGradGuard no_grad;
  const auto restore = [&](const std::string& name, torch::Tensor t) {
    const std::vector<int64_t> shape = t.sizes().vec();
    const std::vector<float> values = state.floats(name, shape);
    t.copy_(torch::from_blob(const_cast<float*>(values.data()), shape, torch::kFloat32));
  };
  for (const auto& item : nets.named_parameters()) restore("param/" + item.key(), item.value());
  for (size_t i = 0; i < adam.params().size(); ++i) {
    restore("adam_m/" + adam.params()[i].first, adam.first_moments()[i]);
    restore("adam_v/" + adam.params()[i].first, adam.second_moments()[i]);
  }
  int64_t step = 0;
  try {
    step = std::stoll(state.meta("step"));
  } catch (const std::exception&) {
    throw Error("checkpoint " + state.where() + ": step '" + state.meta("step") +
                "' is not a number");
  }
  adam.set_steps(step);
  return step;
}

// Per-dimension mean and standard deviation of rows of `size` values; a constant dimension
// gets a deviation of 1 (it is only shifted).
void column_stats(std::span<const float> rows, int64_t size, std::vector<float>& mean,
                  std::vector<float>& std_dev) {
  const int64_t count = size > 0 ? static_cast<int64_t>(rows.size()) / size : 0;
  std::vector<double> sum(size), squares(size);
  for (int64_t r = 0; r < count; ++r) {
    for (int64_t d = 0; d < size; ++d) {
      const double v = rows[r * size + d];
      sum[d] += v;
      squares[d] += v * v;
    }
  }
  mean.assign(size, 0.0f);
  std_dev.assign(size, 1.0f);
  for (int64_t d = 0; d < size && count > 1; ++d) {
    const double m = sum[d] / count;
    const double var = std::max(0.0, squares[d] / count - m * m);
    mean[d] = static_cast<float>(m);
    std_dev[d] = var > 1e-12 ? static_cast<float>(std::sqrt(var)) : 1.0f;
  }
}

WorldModelConfig resolve_config(const TrainOptions& o, const std::string& env_id,
                                bool has_pixels, nlohmann::json& json) {
  const std::filesystem::path path = o.config_file ? *o.config_file : builtin_config_path(env_id);
  json = read_config_file(path);
  apply_overrides(json, o.overrides);
  if (o.steps) json["train"]["steps"] = *o.steps;
  WorldModelConfig config = config_from_json(json, "config '" + path.string() + "'");
  if (config.model.input == "auto") config.model.input = has_pixels ? "pixels" : "state";
  return config;
}

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

TrainResult train_world_model(const TrainOptions& o) {
  if (o.device != "cpu" && o.device != "cuda") {
    throw Error("--device '" + o.device + "': expected cpu or cuda");
  }
  if (o.device == "cuda" && !cuda_available()) {
    throw Error("--device cuda: this build's LibTorch has no CUDA, or no GPU is visible (build "
                "against a CUDA LibTorch with -DTorch_DIR=...; see the README)");
  }
  const torch::Device device(o.device == "cuda" ? torch::kCUDA : torch::kCPU);
  if (o.threads < 1) throw Error("--threads must be at least 1");
  torch::set_num_threads(o.threads);

  data::Dataset dataset = data::Dataset::open(o.data);
  const data::Manifest& manifest = dataset.manifest();
  const data::EpisodeLayout& layout = manifest.layout;
  nlohmann::json config_json;
  const WorldModelConfig config =
      resolve_config(o, manifest.spec.id, layout.pixel_height > 0, config_json);
  const std::filesystem::path state_path = o.out / "train_state.safetensors";
  std::error_code ec;
  if (!o.resume && std::filesystem::exists(o.out / "config.json", ec)) {
    throw Error("model directory " + data::quoted(o.out) +
                " already holds a model: give --resume to continue its training, or another --out");
  }
  if (o.resume && !std::filesystem::exists(state_path, ec)) {
    throw Error("--resume: " + data::quoted(o.out) + " holds no train_state.safetensors to resume");
  }

  ModelFile model;
  model.config = config;
  model.spec = manifest.spec;
  model.shape = {layout.obs_size, layout.action_size, layout.pixel_height, layout.pixel_width};
  const WindowGeometry geometry{config.model.history, config.loss.horizon, config.model.frameskip};
  data::SplitSamplers split = data::load_split_samplers(
      dataset, geometry.steps(), eval_window_steps(config.model), config.train.heldout_every);
  if (split.train.episodes() == 0) {
    throw Error("dataset " + data::quoted(o.data) + " has no training episode of at least " +
                std::to_string(geometry.steps()) + " steps");
  }
  column_stats(split.train.observations(), layout.obs_size, model.normalization.obs_mean,
               model.normalization.obs_std);
  column_stats(split.train.actions(), layout.action_size, model.normalization.action_mean,
               model.normalization.action_std);
  model.dataset = {{"dir", std::filesystem::absolute(o.data).string()},
                   {"content_hash", data::dataset_stats(dataset, true).content_hash},
                   {"episodes", dataset.size()},
                   {"train_episodes", split.train.episodes()},
                   {"heldout_episodes", split.heldout.episodes()},
                   {"heldout_rule", "episode k is held out when k mod " +
                                        std::to_string(config.train.heldout_every) +
                                        " = " + std::to_string(config.train.heldout_every - 1)}};
  model.training = {{"seed", o.seed},
                    {"threads", o.threads},
                    {"device", o.device},
                    {"step", 0},
                    {"versions", data::generator_versions()},
                    {"torch", TORCH_VERSION}};
  const std::string fingerprint = model.fingerprint();

  torch::manual_seed(o.seed);
  detail::Networks nets(config.model, config.loss, model.shape);
  nets->to(device);
  std::vector<std::pair<std::string, torch::Tensor>> trained;
  for (const auto& item : nets->named_parameters()) {
    if (item.value().requires_grad()) trained.emplace_back(item.key(), item.value());
  }
  AdamW adam(trained, config.train.learning_rate, config.train.weight_decay);
  TrainResult result;
  if (o.resume) {
    result.first_step = load_train_state(state_path, *nets, adam, fingerprint, o.seed);
  }
  std::filesystem::create_directories(o.out);
  MetricsLog metrics(o.out / "metrics.jsonl", result.first_step);

  const int64_t total = config.train.steps;
  const int64_t chunk_values = config.model.frameskip * layout.action_size;
  const uint64_t eval_seed = derive_seed(o.seed, 0xe7a1);
  const auto evaluate_now = [&](int64_t step) {
    model.weights = detail::weights_of(*nets);
    model.training["step"] = step;
    const WorldModel current = WorldModel::from_file(model);
    result.eval = evaluate_model(current, split.heldout, config.train.eval_windows, eval_seed);
    model.metrics = report_to_json(result.eval);
    metrics.write({{"step", step}, {"eval", model.metrics}});
    if (o.progress) {
      std::fprintf(stderr, "\rtrain: step %lld: %s\n", static_cast<long long>(step),
                   report_line(result.eval).c_str());
    }
  };
  const auto checkpoint = [&](int64_t step) {
    model.weights = detail::weights_of(*nets);
    model.training["step"] = step;
    save_train_state(state_path, *nets, adam, fingerprint, o.seed);
    save_model(o.out, model);
  };

  BatchSource source(split.train, geometry, model.shape, model.normalization,
                     config.train.batch_size, derive_seed(o.seed, 0xba7c),
                     static_cast<int>(config.train.data_threads), result.first_step);
  Progress progress("train", total - result.first_step, "steps");
  double train_seconds = 0;
  int64_t step = result.first_step;
  nets->train();
  while (step < total) {
    if (o.stop != nullptr && o.stop->load()) {
      result.interrupted = true;
      break;
    }
    const auto start = Clock::now();
    const TrainingBatch& batch = source.next();
    detail::BatchTensors tensors = detail::batch_tensors(batch, model.shape, chunk_values);
    if (device.is_cuda()) {
      for (torch::Tensor* t : {&tensors.obs, &tensors.pixels, &tensors.chunks, &tensors.rewards,
                               &tensors.terminated}) {
        if (t->defined()) *t = t->to(device);
      }
    }
    // SIGReg's directions: a fresh draw per step, from the step's own seed
    torch::Tensor directions;
    if (config.loss.regularizer == "sigreg") {
      Rng rng(derive_seed(o.seed ^ 0x5164, static_cast<uint64_t>(step)));
      std::vector<float> values(config.model.latent_dim * config.loss.sigreg_projections);
      for (float& v : values) v = static_cast<float>(rng.normal());
      directions = torch::tensor(values).view({config.model.latent_dim,
                                               config.loss.sigreg_projections});
      directions = (directions / directions.norm(2, 0, true)).to(device);
    }
    adam.zero_grad();
    const detail::LossResult loss = detail::jepa_loss(*nets, tensors, config.loss, directions);
    loss.total.backward();
    adam.step();
    detail::ema_update(*nets, config.loss.ema_decay);
    ++step;
    train_seconds += std::chrono::duration<double>(Clock::now() - start).count();
    const double rate = (step - result.first_step) * config.train.batch_size / train_seconds;
    if (step % 50 == 0 || step == total) {
      nlohmann::json line = {{"step", step}, {"loss", loss.total.item<double>()},
                             {"samples_per_second", rate}};
      for (const auto& [name, value] : loss.terms) line[name] = value;
      metrics.write(line);
    }
    if (o.progress) {
      progress.update(step - result.first_step,
                      terms_text(loss) + ", " + std::to_string(static_cast<int64_t>(rate)) +
                          " samples/s");
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
