#include "sim/mujoco_world.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/error.h"

namespace uw::sim {
namespace {

// Everything that decides the next step: physics, controls, applied forces, mocap poses, user
// data, constraint activations and the solver's warm start, in mj_getState's layout.
constexpr int kStateSpec = mjSTATE_INTEGRATION;

// The name of the state component that holds value `index` of a saved state, with its index
// within that component ("qpos[3]"). mj_getState lays the components out in the order of their
// bits, which differs between MuJoCo versions, so each is looked up by its constant.
std::string state_value_name(const mjModel* m, int index) {
  struct Component {
    int bit;
    const char* name;
  };
  static constexpr Component kComponents[] = {
    {mjSTATE_TIME, "time"},
    {mjSTATE_QPOS, "qpos"},
    {mjSTATE_QVEL, "qvel"},
    {mjSTATE_ACT, "act"},
    {mjSTATE_WARMSTART, "qacc_warmstart"},
    {mjSTATE_CTRL, "ctrl"},
    {mjSTATE_QFRC_APPLIED, "qfrc_applied"},
    {mjSTATE_XFRC_APPLIED, "xfrc_applied"},
    {mjSTATE_EQ_ACTIVE, "eq_active"},
    {mjSTATE_MOCAP_POS, "mocap_pos"},
    {mjSTATE_MOCAP_QUAT, "mocap_quat"},
    {mjSTATE_USERDATA, "userdata"},
    {mjSTATE_PLUGIN, "plugin_state"},
#if mjVERSION_HEADER >= 4000000
    {mjSTATE_HISTORY, "history"},
    {mjSTATE_PLASTIC, "plastic"},
#endif
  };
  for (int b = 0; b < mjNSTATE; ++b) {
    const int bit = 1 << b;
    if (!(kStateSpec & bit)) continue;
    const int size = mj_stateSize(m, bit);
    if (index < size) {
      for (const Component& c : kComponents) {
        if (c.bit == bit) return std::string(c.name) + "[" + std::to_string(index) + "]";
      }
      return "value " + std::to_string(index) + " of state component " + std::to_string(bit);
    }
    index -= size;
  }
  return "value " + std::to_string(index);
}

}  // namespace

MujocoWorld::MujocoWorld(std::shared_ptr<const MujocoModel> model) : model_(std::move(model)) {
  UW_CHECK(model_ != nullptr, "MujocoWorld needs a model");
  install_mujoco_handlers();
  const mjModel* m = model_->get();
  try {
    data_.reset(mj_makeData(m));
  } catch (const Error& e) {
    throw Error("model '" + model_->path().string() + "': " + e.what());
  }
  if (data_ == nullptr) {
    throw Error("MuJoCo could not allocate data for model '" + model_->path().string() + "'");
  }
  warmstart_scratch_.resize(m->nv);
  state_size_ = mj_stateSize(m, kStateSpec);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  control_bounds_.low.assign(m->nu, -kInf);
  control_bounds_.high.assign(m->nu, kInf);
  for (int i = 0; i < m->nu; ++i) {
    if (m->actuator_ctrllimited[i]) {
      control_bounds_.low[i] = m->actuator_ctrlrange[2 * i];
      control_bounds_.high[i] = m->actuator_ctrlrange[2 * i + 1];
    }
  }
  reset();
}

MujocoWorld::~MujocoWorld() = default;

void MujocoWorld::set_control(std::span<const double> u) {
  UW_CHECK(static_cast<int>(u.size()) == control_size(), "control has the wrong size");
  std::copy(u.begin(), u.end(), data_->ctrl);
}

void MujocoWorld::step(int substeps) {
  const mjModel* m = model_->get();
  mjData* d = data_.get();
  for (int i = 0; i < substeps; ++i) {
    if (!call_engine([&] { mj_step(m, d); })) return;
    check_fatal_warnings();
    if (!health_.ok) return;
  }
  if (std::string bad = find_non_finite(); !bad.empty()) mark_fault(std::move(bad));
}

void MujocoWorld::check_fatal_warnings() {
  const mjData* d = data_.get();
  for (int w : {mjWARN_BADQPOS, mjWARN_BADQVEL, mjWARN_BADQACC}) {
    if (d->warning[w].number != seen_warnings_[w] && health_.ok) {
      health_.ok = false;
      health_.fault =
          std::string("MuJoCo reset the simulation: ") + mju_warningText(w, d->warning[w].lastinfo);
    }
  }
  remember_warning_counts();
}

std::string MujocoWorld::warnings() const {
  const mjData* d = data_.get();
  std::string text;
  for (int w = 0; w < mjNWARNING; ++w) {
    if (d->warning[w].number == 0) continue;
    if (!text.empty()) text += "; ";
    text += std::string(mju_warningText(w, d->warning[w].lastinfo)) + " (x" +
            std::to_string(d->warning[w].number) + ")";
  }
  return text;
}

std::string MujocoWorld::find_non_finite() const {
  const mjModel* m = model_->get();
  const mjData* d = data_.get();
  auto scan = [](const char* name, const mjtNum* values, int n) -> std::string {
    for (int i = 0; i < n; ++i) {
      if (!std::isfinite(values[i])) {
        return "non-finite " + std::string(name) + "[" + std::to_string(i) + "] after a step";
      }
    }
    return {};
  };
  std::string bad = scan("qpos", d->qpos, m->nq);
  if (bad.empty()) bad = scan("qvel", d->qvel, m->nv);
  if (bad.empty()) bad = scan("act", d->act, m->na);
  return bad;
}

void MujocoWorld::mark_fault(std::string fault) {
  // Leave the data the way MuJoCo's own auto-reset does: the model's default state.
  mj_resetData(model_->get(), data_.get());
  remember_warning_counts();
  if (health_.ok) {
    health_.ok = false;
    health_.fault = std::move(fault);
  }
}

void MujocoWorld::remember_warning_counts() {
  for (int w = 0; w < mjNWARNING; ++w) seen_warnings_[w] = data_->warning[w].number;
}

void MujocoWorld::check_keyframe(int keyframe) const {
  const int count = model_->get()->nkey;
  if (keyframe < 0 || keyframe >= count) {
    throw Error("model '" + model_->path().string() + "' has " + std::to_string(count) +
                " keyframe(s); keyframe " + std::to_string(keyframe) + " does not exist");
  }
}

void MujocoWorld::reset(int keyframe) {
  if (keyframe >= 0) {
    check_keyframe(keyframe);
    mj_resetDataKeyframe(model_->get(), data_.get(), keyframe);
  } else {
    mj_resetData(model_->get(), data_.get());
  }
  health_ = Health{};
  remember_warning_counts();
}

void MujocoWorld::forward() {
  const mjModel* m = model_->get();
  mjData* d = data_.get();
  // mj_forward copies the new qacc into qacc_warmstart; keep the old one so that the next step
  // is the same as if forward() had not been called
  std::copy(d->qacc_warmstart, d->qacc_warmstart + m->nv, warmstart_scratch_.begin());
  if (!call_engine([&] { mj_forward(m, d); })) return;
  std::copy(warmstart_scratch_.begin(), warmstart_scratch_.end(), d->qacc_warmstart);
}

DrawView MujocoWorld::draw() const {
  const mjModel* m = model_->get();
  mjData* d = data_.get();
  // what the scene is drawn from: poses, the centres of mass tracking cameras follow, camera
  // and light frames, tendon paths
  mj_kinematics(m, d);
  mj_comPos(m, d);
  mj_camlight(m, d);
  mj_tendon(m, d);
  return {m, d};
}

void MujocoWorld::kinematics() {
  call_engine([&] { mj_kinematics(model_->get(), data_.get()); });
}

bool MujocoWorld::call_engine(FunctionRef<void()> call) {
  try {
    call();
    return true;
  } catch (const std::exception& e) {
    mark_fault(e.what());
  } catch (...) {
    // while another thread loads a model, MuJoCo's compiler has swapped in its own error
    // handler, which throws a type of its own
    mark_fault("MuJoCo raised an error (of the model compiler's type)");
  }
  return false;
}

void MujocoWorld::save_state_to(std::span<double> out) const {
  UW_CHECK(static_cast<int>(out.size()) == state_size(), "state buffer has the wrong size");
  mj_getState(model_->get(), data_.get(), out.data(), kStateSpec);
}

std::vector<double> MujocoWorld::save_state() const {
  std::vector<double> state(state_size());
  save_state_to(state);
  return state;
}

void MujocoWorld::restore_state(std::span<const double> state) {
  const mjModel* m = model_->get();
  const int expected = state_size();
  if (static_cast<int>(state.size()) != expected) {
    throw Error("state for model '" + model_->path().string() + "' has " +
                std::to_string(state.size()) + " values, expected " + std::to_string(expected));
  }
  for (int i = 0; i < expected; ++i) {
    if (!std::isfinite(state[i])) {
      throw Error("state for model '" + model_->path().string() + "': " + state_value_name(m, i) +
                  " is not finite");
    }
  }
  mj_setState(m, data_.get(), state.data(), kStateSpec);
  // MuJoCo holds a bad-state warning at count 1 across its auto-resets; clearing the counters
  // makes a fault after this restore visible as a change (they are statistics, not state)
  std::fill(std::begin(data_->warning), std::end(data_->warning), mjWarningStat{});
  health_ = Health{};
  remember_warning_counts();
  forward();
}

}  // namespace uw::sim
