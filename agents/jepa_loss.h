// The training objective of a JEPA world model. Internal to agents/: include after
// <torch/torch.h>, from agents/*.cc only.
#pragma once

#ifndef TORCH_API
#error "agents/jepa_loss.h is internal to agents/*.cc: include <torch/torch.h> before it"
#endif

#include <string>
#include <utility>
#include <vector>

#include "agents/batch_source.h"
#include "agents/networks.h"

namespace uw::agents::detail {

// A training batch as tensors over its memory (no copy).
struct BatchTensors {
  torch::Tensor obs;         // [B, n, D] float
  torch::Tensor pixels;      // [B, n, H, W, 3] uint8 (undefined without pictures)
  torch::Tensor chunks;      // [B, n-1, F*A]
  torch::Tensor rewards;     // [B, n-1]
  torch::Tensor terminated;  // [B, n-1]
};
BatchTensors batch_tensors(const TrainingBatch& batch, const DataShape& shape,
                           int64_t chunk_values);

struct LossResult {
  torch::Tensor total;
  std::vector<std::pair<std::string, double>> terms;  // each weighted term, for the log
};

// Encodes the window's boundary observations, rolls the predictor out open loop from the
// first `history` latents and one step from each encoded latent (teacher forcing), and scores
// both against the targets (the detached online encoder, or the EMA copy); adds the
// anti-collapse regulariser on the online latents, the optional heads, and the state probe on
// detached latents. `directions` are SIGReg's random unit projections [Z, M].
LossResult jepa_loss(NetworksImpl& networks, const BatchTensors& batch, const LossConfig& loss,
                     const torch::Tensor& directions);

// VICReg's terms on z [N, Z]: the hinge on each dimension's standard deviation (below 1), and
// the squared off-diagonal covariances over Z.
torch::Tensor vicreg_variance(const torch::Tensor& z);
torch::Tensor vicreg_covariance(const torch::Tensor& z);
// SIGReg: the Epps-Pulley statistic of z [N, Z] projected on each direction [Z, M] against a
// standard normal (the weighted squared distance of the empirical characteristic function from
// exp(-t^2/2)), averaged over the directions.
torch::Tensor sigreg(const torch::Tensor& z, const torch::Tensor& directions);

// target <- decay * target + (1 - decay) * encoder, after each optimiser step.
void ema_update(NetworksImpl& networks, double decay);

}  // namespace uw::agents::detail
