// The LibTorch modules of a JEPA world model. Internal to agents/: only agents/*.cc include it,
// after <torch/torch.h>, so that LibTorch is compiled in those files alone (DESIGN §6).
#pragma once

#ifndef TORCH_API
#error "agents/networks.h is internal to agents/*.cc: include <torch/torch.h> before it"
#endif

#include <cstdint>
#include <string>
#include <vector>

#include "agents/model_file.h"

namespace uw::agents::detail {

// Linear layers with GELU between them: in -> hidden (x layers) -> out.
torch::nn::Sequential make_mlp(int64_t in, int64_t hidden, int64_t layers, int64_t out);

// x + W2 gelu(W1 x): a block of the predictor.
struct ResidualBlockImpl : torch::nn::Module {
  explicit ResidualBlockImpl(int64_t width);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(ResidualBlock);

// Feature maps [N, C, h, w] -> the softmax-weighted mean position of each map [N, 2C] (all x,
// then all y, in [-1, 1]): a spatial soft-argmax.
struct KeypointsImpl : torch::nn::Module {
  KeypointsImpl(int64_t height, int64_t width);
  torch::Tensor forward(const torch::Tensor& maps);
  torch::Tensor grid_x, grid_y;  // [h*w] each
};
TORCH_MODULE(Keypoints);

// E(o) -> z: an MLP over the normalised state observation, a CNN over the picture, or both with
// their outputs fused by a linear map.
struct EncoderImpl : torch::nn::Module {
  EncoderImpl(const ModelConfig& config, const DataShape& shape);
  // obs [N, D] normalised (ignored for pixels only), pixels [N, H, W, 3] uint8 (ignored for
  // state only) -> z [N, Z]
  torch::Tensor forward(const torch::Tensor& obs, const torch::Tensor& pixels);

  bool uses_state = false, uses_pixels = false;
  torch::nn::Sequential state{nullptr};
  torch::nn::Sequential cnn{nullptr};
  torch::nn::Linear fuse{nullptr};
};
TORCH_MODULE(Encoder);

// P(z history, action chunk) -> z': [N, history * Z] (oldest first) and [N, F * A] (normalised)
// -> the last latent plus a learned change.
struct PredictorImpl : torch::nn::Module {
  PredictorImpl(const ModelConfig& config, int64_t action_size);
  torch::Tensor forward(const torch::Tensor& history, const torch::Tensor& chunk);

  int64_t latent_dim = 0;
  torch::nn::Linear in{nullptr}, out{nullptr};
  torch::nn::Sequential blocks{nullptr};
};
TORCH_MODULE(Predictor);

// Every module of a model, registered under the names its weights carry in safetensors
// ("encoder.state.0.weight", ...).
struct NetworksImpl : torch::nn::Module {
  NetworksImpl(const ModelConfig& config, const LossConfig& loss, const DataShape& shape);

  ModelConfig config;
  DataShape shape;
  Encoder encoder{nullptr};
  Encoder target{nullptr};  // the EMA copy of the encoder when loss.target is "ema"
  Predictor predictor{nullptr};
  torch::nn::Sequential probe{nullptr};             // detached z -> normalised obs
  torch::nn::Sequential inverse_dynamics{nullptr};  // [z_t, z_t+1] -> chunk
  torch::nn::Sequential reward{nullptr};            // [z_t, chunk] -> reward of the chunk
  torch::nn::Sequential termination{nullptr};       // z_t+1 -> logit
};
TORCH_MODULE(Networks);

// The parameters as named float tensors (for checkpoints), and back: set_weights checks that
// every parameter is in `file` with its shape (naming the file and tensor otherwise) and that
// the file holds nothing else.
std::vector<NamedTensor> weights_of(NetworksImpl& networks);
void set_weights(NetworksImpl& networks, const ModelFile& file);

}  // namespace uw::agents::detail
