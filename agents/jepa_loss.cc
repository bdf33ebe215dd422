// LibTorch first: this file's own header uses it without including it, so that LibTorch is
// included from agents/*.cc alone (the formatter would put the own header first)
// clang-format off
#include <torch/torch.h>
#include "agents/jepa_loss.h"
// clang-format on

namespace uw::agents::detail {
namespace {

torch::Tensor mse(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).pow(2).mean(); }

}  // namespace

BatchTensors batch_tensors(const TrainingBatch& b, const DataShape& shape, int64_t chunk_values) {
  const int64_t B = b.size, n = b.boundaries;
  const auto floats = [](const std::vector<float>& v, std::vector<int64_t> sizes) {
    return torch::from_blob(const_cast<float*>(v.data()), sizes, torch::kFloat32);
  };
  BatchTensors t;
  t.obs = floats(b.obs, {B, n, shape.obs_size});
  if (!b.pixels.empty()) {
    t.pixels = torch::from_blob(const_cast<uint8_t*>(b.pixels.data()),
                                {B, n, shape.pixel_height, shape.pixel_width, 3}, torch::kUInt8);
  }
  t.chunks = floats(b.chunks, {B, n - 1, chunk_values});
  t.rewards = floats(b.rewards, {B, n - 1});
  t.terminated = floats(b.terminated, {B, n - 1});
  return t;
}

torch::Tensor vicreg_variance(const torch::Tensor& z) {
  return torch::relu(1.0 - torch::sqrt(z.var(0) + 1e-4)).mean();
}

torch::Tensor vicreg_covariance(const torch::Tensor& z) {
  const int64_t N = z.size(0), Z = z.size(1);
  const torch::Tensor centred = z - z.mean(0);
  const torch::Tensor cov = centred.t().matmul(centred) / static_cast<double>(N - 1);
  const torch::Tensor off = cov - torch::diag(torch::diag(cov));
  return off.pow(2).sum() / static_cast<double>(Z);
}

torch::Tensor sigreg(const torch::Tensor& z, const torch::Tensor& directions) {
  // the integrand is even in t, so [0, 3] is integrated and doubled
  constexpr int64_t kKnots = 17;
  const torch::Tensor t = torch::linspace(0.0, 3.0, kKnots);
  const torch::Tensor gaussian = torch::exp(-0.5 * t * t);         // the target's and the weight
  const torch::Tensor ht = z.matmul(directions).unsqueeze(2) * t;  // [N, M, knots]
  const torch::Tensor error =
      (torch::cos(ht).mean(0) - gaussian).pow(2) + torch::sin(ht).mean(0).pow(2);  // [M, knots]
  const torch::Tensor statistic =
      2.0 * torch::trapezoid(error * gaussian, t, /*dim=*/1) * static_cast<double>(z.size(0));
  return statistic.mean();
}

LossResult jepa_loss(NetworksImpl& nets, const BatchTensors& batch, const LossConfig& loss,
                     const torch::Tensor& directions) {
  const int64_t B = batch.obs.size(0), n = batch.obs.size(1);
  const int64_t H = nets.config.history, K = n - H, Z = nets.config.latent_dim;
  const int64_t C = batch.chunks.size(2);
  const auto flat = [&](const torch::Tensor& t) {
    if (!t.defined()) return t;
    std::vector<int64_t> sizes = t.sizes().vec();
    sizes.erase(sizes.begin());
    sizes[0] = B * n;
    return t.reshape(sizes);
  };
  const torch::Tensor z =
      nets.encoder->forward(flat(batch.obs), flat(batch.pixels)).view({B, n, Z});
  torch::Tensor target;
  if (!nets.target.is_empty()) {
    torch::NoGradGuard no_grad;
    target = nets.target->forward(flat(batch.obs), flat(batch.pixels)).view({B, n, Z});
  } else {
    target = z.detach();
  }

  LossResult result;
  torch::Tensor total = torch::zeros({});
  const auto add = [&](const char* name, double weight, const torch::Tensor& term) {
    if (weight == 0) return;
    total = total + weight * term;
    result.terms.emplace_back(name, weight * term.item<double>());
  };

  // open loop: imagined latents feed the predictor's history
  std::vector<torch::Tensor> window;
  for (int64_t j = 0; j < H; ++j) window.push_back(z.select(1, j));
  torch::Tensor open_loop = torch::zeros({});
  for (int64_t k = 0; k < K; ++k) {
    const torch::Tensor history =
        torch::cat(std::vector<torch::Tensor>(window.end() - H, window.end()), 1);
    const torch::Tensor next = nets.predictor->forward(history, batch.chunks.select(1, H - 1 + k));
    open_loop = open_loop + mse(next, target.select(1, H + k));
    window.push_back(next);
  }
  add("open_loop", loss.open_loop_weight, open_loop / static_cast<double>(K));

  // teacher forcing: one step from every encoded history, in one batch
  if (loss.teacher_forcing_weight > 0) {
    std::vector<torch::Tensor> parts;
    for (int64_t j = 0; j < H; ++j) parts.push_back(z.slice(1, j, j + K));
    const torch::Tensor history = torch::cat(parts, 2).reshape({B * K, H * Z});
    const torch::Tensor chunks = batch.chunks.slice(1, H - 1, H - 1 + K).reshape({B * K, C});
    const torch::Tensor next = nets.predictor->forward(history, chunks).view({B, K, Z});
    add("teacher_forcing", loss.teacher_forcing_weight, mse(next, target.slice(1, H, n)));
  }

  const torch::Tensor latents = z.reshape({B * n, Z});
  if (loss.regularizer == "vicreg") {
    add("variance", loss.variance_weight, vicreg_variance(latents));
    add("covariance", loss.covariance_weight, vicreg_covariance(latents));
  } else if (loss.regularizer == "sigreg") {
    add("sigreg", loss.sigreg_weight, sigreg(latents, directions));
  }

  const torch::Tensor now = z.slice(1, 0, n - 1), later = z.slice(1, 1, n);
  if (!nets.inverse_dynamics.is_empty()) {
    const torch::Tensor chunks = nets.inverse_dynamics->forward(torch::cat({now, later}, 2));
    add("inverse_dynamics", loss.inverse_dynamics_weight, mse(chunks, batch.chunks));
  }
  if (!nets.reward.is_empty()) {
    const torch::Tensor reward = nets.reward->forward(torch::cat({now, batch.chunks}, 2));
    add("reward", loss.reward_weight, mse(reward.squeeze(2), batch.rewards));
  }
  if (!nets.termination.is_empty()) {
    const torch::Tensor logit = nets.termination->forward(later).squeeze(2);
    add("termination", loss.termination_weight,
        torch::binary_cross_entropy_with_logits(logit, batch.terminated));
  }
  if (!nets.probe.is_empty()) {
    // the probe learns to read the latent, but never shapes it
    add("probe", 1.0, mse(nets.probe->forward(z.detach()), batch.obs));
  }
  result.total = total;
  return result;
}

void ema_update(NetworksImpl& nets, double decay) {
  if (nets.target.is_empty()) return;
  torch::NoGradGuard no_grad;
  const auto from = nets.encoder->parameters();
  const auto to = nets.target->parameters();
  for (size_t i = 0; i < from.size(); ++i) to[i].mul_(decay).add_(from[i], 1.0 - decay);
}

}  // namespace uw::agents::detail
