#pragma once

#include <memory>
#include <string>
#include <vector>

#include "viewer/dataset_session.h"
#include "viewer/mode.h"
#include "viewer/overlay.h"
#include "viewer/panels.h"

namespace uw::viewer {

// `umwelt view --dataset DIR`: an episode browser (return, length, success, end reason, sortable;
// damaged episodes marked), a timeline scrubber with play / pause / step / speed, plots of
// observation dims, actions and reward with a cursor at the current step, the stored pixels
// beside the scene; with an overlay, what a model imagines from the current step.
class DatasetMode final : public Mode {
 public:
  // Selects the episode at `position` at step `step`, playing it from there when `play`.
  // Throws uw::Error on a position outside the dataset.
  DatasetMode(std::unique_ptr<DatasetSession> session, int64_t position, int64_t step, bool play);
  const DatasetSession& session() const { return *session_; }
  // Draws `overlay` over the scene from the current step on (model mode).
  void set_overlay(std::unique_ptr<Overlay> overlay) { overlay_ = std::move(overlay); }
  // An error for the Problems panel (an overlay that could not be made).
  void add_error(std::string error);

  std::string title() const override;
  void handle_keys() override;
  void update(SceneView& view, double wall_seconds) override;
  void draw_panels() override;
  bool settled() const override;
  nlohmann::json summary() const override;

 private:
  void select(int64_t position);
  void draw_browser();
  void draw_timeline();
  void draw_plots();
  int64_t steps() const;
  // The stretch of the selected episode from step t on, as far as the overlay reaches.
  EpisodeStretch stretch_from(int64_t t) const;

  std::unique_ptr<DatasetSession> session_;
  std::vector<EpisodeRow> rows_;  // refreshed each frame, sorted as the table says
  double cursor_ = 0;             // the current step, fractional while playing
  bool playing_ = false;
  float speed_ = 1.0f;
  int observation_dim_ = 0;
  int action_dim_ = 0;
  std::vector<std::string> errors_;
  PixelTexture pixels_;
  std::unique_ptr<Overlay> overlay_;
};

}  // namespace uw::viewer
