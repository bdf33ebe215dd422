#pragma once

#include <memory>
#include <string>
#include <vector>

#include "viewer/live_session.h"
#include "viewer/mode.h"
#include "viewer/overlay.h"
#include "viewer/panels.h"

namespace uw::viewer {

// `umwelt view --env ID`: a live env on its own thread (LiveSession) with play, pause, single
// step, reset with a seed, speed, actions from sliders, the keyboard or a policy, plots of the
// reward and chosen observation dims, and the pixel observation for pixel envs; with an overlay,
// a model's imagination of the last steps or an agent's plans.
class LiveMode final : public Mode {
 public:
  explicit LiveMode(std::unique_ptr<LiveSession> session);
  LiveSession& session() { return *session_; }
  // Draws `overlay` over the scene from the last steps of the episode (model and agent modes).
  void set_overlay(std::unique_ptr<Overlay> overlay) { overlay_ = std::move(overlay); }
  // An error for the Errors panel (an overlay that could not be made).
  void add_error(std::string error);

  std::string title() const override;
  void handle_keys() override;
  void update(SceneView& view, double wall_seconds) override;
  void draw_panels() override;
  nlohmann::json summary() const override;

 private:
  void draw_controls();
  void draw_plots();
  // The stretch of the current episode from `overlay_->reach()` steps back to now.
  EpisodeStretch recent_stretch() const;

  std::unique_ptr<LiveSession> session_;
  LiveSnapshot snapshot_;
  std::vector<float> manual_;  // normalised actions of the sliders and keys
  int seed_ = 0;
  int observation_dim_ = 0;
  int action_dim_ = 0;
  PixelTexture pixels_;
  std::unique_ptr<Overlay> overlay_;
  std::vector<std::string> errors_;  // the overlay's (the session's are in the snapshot)
};

}  // namespace uw::viewer
