#pragma once

#include <mujoco/mjbatch.h>

#include <memory>
#include <span>
#include <vector>

#include "sim/mujoco_model.h"

namespace uw::bench {

// MuJoCo's own batched simulator (mjbatch.h): `sims` persistent simulations of one model on
// `threads` threads, the reference a VectorEnv is measured against.
class NativeBatch {
 public:
  // Throws uw::Error with MuJoCo's reason when the model cannot be batched.
  NativeBatch(const sim::MujocoModel& model, int sims, int threads);

  // Sets every simulation's state: row i of `states` ([sims, mj_stateSize(INTEGRATION)]).
  void set_states(std::span<const double> states);
  // One batch step: simulation i takes control row i of `controls` ([sims, nu]) and advances
  // `substeps` mj_steps. Returns the number of simulations in which MuJoCo raised an error.
  int step(std::span<const float> controls, int substeps);

  int sims() const { return sims_; }

 private:
  struct Deleter {
    void operator()(mjBatch* batch) const { mjb_deleteBatch(batch); }
  };
  std::unique_ptr<mjBatch, Deleter> batch_;
  int sims_ = 0;
  int nu_ = 0;
  int nstate_ = 0;
  double* ctrl_ = nullptr;  // simulation 0's ctrl in the state rows; rows are nstate_ apart
};

}  // namespace uw::bench
