#pragma once

#include <memory>
#include <string>
#include <vector>

#include "viewer/live_session.h"
#include "viewer/mode.h"
#include "viewer/panels.h"

namespace uw::viewer {

// `umwelt view --env ID`: a live env on its own thread (LiveSession) with play, pause, single
// step, reset with a seed, speed, actions from sliders, the keyboard or a policy, plots of the
// reward and chosen observation dims, and the pixel observation for pixel envs.
class LiveMode final : public Mode {
 public:
  explicit LiveMode(std::unique_ptr<LiveSession> session);

  std::string title() const override;
  void handle_keys() override;
  void update(SceneView& view, double wall_seconds) override;
  void draw_panels() override;
  nlohmann::json summary() const override;

 private:
  void draw_controls();
  void draw_plots();

  std::unique_ptr<LiveSession> session_;
  LiveSnapshot snapshot_;
  std::vector<float> manual_;  // normalised actions of the sliders and keys
  int seed_ = 0;
  int observation_dim_ = 0;
  int action_dim_ = 0;
  PixelTexture pixels_;
};

}  // namespace uw::viewer
