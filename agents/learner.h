// One optimiser step of a world model, shared by the trainer and the training benchmark.
// Internal to agents/: include after <torch/torch.h>, from agents/*.cc only.
#pragma once

#ifndef TORCH_API
#error "agents/learner.h is internal to agents/*.cc: include <torch/torch.h> before it"
#endif

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "agents/batch_source.h"
#include "agents/jepa_loss.h"
#include "agents/networks.h"

namespace uw::agents::detail {

// AdamW as PyTorch defines it (decoupled weight decay, bias-corrected moments), its state in
// plain tensors so that a checkpoint holds it by parameter name.
class AdamW {
 public:
  AdamW(std::vector<std::pair<std::string, torch::Tensor>> params, double lr, double decay);
  void zero_grad();
  void step();
  void set_learning_rate(double lr) { lr_ = lr; }

  int64_t steps() const { return steps_; }
  void set_steps(int64_t steps) { steps_ = steps; }
  const std::vector<std::pair<std::string, torch::Tensor>>& params() const { return params_; }
  std::vector<torch::Tensor>& first_moments() { return m_; }
  std::vector<torch::Tensor>& second_moments() { return v_; }

 private:
  std::vector<std::pair<std::string, torch::Tensor>> params_;
  std::vector<torch::Tensor> m_, v_;
  double lr_, decay_;
  int64_t steps_ = 0;
};

// A model's networks with their optimiser. Construction draws the initial weights from `seed`.
class Learner {
 public:
  Learner(const WorldModelConfig& config, const DataShape& shape, torch::Device device,
          uint64_t seed);

  // One optimiser step on `batch` (SIGReg's directions drawn from (seed, step)); returns the
  // loss and its terms.
  LossResult step(const TrainingBatch& batch);
  int64_t steps() const { return adam_.steps(); }

  NetworksImpl& networks() { return *networks_; }
  std::vector<NamedTensor> weights() { return weights_of(*networks_); }

  // train_state.safetensors: every parameter and both Adam moments by name, the step, the
  // fingerprint of the model and the seed; load refuses another fingerprint or seed, naming the
  // file.
  void save_state(const std::filesystem::path& path, const std::string& fingerprint);
  void load_state(const std::filesystem::path& path, const std::string& fingerprint);

 private:
  WorldModelConfig config_;
  DataShape shape_;
  torch::Device device_;
  uint64_t seed_;
  Networks networks_{nullptr};
  AdamW adam_;
};

}  // namespace uw::agents::detail
