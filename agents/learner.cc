// LibTorch first: this file's own header uses it without including it, so that LibTorch is
// included from agents/*.cc alone (the formatter would put the own header first)
// clang-format off
#include <torch/torch.h>
#include "agents/learner.h"
// clang-format on

#include "agents/safetensors.h"
#include "core/error.h"
#include "core/random.h"

namespace uw::agents::detail {
namespace {

constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEps = 1e-8;

// The parameters the optimiser moves: all that take gradients (not the EMA target).
std::vector<std::pair<std::string, torch::Tensor>> trained_parameters(NetworksImpl& nets) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& item : nets.named_parameters()) {
    if (item.value().requires_grad()) out.emplace_back(item.key(), item.value());
  }
  return out;
}

Networks make_networks(const WorldModelConfig& config, const DataShape& shape, torch::Device device,
                       uint64_t seed) {
  torch::manual_seed(seed);
  Networks nets(config.model, config.loss, shape);
  nets->to(device);
  if (config.train.probe_only) {
    if (nets->probe.is_empty()) {
      throw Error("train.probe_only: the dataset has no state observations for a probe");
    }
    // the world model stays as initialised: no gradient is even computed for it
    for (const auto& item : nets->named_parameters()) {
      if (item.key().rfind("probe.", 0) != 0) item.value().set_requires_grad(false);
    }
  }
  return nets;
}

}  // namespace

AdamW::AdamW(std::vector<std::pair<std::string, torch::Tensor>> params, double lr, double decay)
    : params_(std::move(params)), lr_(lr), decay_(decay) {
  for (const auto& [name, p] : params_) {
    m_.push_back(torch::zeros_like(p));
    v_.push_back(torch::zeros_like(p));
  }
}

void AdamW::zero_grad() {
  for (auto& [name, p] : params_) {
    if (p.grad().defined()) p.mutable_grad().zero_();
  }
}

void AdamW::step() {
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

Learner::Learner(const WorldModelConfig& config, const DataShape& shape, torch::Device device,
                 uint64_t seed)
    : config_(config),
      shape_(shape),
      device_(device),
      seed_(seed),
      networks_(make_networks(config, shape, device, seed)),
      adam_(trained_parameters(*networks_), config.train.learning_rate, config.train.weight_decay) {
  networks_->train();
}

LossResult Learner::step(const TrainingBatch& batch) {
  BatchTensors tensors = batch_tensors(batch, shape_, config_.model.frameskip * shape_.action_size);
  if (device_.is_cuda()) {
    for (torch::Tensor* t :
         {&tensors.obs, &tensors.pixels, &tensors.chunks, &tensors.rewards, &tensors.terminated}) {
      if (t->defined()) *t = t->to(device_);
    }
  }
  // SIGReg's directions: a fresh draw per step, from the step's own seed
  torch::Tensor directions;
  if (config_.loss.regularizer == "sigreg") {
    Rng rng(derive_seed(seed_ ^ 0x5164, static_cast<uint64_t>(adam_.steps())));
    std::vector<float> values(config_.model.latent_dim * config_.loss.sigreg_projections);
    for (float& v : values) v = static_cast<float>(rng.normal());
    directions =
        torch::tensor(values).view({config_.model.latent_dim, config_.loss.sigreg_projections});
    directions = (directions / directions.norm(2, 0, true)).to(device_);
  }
  adam_.zero_grad();
  LossResult loss = jepa_loss(*networks_, tensors, config_.loss, directions);
  loss.total.backward();
  adam_.set_learning_rate(learning_rate(config_.train, adam_.steps()));
  adam_.step();
  ema_update(*networks_, config_.loss.ema_decay);
  return loss;
}

void Learner::save_state(const std::filesystem::path& path, const std::string& fingerprint) {
  std::vector<torch::Tensor> keep;  // contiguous CPU copies, alive while written
  std::vector<TensorBytes> tensors;
  const auto parameters = networks_->named_parameters();
  keep.reserve(parameters.size() + 2 * adam_.params().size());
  const auto add = [&](const std::string& name, const torch::Tensor& t) {
    keep.push_back(t.detach().to(torch::kCPU).contiguous());
    tensors.push_back({name, DType::kF32, keep.back().sizes().vec(),
                       std::span(static_cast<const uint8_t*>(keep.back().data_ptr()),
                                 keep.back().numel() * sizeof(float))});
  };
  for (const auto& item : parameters) add("param/" + item.key(), item.value());
  for (size_t i = 0; i < adam_.params().size(); ++i) {
    add("adam_m/" + adam_.params()[i].first, adam_.first_moments()[i]);
    add("adam_v/" + adam_.params()[i].first, adam_.second_moments()[i]);
  }
  write_safetensors(path, tensors,
                    {{"fingerprint", fingerprint},
                     {"step", std::to_string(adam_.steps())},
                     {"seed", std::to_string(seed_)}});
}

void Learner::load_state(const std::filesystem::path& path, const std::string& fingerprint) {
  const Safetensors state = Safetensors::read(path);
  if (state.metadata().count("fingerprint") == 0 || state.meta("fingerprint") != fingerprint) {
    throw Error("cannot resume from " + state.where() +
                ": it was trained with another architecture, env or dataset normalisation than "
                "this command gives");
  }
  if (state.meta("seed") != std::to_string(seed_)) {
    throw Error("cannot resume from " + state.where() + ": it was trained with --seed " +
                state.meta("seed") + ", not " + std::to_string(seed_));
  }
  int64_t step = 0;
  try {
    step = std::stoll(state.meta("step"));
  } catch (const std::exception&) {
    throw Error("checkpoint " + state.where() + ": step '" + state.meta("step") +
                "' is not a number");
  }
  torch::NoGradGuard no_grad;
  const auto restore = [&](const std::string& name, torch::Tensor t) {
    const std::vector<int64_t> shape = t.sizes().vec();
    const std::vector<float> values = state.floats(name, shape);
    t.copy_(torch::from_blob(const_cast<float*>(values.data()), shape, torch::kFloat32));
  };
  for (const auto& item : networks_->named_parameters()) {
    restore("param/" + item.key(), item.value());
  }
  for (size_t i = 0; i < adam_.params().size(); ++i) {
    restore("adam_m/" + adam_.params()[i].first, adam_.first_moments()[i]);
    restore("adam_v/" + adam_.params()[i].first, adam_.second_moments()[i]);
  }
  adam_.set_steps(step);
}

}  // namespace uw::agents::detail
