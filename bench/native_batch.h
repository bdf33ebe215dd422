#pragma once

#include <span>

#include "sim/mujoco_model.h"

struct mjBatch_;

namespace uw::bench {

// MuJoCo's own batched simulator (mjbatch.h, MuJoCo >= 4.0): `sims` persistent simulations of
// one model on `threads` threads, the reference a VectorEnv is measured against.
class NativeBatch {
 public:
  // Whether this build's MuJoCo has the batch (false before 4.0).
  static bool available();

  // Throws uw::Error with MuJoCo's reason when the model cannot be batched, or when the batch is
  // not available.
  NativeBatch(const sim::MujocoModel& model, int sims, int threads);
  ~NativeBatch();
  NativeBatch(const NativeBatch&) = delete;
  NativeBatch& operator=(const NativeBatch&) = delete;

  // Sets every simulation's state: row i of `states` ([sims, mj_stateSize(INTEGRATION)]).
  void set_states(std::span<const double> states);
  // One batch step: simulation i takes control row i of `controls` ([sims, nu]) and advances
  // `substeps` mj_steps. Returns the number of simulations in which MuJoCo raised an error.
  int step(std::span<const float> controls, int substeps);

 private:
  mjBatch_* batch_ = nullptr;
  int sims_ = 0;
  int nu_ = 0;
  int nstate_ = 0;
  double* ctrl_ = nullptr;  // simulation 0's ctrl in the state rows; rows are nstate_ apart
};

}  // namespace uw::bench
