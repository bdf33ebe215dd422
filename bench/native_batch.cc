#include "bench/native_batch.h"

#include <array>
#include <cstring>

#include "core/error.h"

#if __has_include(<mujoco/mjbatch.h>)
#include <mujoco/mjbatch.h>
#define UMWELT_HAVE_MJBATCH 1
#endif

namespace uw::bench {

#ifdef UMWELT_HAVE_MJBATCH

bool NativeBatch::available() { return true; }

NativeBatch::NativeBatch(const sim::MujocoModel& model, int sims, int threads)
    : sims_(sims), nu_(model.get()->nu) {
  mjBatchConfig config;
  mjb_defaultConfig(&config);
  config.nthread = threads;
  config.persistent = 1;  // one mjData per simulation, as a VectorEnv keeps one per env
  std::array<char, 1024> error{};
  batch_ = mjb_makeBatch(model.get(), sims, &config, error.data(), int(error.size()));
  if (batch_ == nullptr) {
    throw Error("MuJoCo cannot batch model '" + model.path().string() + "': " + error.data());
  }
  nstate_ = mjb_nstate(batch_);
  int size = 0;
  ctrl_ = mjb_stateComponent(batch_, mjSTATE_CTRL, &size);
  UW_CHECK(size == nu_, "the batch's ctrl component has the wrong size");
}

NativeBatch::~NativeBatch() { mjb_deleteBatch(batch_); }

void NativeBatch::set_states(std::span<const double> states) {
  UW_CHECK(states.size() == size_t(sims_) * nstate_, "states have the wrong size");
  std::memcpy(mjb_state(batch_), states.data(), states.size_bytes());
}

int NativeBatch::step(std::span<const float> controls, int substeps) {
  UW_CHECK(controls.size() == size_t(sims_) * nu_, "controls have the wrong size");
  for (int i = 0; i < sims_; ++i) {
    double* ctrl = ctrl_ + size_t(i) * nstate_;
    for (int k = 0; k < nu_; ++k) ctrl[k] = controls[size_t(i) * nu_ + k];
  }
  return mjb_step(batch_, nullptr, sims_, substeps, mjSTAGE_NONE);
}

#else  // MuJoCo before 4.0

bool NativeBatch::available() { return false; }

NativeBatch::NativeBatch(const sim::MujocoModel&, int, int) {
  throw Error("MuJoCo's batch (mjb_step) needs MuJoCo 4.0 or newer; this build has " +
              sim::mujoco_version());
}

NativeBatch::~NativeBatch() = default;
void NativeBatch::set_states(std::span<const double>) {}
int NativeBatch::step(std::span<const float>, int) { return 0; }

#endif

}  // namespace uw::bench
