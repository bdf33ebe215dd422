#pragma once

#include <mujoco/mujoco.h>

#include <array>
#include <memory>

#include "core/function_ref.h"
#include "sim/mujoco_model.h"
#include "sim/world.h"

namespace uw::sim {

// A World simulated by MuJoCo: one mjData on a shared mjModel.
//
// Faults: MuJoCo resets mjData itself when qpos, qvel or qacc go bad and reports it as a
// warning; this world also checks the state for non-finite values after each step and catches
// engine errors. Any of these marks health() not ok, and the data is left at the model's
// default state (as MuJoCo's own reset does), so it never holds NaN.
class MujocoWorld final : public World {
 public:
  explicit MujocoWorld(std::shared_ptr<const MujocoModel> model);
  ~MujocoWorld() override;
  MujocoWorld(const MujocoWorld&) = delete;
  MujocoWorld& operator=(const MujocoWorld&) = delete;

  int control_size() const override { return model_->get()->nu; }
  const Bounds& control_bounds() const override { return control_bounds_; }
  void set_control(std::span<const double> u) override;
  void step(int substeps) override;
  const Health& health() const override { return health_; }
  std::string warnings() const override;
  std::vector<double> save_state() const override;
  void restore_state(std::span<const double> state) override;
  // Brings body, camera and tendon positions up to the current state first (mj_step leaves
  // them one substep behind); only derived values change, so the next step is the same.
  DrawView draw() const override;
  const MujocoWorld* as_mujoco() const override { return this; }

  int state_size() const override { return state_size_; }
  void save_state_to(std::span<double> out) const override;
  // Resets to the model's default state, or to keyframe `keyframe` when it is >= 0 (which
  // must exist: see MujocoWorld::check_keyframe). Clears the health.
  void reset(int keyframe = -1);
  // Throws uw::Error unless the model has keyframe `keyframe`.
  void check_keyframe(int keyframe) const;
  // Recomputes positions, contacts and sensors for the current state without changing what
  // the next step does (mj_forward alone would overwrite the solver warm start).
  void forward();
  // Recomputes body, geom and site positions for the current qpos (cheaper than forward()).
  void kinematics();

  const mjModel* model() const { return model_->get(); }
  const std::shared_ptr<const MujocoModel>& shared_model() const { return model_; }
  const mjData* data() const { return data_.get(); }
  // Mutable access for tasks that set up their initial state; call forward() afterwards.
  mjData* data() { return data_.get(); }

 private:
  struct DataDeleter {
    void operator()(mjData* d) const { mj_deleteData(d); }
  };

  // Runs a MuJoCo call; an engine error becomes a fault (and false), never an exception.
  bool call_engine(FunctionRef<void()> call);
  void mark_fault(std::string fault);
  // Marks a fault when MuJoCo has raised a bad-state warning (and reset the data) since the
  // counts were last seen.
  void check_fatal_warnings();
  // The first non-finite value of the state, or an empty string.
  std::string find_non_finite() const;
  void remember_warning_counts();

  std::shared_ptr<const MujocoModel> model_;
  std::unique_ptr<mjData, DataDeleter> data_;
  Bounds control_bounds_;
  Health health_;
  std::array<int, mjNWARNING> seen_warnings_{};
  std::vector<mjtNum> warmstart_scratch_;  // forward() keeps the warm start here
  int state_size_ = 0;                     // of mj_getState's state (sized once: saved per step)
};

}  // namespace uw::sim
