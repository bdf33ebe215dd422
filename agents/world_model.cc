#include "agents/world_model.h"

#include <torch/torch.h>

#include <optional>

#include "agents/inference_kernels.h"
#include "agents/networks.h"
#include "core/error.h"

namespace uw::agents {

struct WorldModel::Impl {
  ModelFile file;
  detail::Networks networks{nullptr};
  // the MLPs as dense layers, run into scratch buffers (the pixel encoder runs as a module)
  std::vector<detail::DenseLayer> state_encoder, probe, inverse_dynamics;
  std::unique_ptr<detail::PredictorLayers> predictor;

  int64_t chunk_values() const { return file.config.model.frameskip * file.shape.action_size; }
};

struct InferenceScratch::Impl {
  detail::ScratchMatrices matrices;
};

InferenceScratch::InferenceScratch() : impl_(std::make_unique<Impl>()) {}
InferenceScratch::~InferenceScratch() = default;
InferenceScratch::InferenceScratch(InferenceScratch&&) noexcept = default;
InferenceScratch& InferenceScratch::operator=(InferenceScratch&&) noexcept = default;

namespace {

using Slot = detail::ScratchMatrices::Slot;

void check_size(size_t got, int64_t expected, const char* what) {
  if (static_cast<int64_t>(got) != expected) {
    throw Error(std::string("world model: ") + what + " has " + std::to_string(got) +
                " values, expected " + std::to_string(expected));
  }
}

void copy_out(const torch::Tensor& t, std::span<float> out) {
  const torch::Tensor c = t.contiguous();
  UW_CHECK(static_cast<size_t>(c.numel()) == out.size(), "output of another size");
  std::copy_n(c.data_ptr<float>(), c.numel(), out.data());
}

// out[i] = (in[i] - mean[i mod M]) / std[i mod M] over rows of M values, and the inverse.
void normalise(const float* in, int64_t values, const std::vector<float>& mean,
               const std::vector<float>& std_dev, float* out) {
  const auto m = static_cast<int64_t>(mean.size());
  for (int64_t i = 0; i < values; ++i) out[i] = (in[i] - mean[i % m]) / std_dev[i % m];
}
void denormalise(const float* in, int64_t values, const std::vector<float>& mean,
                 const std::vector<float>& std_dev, float* out) {
  const auto m = static_cast<int64_t>(mean.size());
  for (int64_t i = 0; i < values; ++i) out[i] = in[i] * std_dev[i % m] + mean[i % m];
}

}  // namespace

WorldModel::WorldModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WorldModel::WorldModel(WorldModel&&) noexcept = default;
WorldModel& WorldModel::operator=(WorldModel&&) noexcept = default;
WorldModel::~WorldModel() = default;

WorldModel WorldModel::load(const std::filesystem::path& dir, const envs::EnvSpec* spec) {
  ModelFile file = load_model_file(dir);
  if (spec != nullptr) {
    if (const std::string diff = spec_difference(file.spec, *spec); !diff.empty()) {
      throw Error("model '" + dir.string() + "': " + diff);
    }
  }
  return from_file(std::move(file));
}

WorldModel WorldModel::from_file(ModelFile file) {
  auto impl = std::make_unique<Impl>();
  impl->networks = detail::Networks(file.config.model, file.config.loss, file.shape);
  detail::set_weights(*impl->networks, file);
  impl->networks->eval();
  const detail::NetworksImpl& nets = *impl->networks;
  if (nets.encoder->uses_state && !nets.encoder->uses_pixels) {
    impl->state_encoder = detail::dense_layers(nets.encoder->state);
  }
  if (!nets.probe.is_empty()) impl->probe = detail::dense_layers(nets.probe);
  if (!nets.inverse_dynamics.is_empty()) {
    impl->inverse_dynamics = detail::dense_layers(nets.inverse_dynamics);
  }
  impl->predictor = std::make_unique<detail::PredictorLayers>(*nets.predictor);
  impl->file = std::move(file);
  return WorldModel(std::move(impl));
}

const ModelFile& WorldModel::file() const { return impl_->file; }
int64_t WorldModel::latent_dim() const { return impl_->file.config.model.latent_dim; }
int64_t WorldModel::frameskip() const { return impl_->file.config.model.frameskip; }
int64_t WorldModel::history() const { return impl_->file.config.model.history; }
int64_t WorldModel::obs_size() const { return impl_->file.shape.obs_size; }
int64_t WorldModel::action_size() const { return impl_->file.shape.action_size; }
int64_t WorldModel::pixel_size() const {
  return impl_->networks->encoder->uses_pixels
             ? impl_->file.shape.pixel_height * impl_->file.shape.pixel_width * 3
             : 0;
}
bool WorldModel::has_inverse_dynamics() const {
  return !impl_->networks->inverse_dynamics.is_empty();
}

void WorldModel::encode(int64_t n, std::span<const float> obs, std::span<const uint8_t> pixels,
                        std::span<float> z, InferenceScratch* scratch) const {
  c10::InferenceMode guard;
  const detail::EncoderImpl& encoder = *impl_->networks->encoder;
  const DataShape& s = impl_->file.shape;
  const Normalization& norm = impl_->file.normalization;
  check_size(z.size(), n * latent_dim(), "z");
  if (encoder.uses_state) check_size(obs.size(), n * s.obs_size, "observations");
  if (encoder.uses_pixels) check_size(pixels.size(), n * pixel_size(), "pictures");
  std::optional<InferenceScratch> own;
  detail::ScratchMatrices& m = (scratch != nullptr ? *scratch : own.emplace()).impl_->matrices;
  torch::Tensor& state = m.get(Slot::kInput, n, s.obs_size);
  if (encoder.uses_state) {
    normalise(obs.data(), n * s.obs_size, norm.obs_mean, norm.obs_std, state.data_ptr<float>());
  }
  if (!encoder.uses_pixels) {
    copy_out(detail::run_mlp(impl_->state_encoder, state, m), z);
    return;
  }
  const torch::Tensor picture = torch::from_blob(
      const_cast<uint8_t*>(pixels.data()), {n, s.pixel_height, s.pixel_width, 3}, torch::kUInt8);
  copy_out(impl_->networks->encoder->forward(state, picture), z);
}

void WorldModel::predict(int64_t n, std::span<const float> history, std::span<const float> chunks,
                         std::span<float> next, InferenceScratch* scratch) const {
  rollout(n, 1, history, chunks, next, scratch);
}

void WorldModel::rollout(int64_t n, int64_t steps, std::span<const float> history,
                         std::span<const float> chunks, std::span<float> latents,
                         InferenceScratch* scratch) const {
  c10::InferenceMode guard;
  const int64_t Z = latent_dim(), H = this->history(), C = impl_->chunk_values();
  const int64_t S = steps, W = H + steps;  // latents per row: the history, then the imagined
  check_size(history.size(), n * H * Z, "latent history");
  check_size(chunks.size(), n * S * C, "action chunks");
  check_size(latents.size(), n * S * Z, "latents out");
  const Normalization& norm = impl_->file.normalization;
  std::optional<InferenceScratch> own;
  detail::ScratchMatrices& m = (scratch != nullptr ? *scratch : own.emplace()).impl_->matrices;
  float* all = m.get(Slot::kLatents, n, W * Z).data_ptr<float>();
  for (int64_t r = 0; r < n; ++r) std::copy_n(history.data() + r * H * Z, H * Z, all + r * W * Z);
  torch::Tensor& input = m.get(Slot::kInput, n, H * Z + C);
  float* rows = input.data_ptr<float>();
  for (int64_t k = 0; k < S; ++k) {
    for (int64_t r = 0; r < n; ++r) {
      float* row = rows + r * (H * Z + C);
      std::copy_n(all + (r * W + k) * Z, H * Z, row);
      normalise(chunks.data() + (r * S + k) * C, C, norm.action_mean, norm.action_std, row + H * Z);
    }
    const float* change = detail::predictor_change(*impl_->predictor, input, m).data_ptr<float>();
    for (int64_t r = 0; r < n; ++r) {
      float* next = all + (r * W + H + k) * Z;
      const float* last = next - Z;
      for (int64_t j = 0; j < Z; ++j) next[j] = last[j] + change[r * Z + j];
    }
  }
  for (int64_t r = 0; r < n; ++r) {
    std::copy_n(all + (r * W + H) * Z, S * Z, latents.data() + r * S * Z);
  }
}

void WorldModel::decode_state(int64_t n, std::span<const float> z, std::span<float> obs,
                              InferenceScratch* scratch) const {
  if (!has_probe()) throw Error("world model: it has no state probe (trained on pixels only)");
  c10::InferenceMode guard;
  check_size(z.size(), n * latent_dim(), "z");
  check_size(obs.size(), n * obs_size(), "observations out");
  std::optional<InferenceScratch> own;
  detail::ScratchMatrices& m = (scratch != nullptr ? *scratch : own.emplace()).impl_->matrices;
  torch::Tensor& input = m.get(Slot::kInput, n, latent_dim());
  std::copy(z.begin(), z.end(), input.data_ptr<float>());
  const torch::Tensor& out = detail::run_mlp(impl_->probe, input, m);
  const Normalization& norm = impl_->file.normalization;
  denormalise(out.data_ptr<float>(), n * obs_size(), norm.obs_mean, norm.obs_std, obs.data());
}

void WorldModel::infer_actions(int64_t n, std::span<const float> z, std::span<const float> z_next,
                               std::span<float> chunks, InferenceScratch* scratch) const {
  if (!has_inverse_dynamics()) throw Error("world model: it has no inverse-dynamics head");
  c10::InferenceMode guard;
  const int64_t Z = latent_dim(), C = impl_->chunk_values();
  check_size(z.size(), n * Z, "z");
  check_size(z_next.size(), n * Z, "z next");
  check_size(chunks.size(), n * C, "chunks out");
  std::optional<InferenceScratch> own;
  detail::ScratchMatrices& m = (scratch != nullptr ? *scratch : own.emplace()).impl_->matrices;
  torch::Tensor& input = m.get(Slot::kInput, n, 2 * Z);
  float* rows = input.data_ptr<float>();
  for (int64_t r = 0; r < n; ++r) {
    std::copy_n(z.data() + r * Z, Z, rows + r * 2 * Z);
    std::copy_n(z_next.data() + r * Z, Z, rows + r * 2 * Z + Z);
  }
  const torch::Tensor& out = detail::run_mlp(impl_->inverse_dynamics, input, m);
  const Normalization& norm = impl_->file.normalization;
  denormalise(out.data_ptr<float>(), n * C, norm.action_mean, norm.action_std, chunks.data());
}

void WorldModel::goal_cost_gradient(int64_t n, int64_t steps, std::span<const float> history,
                                    std::span<const float> chunks, std::span<const float> goal,
                                    bool sum, std::span<float> costs,
                                    std::span<float> gradient) const {
  const int64_t Z = latent_dim(), H = this->history(), C = impl_->chunk_values();
  check_size(history.size(), n * H * Z, "latent history");
  check_size(chunks.size(), n * steps * C, "action chunks");
  check_size(goal.size(), Z, "goal latent");
  check_size(costs.size(), n, "costs out");
  check_size(gradient.size(), n * steps * C, "gradient out");
  const Normalization& norm = impl_->file.normalization;
  const auto floats = torch::TensorOptions().dtype(torch::kFloat32);
  // the actions as a leaf of their own (from_blob would alias the caller's const memory)
  const torch::Tensor actions =
      torch::from_blob(const_cast<float*>(chunks.data()), {n, steps, C}, floats)
          .clone()
          .requires_grad_(true);
  const torch::Tensor mean =
      torch::from_blob(const_cast<float*>(norm.action_mean.data()),
                       {static_cast<int64_t>(norm.action_mean.size())}, floats)
          .repeat({C / static_cast<int64_t>(norm.action_mean.size())});
  const torch::Tensor std_dev =
      torch::from_blob(const_cast<float*>(norm.action_std.data()),
                       {static_cast<int64_t>(norm.action_std.size())}, floats)
          .repeat({C / static_cast<int64_t>(norm.action_std.size())});
  const torch::Tensor normalised = (actions - mean) / std_dev;
  const torch::Tensor target = torch::from_blob(const_cast<float*>(goal.data()), {1, Z}, floats);
  torch::Tensor latents =
      torch::from_blob(const_cast<float*>(history.data()), {n, H * Z}, floats).clone();
  torch::Tensor cost = torch::zeros({n}, floats);
  detail::PredictorImpl& predictor = *impl_->networks->predictor;
  for (int64_t k = 0; k < steps; ++k) {
    const torch::Tensor next = predictor.forward(latents, normalised.select(1, k));
    if (sum || k == steps - 1) cost = cost + (next - target).pow(2).sum(1);
    latents = torch::cat({latents.slice(1, Z), next}, 1);
  }
  const torch::Tensor grad = torch::autograd::grad({cost.sum()}, {actions})[0];
  copy_out(cost.detach(), costs);
  copy_out(grad, gradient);
}

void set_inference_threads(int threads) { torch::set_num_threads(threads); }

}  // namespace uw::agents
