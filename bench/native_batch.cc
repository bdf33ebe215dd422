#include "bench/native_batch.h"

#include <array>
#include <cstring>

#include "core/error.h"

namespace uw::bench {

NativeBatch::NativeBatch(const sim::MujocoModel& model, int sims, int threads)
    : sims_(sims), nu_(model.get()->nu) {
  mjBatchConfig config;
  mjb_defaultConfig(&config);
  config.nthread = threads;
  config.persistent = 1;  // one mjData per simulation, as a VectorEnv keeps one per env
  std::array<char, 1024> error{};
  batch_.reset(mjb_makeBatch(model.get(), sims, &config, error.data(), int(error.size())));
  if (batch_ == nullptr) {
    throw Error("MuJoCo cannot batch model '" + model.path().string() + "': " + error.data());
  }
  nstate_ = mjb_nstate(batch_.get());
  int size = 0;
  ctrl_ = mjb_stateComponent(batch_.get(), mjSTATE_CTRL, &size);
  UW_CHECK(size == nu_, "the batch's ctrl component has the wrong size");
}

void NativeBatch::set_states(std::span<const double> states) {
  UW_CHECK(states.size() == size_t(sims_) * nstate_, "states have the wrong size");
  std::memcpy(mjb_state(batch_.get()), states.data(), states.size_bytes());
}

int NativeBatch::step(std::span<const float> controls, int substeps) {
  UW_CHECK(controls.size() == size_t(sims_) * nu_, "controls have the wrong size");
  for (int i = 0; i < sims_; ++i) {
    double* ctrl = ctrl_ + size_t(i) * nstate_;
    for (int k = 0; k < nu_; ++k) ctrl[k] = controls[size_t(i) * nu_ + k];
  }
  return mjb_step(batch_.get(), nullptr, sims_, substeps, mjSTAGE_NONE);
}

}  // namespace uw::bench
