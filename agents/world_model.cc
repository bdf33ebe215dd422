#include "agents/world_model.h"

#include <torch/torch.h>

#include "agents/networks.h"
#include "core/error.h"

namespace uw::agents {

struct WorldModel::Impl {
  ModelFile file;
  detail::Networks networks{nullptr};
  std::unique_ptr<detail::NormalizationTensors> norm;

  int64_t chunk_values() const { return file.config.model.frameskip * file.shape.action_size; }
};

namespace {

torch::Tensor view(std::span<const float> values, std::vector<int64_t> shape) {
  return torch::from_blob(const_cast<float*>(values.data()), shape, torch::kFloat32);
}

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
  impl->norm = std::make_unique<detail::NormalizationTensors>(file.normalization);
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
bool WorldModel::has_inverse_dynamics() const { return !impl_->networks->inverse_dynamics.is_empty(); }

void WorldModel::encode(int64_t n, std::span<const float> obs, std::span<const uint8_t> pixels,
                        std::span<float> z) const {
  c10::InferenceMode guard;
  const detail::EncoderImpl& encoder = *impl_->networks->encoder;
  const DataShape& s = impl_->file.shape;
  check_size(z.size(), n * latent_dim(), "z");
  torch::Tensor state, picture;
  if (encoder.uses_state) {
    check_size(obs.size(), n * s.obs_size, "observations");
    state = (view(obs, {n, s.obs_size}) - impl_->norm->obs_mean) / impl_->norm->obs_std;
  }
  if (encoder.uses_pixels) {
    check_size(pixels.size(), n * pixel_size(), "pictures");
    picture = torch::from_blob(const_cast<uint8_t*>(pixels.data()),
                               {n, s.pixel_height, s.pixel_width, 3}, torch::kUInt8);
  }
  copy_out(impl_->networks->encoder->forward(state, picture), z);
}

void WorldModel::predict(int64_t n, std::span<const float> history,
                         std::span<const float> chunks, std::span<float> next) const {
  rollout(n, 1, history, chunks, next);
}

void WorldModel::rollout(int64_t n, int64_t steps, std::span<const float> history,
                         std::span<const float> chunks, std::span<float> latents) const {
  c10::InferenceMode guard;
  const int64_t Z = latent_dim(), H = this->history(), C = impl_->chunk_values();
  const int64_t A = action_size();
  check_size(history.size(), n * H * Z, "latent history");
  check_size(chunks.size(), n * steps * C, "action chunks");
  check_size(latents.size(), n * steps * Z, "latents out");
  const torch::Tensor actions =
      ((view(chunks, {n, steps, C / A, A}) - impl_->norm->action_mean) / impl_->norm->action_std)
          .reshape({n, steps, C});
  torch::Tensor window = view(history, {n, H * Z});
  std::vector<torch::Tensor> imagined;
  for (int64_t k = 0; k < steps; ++k) {
    torch::Tensor next = impl_->networks->predictor->forward(window, actions.select(1, k));
    imagined.push_back(next);
    window = H > 1 ? torch::cat({window.slice(1, Z), next}, 1) : next;
  }
  copy_out(torch::stack(imagined, 1), latents);
}

void WorldModel::decode_state(int64_t n, std::span<const float> z, std::span<float> obs) const {
  if (!has_probe()) throw Error("world model: it has no state probe (trained on pixels only)");
  c10::InferenceMode guard;
  check_size(z.size(), n * latent_dim(), "z");
  check_size(obs.size(), n * obs_size(), "observations out");
  const torch::Tensor normalised = impl_->networks->probe->forward(view(z, {n, latent_dim()}));
  copy_out(normalised * impl_->norm->obs_std + impl_->norm->obs_mean, obs);
}

void WorldModel::infer_actions(int64_t n, std::span<const float> z, std::span<const float> z_next,
                               std::span<float> chunks) const {
  if (!has_inverse_dynamics()) throw Error("world model: it has no inverse-dynamics head");
  c10::InferenceMode guard;
  const int64_t Z = latent_dim(), C = impl_->chunk_values(), A = action_size();
  check_size(z.size(), n * Z, "z");
  check_size(z_next.size(), n * Z, "z next");
  check_size(chunks.size(), n * C, "chunks out");
  const torch::Tensor normalised = impl_->networks->inverse_dynamics->forward(
      torch::cat({view(z, {n, Z}), view(z_next, {n, Z})}, 1));
  copy_out(normalised.reshape({n, C / A, A}) * impl_->norm->action_std + impl_->norm->action_mean,
           chunks);
}

}  // namespace uw::agents
