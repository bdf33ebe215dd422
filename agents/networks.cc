// LibTorch first: this file's own header uses it without including it, so that LibTorch is
// included from agents/*.cc alone (the formatter would put the own header first)
// clang-format off
#include <torch/torch.h>
#include "agents/networks.h"
// clang-format on

#include "core/error.h"

namespace uw::agents::detail {

torch::nn::Sequential make_mlp(int64_t in, int64_t hidden, int64_t layers, int64_t out) {
  torch::nn::Sequential mlp;
  int64_t width = in;
  for (int64_t i = 0; i < layers; ++i) {
    mlp->push_back(torch::nn::Linear(width, hidden));
    mlp->push_back(torch::nn::GELU());
    width = hidden;
  }
  mlp->push_back(torch::nn::Linear(width, out));
  return mlp;
}

ResidualBlockImpl::ResidualBlockImpl(int64_t width)
    : fc1(register_module("fc1", torch::nn::Linear(width, width))),
      fc2(register_module("fc2", torch::nn::Linear(width, width))) {}

torch::Tensor ResidualBlockImpl::forward(const torch::Tensor& x) {
  return x + fc2(torch::gelu(fc1(x)));
}

KeypointsImpl::KeypointsImpl(int64_t height, int64_t width) {
  // pixel centres in [-1, 1], x across and y down
  const torch::Tensor ys = torch::linspace(-1.0 + 1.0 / height, 1.0 - 1.0 / height, height);
  const torch::Tensor xs = torch::linspace(-1.0 + 1.0 / width, 1.0 - 1.0 / width, width);
  grid_x = register_buffer("grid_x", xs.repeat({height}));
  grid_y = register_buffer("grid_y", ys.repeat_interleave(width));
}

torch::Tensor KeypointsImpl::forward(const torch::Tensor& maps) {
  const torch::Tensor weights = torch::softmax(maps.flatten(2), 2);              // [N, C, h*w]
  return torch::cat({(weights * grid_x).sum(2), (weights * grid_y).sum(2)}, 1);  // [N, 2C]
}

namespace {

// Stride-2 4x4 convolutions with padding 1 halve each side (rounding down).
torch::nn::Sequential make_cnn(const ModelConfig& config, const DataShape& shape) {
  torch::nn::Sequential cnn;
  const bool keypoints = config.cnn_head == "keypoints";
  int64_t channels = 3, height = shape.pixel_height, width = shape.pixel_width;
  for (size_t i = 0; i < config.cnn_channels.size(); ++i) {
    const int64_t out = config.cnn_channels[i];
    if (height < 2 || width < 2) {
      throw Error("model.cnn_channels: " + std::to_string(config.cnn_channels.size()) +
                  " stride-2 layers are too many for " + std::to_string(shape.pixel_width) + "x" +
                  std::to_string(shape.pixel_height) + " pictures");
    }
    cnn->push_back(
        torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, out, 4).stride(2).padding(1)));
    // the keypoints' softmax reads the last maps as they are
    if (!keypoints || i + 1 < config.cnn_channels.size()) cnn->push_back(torch::nn::GELU());
    channels = out;
    height /= 2;
    width /= 2;
  }
  if (keypoints) {
    cnn->push_back(Keypoints(height, width));
    cnn->push_back(torch::nn::Linear(2 * channels, config.latent_dim));
  } else {
    cnn->push_back(torch::nn::Flatten());
    cnn->push_back(torch::nn::Linear(channels * height * width, config.latent_dim));
  }
  return cnn;
}

}  // namespace

EncoderImpl::EncoderImpl(const ModelConfig& config, const DataShape& shape) {
  uses_state = config.input == "state" || config.input == "both";
  uses_pixels = config.input == "pixels" || config.input == "both";
  if (uses_state && shape.obs_size == 0) {
    throw Error("model.input '" + config.input +
                "' needs state observations, but the dataset observes pixels only "
                "(set model.input=pixels, or record with pixels_and_state=1)");
  }
  if (uses_pixels && shape.pixel_height == 0) {
    throw Error("model.input '" + config.input +
                "' needs pictures, but the dataset has none "
                "(record with --option pixels=64)");
  }
  const int64_t z = config.latent_dim;
  if (uses_state) {
    state = register_module(
        "state", make_mlp(shape.obs_size, config.encoder_hidden, config.encoder_layers, z));
  }
  if (uses_pixels) cnn = register_module("cnn", make_cnn(config, shape));
  if (uses_state && uses_pixels) fuse = register_module("fuse", torch::nn::Linear(2 * z, z));
}

