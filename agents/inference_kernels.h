// The world model's inference path without per-call tensor allocation: the trained modules
// taken apart into dense layers, run with LibTorch's out-variants into buffers that one thread
// keeps between calls. Internal to agents/: include after <torch/torch.h>, from agents/*.cc
// only, like networks.h.
#pragma once

#ifndef TORCH_API
#error "agents/inference_kernels.h is internal to agents/*.cc: include <torch/torch.h> before it"
#endif

#include <array>
#include <cstdint>
#include <deque>
#include <vector>

#include "agents/networks.h"

namespace uw::agents::detail {

// y = x W^T + b, with W^T kept as a view so that no call transposes.
struct DenseLayer {
  torch::Tensor weight_t;  // [in, out]
  torch::Tensor bias;      // [out]
  int64_t out_features() const { return weight_t.size(1); }
};

// A make_mlp network (Linear, GELU, ..., Linear) as its layers.
std::vector<DenseLayer> dense_layers(const torch::nn::Sequential& mlp);

struct PredictorLayers {
  explicit PredictorLayers(const PredictorImpl& predictor);
  DenseLayer in;
  std::vector<std::array<DenseLayer, 2>> blocks;  // fc1, fc2 of each residual block
  DenseLayer out;
};

// Float matrices kept between calls, per slot and shape: a shape asked for before gets the same
// tensor back, so calls repeating their batch sizes (a planner's) allocate only the first time.
// References stay valid for the scratch's life (a deque never moves its elements).
class ScratchMatrices {
 public:
  enum Slot { kInput, kHidden, kBlock, kBlockOut, kOutput, kLatents, kSlots };
  torch::Tensor& get(Slot slot, int64_t rows, int64_t cols);

 private:
  std::array<std::deque<torch::Tensor>, kSlots> tensors_;
};

// out = layer(x); out must be [x rows, layer out] and contiguous.
void dense_into(const DenseLayer& layer, const torch::Tensor& x, torch::Tensor& out);

// Runs an MLP on `input` ([n, in], in the kInput slot), leaving its output in the returned
// matrix (a scratch slot).
torch::Tensor& run_mlp(const std::vector<DenseLayer>& layers, const torch::Tensor& input,
                       ScratchMatrices& scratch);

// The predictor's change to the last latent for inputs [n, H*Z + F*A] (in the kInput slot):
// returns [n, Z] (the kOutput slot); the caller adds the last latent (as PredictorImpl does).
torch::Tensor& predictor_change(const PredictorLayers& layers, const torch::Tensor& input,
                                ScratchMatrices& scratch);

}  // namespace uw::agents::detail
