// LibTorch first: this file's own header uses it without including it, so that LibTorch is
// included from agents/*.cc alone (the formatter would put the own header first)
// clang-format off
#include <torch/torch.h>
#include "agents/inference_kernels.h"
// clang-format on

#include "core/error.h"

namespace uw::agents::detail {
namespace {

DenseLayer dense(const torch::nn::LinearImpl& linear) {
  return {linear.weight.detach().t(), linear.bias.detach()};
}

}  // namespace

std::vector<DenseLayer> dense_layers(const torch::nn::Sequential& mlp) {
  std::vector<DenseLayer> layers;
  for (const auto& module : mlp->children()) {
    if (const auto* linear = module->as<torch::nn::Linear>()) {
      layers.push_back(dense(*linear));
    }
  }
  UW_CHECK(!layers.empty(), "an MLP without linear layers");
  return layers;
}

PredictorLayers::PredictorLayers(const PredictorImpl& predictor)
    : in(dense(*predictor.in)), out(dense(*predictor.out)) {
  for (const auto& module : predictor.blocks->children()) {
    const auto* block = module->as<ResidualBlockImpl>();
    UW_CHECK(block != nullptr, "a predictor block that is not a residual block");
    blocks.push_back({dense(*block->fc1), dense(*block->fc2)});
  }
}

torch::Tensor& ScratchMatrices::get(Slot slot, int64_t rows, int64_t cols) {
  std::deque<torch::Tensor>& made = tensors_[slot];
  for (torch::Tensor& t : made) {
    if (t.size(0) == rows && t.size(1) == cols) return t;
  }
  made.push_back(torch::empty({rows, cols}, torch::kFloat32));
  return made.back();
}

void dense_into(const DenseLayer& layer, const torch::Tensor& x, torch::Tensor& out) {
  torch::addmm_out(out, layer.bias, x, layer.weight_t);
}

torch::Tensor& run_mlp(const std::vector<DenseLayer>& layers, const torch::Tensor& input,
                       ScratchMatrices& scratch) {
  const int64_t n = input.size(0);
  const torch::Tensor* x = &input;
  for (size_t i = 0; i < layers.size(); ++i) {
    const bool last = i + 1 == layers.size();
    const auto slot = last ? ScratchMatrices::kOutput
                           : (i % 2 == 0 ? ScratchMatrices::kHidden : ScratchMatrices::kBlock);
    torch::Tensor& y = scratch.get(slot, n, layers[i].out_features());
    dense_into(layers[i], *x, y);
    if (!last) torch::gelu_(y);
    x = &y;
  }
  return scratch.get(ScratchMatrices::kOutput, n, layers.back().out_features());
}

torch::Tensor& predictor_change(const PredictorLayers& layers, const torch::Tensor& input,
                                ScratchMatrices& scratch) {
  const int64_t n = input.size(0), hidden = layers.in.out_features();
  torch::Tensor& h = scratch.get(ScratchMatrices::kHidden, n, hidden);
  dense_into(layers.in, input, h);
  torch::gelu_(h);
  torch::Tensor& t = scratch.get(ScratchMatrices::kBlock, n, hidden);
  torch::Tensor& u = scratch.get(ScratchMatrices::kBlockOut, n, hidden);
  for (const auto& [fc1, fc2] : layers.blocks) {
    dense_into(fc1, h, t);
    torch::gelu_(t);
    dense_into(fc2, t, u);
    h.add_(u);
  }
  torch::gelu_out(t, h);
  torch::Tensor& change = scratch.get(ScratchMatrices::kOutput, n, layers.out.out_features());
  dense_into(layers.out, t, change);
  return change;
}

}  // namespace uw::agents::detail