torch::Tensor EncoderImpl::forward(const torch::Tensor& obs, const torch::Tensor& pixels) {
  torch::Tensor from_pixels;
  if (uses_pixels) {
    // [N, H, W, 3] bytes -> [N, 3, H, W] in [-0.5, 0.5]
    from_pixels = cnn->forward(pixels.permute({0, 3, 1, 2}).to(torch::kFloat32) / 255.0 - 0.5);
  }
  if (!uses_state) return from_pixels;
  torch::Tensor from_state = state->forward(obs);
  if (!uses_pixels) return from_state;
  return fuse(torch::cat({from_state, from_pixels}, 1));
}

PredictorImpl::PredictorImpl(const ModelConfig& config, int64_t action_size)
    : latent_dim(config.latent_dim) {
  const int64_t inputs = config.history * config.latent_dim + config.frameskip * action_size;
  in = register_module("in", torch::nn::Linear(inputs, config.predictor_hidden));
  blocks = register_module("blocks", torch::nn::Sequential());
  for (int64_t i = 0; i < config.predictor_blocks; ++i) {
    blocks->push_back(ResidualBlock(config.predictor_hidden));
  }
  out = register_module("out", torch::nn::Linear(config.predictor_hidden, config.latent_dim));
  // start as the identity: a model that first predicts "no change" trains stably
  torch::NoGradGuard no_grad;
  out->weight.mul_(0.1);
  out->bias.zero_();
}

torch::Tensor PredictorImpl::forward(const torch::Tensor& history, const torch::Tensor& chunk) {
  torch::Tensor h = torch::gelu(in(torch::cat({history, chunk}, 1)));
  if (!blocks->is_empty()) h = blocks->forward(h);
  return history.slice(1, history.size(1) - latent_dim) + out(torch::gelu(h));
}

NetworksImpl::NetworksImpl(const ModelConfig& c, const LossConfig& loss, const DataShape& s)
    : config(c), shape(s) {
  const int64_t z = c.latent_dim, chunk = c.frameskip * s.action_size;
  encoder = register_module("encoder", Encoder(c, s));
  if (loss.target == "ema") {
    target = register_module("target", Encoder(c, s));
    torch::NoGradGuard no_grad;
    const auto from = encoder->parameters();
    const auto to = target->parameters();
    for (size_t i = 0; i < from.size(); ++i) {
      to[i].copy_(from[i]);
      to[i].set_requires_grad(false);
    }
  }
  predictor = register_module("predictor", Predictor(c, s.action_size));
  if (s.obs_size > 0) {
    probe = register_module("probe", make_mlp(z, c.probe_hidden, 1, s.obs_size));
  }
  if (c.inverse_dynamics) {
    inverse_dynamics =
        register_module("inverse_dynamics", make_mlp(2 * z, c.predictor_hidden, 1, chunk));
  }
  if (c.reward_head) {
    reward = register_module("reward", make_mlp(z + chunk, c.predictor_hidden, 1, 1));
  }
  if (c.termination_head) {
    termination = register_module("termination", make_mlp(z, c.predictor_hidden, 1, 1));
  }
}

std::vector<NamedTensor> weights_of(NetworksImpl& networks) {
  std::vector<NamedTensor> out;
  for (const auto& item : networks.named_parameters(/*recurse=*/true)) {
    const torch::Tensor t = item.value().detach().to(torch::kCPU).contiguous();
    NamedTensor named;
    named.name = item.key();
    named.shape = t.sizes().vec();
    named.values.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    out.push_back(std::move(named));
  }
  return out;
}

void set_weights(NetworksImpl& networks, const ModelFile& file) {
  torch::NoGradGuard no_grad;
  const auto parameters = networks.named_parameters(/*recurse=*/true);
  for (const auto& item : parameters) {
    torch::Tensor p = item.value();
    const std::vector<int64_t> shape = p.sizes().vec();
    const NamedTensor& t = file.tensor(item.key(), shape);
    p.copy_(torch::from_blob(const_cast<float*>(t.values.data()), shape, torch::kFloat32));
  }
  for (const NamedTensor& t : file.weights) {
    if (parameters.find(t.name) == nullptr) {
      throw Error("checkpoint " + (file.dir / "weights.safetensors").string() + " holds tensor '" +
                  t.name + "', which the architecture in config.json does not have");
    }
  }
}

}  // namespace uw::agents::detail
