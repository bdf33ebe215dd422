#pragma once

#include <memory>
#include <string>
#include <vector>

#include "viewer/imagination.h"
#include "viewer/overlay.h"

namespace uw::viewer {

// `umwelt view --model M`: from the start of the stretch the mode gives (a dataset's current
// step; the step `horizon` chunks back in a live env), the model imagines `horizon` chunks
// ahead under the actions that were taken. Each chunk's decoded observation is drawn as a
// violet ghost, what really happened after it as an amber one; the prediction error over the
// horizon is plotted.
class ModelOverlay final : public Overlay {
 public:
  ModelOverlay(std::unique_ptr<Imaginer> imaginer, std::string model);

  int64_t reach() const override { return horizon_ * imaginer_->frameskip(); }
  void update(const EpisodeStretch& stretch, SceneView& view) override;
  void draw_panel() override;
  nlohmann::json summary() const override;

 private:
  void imagine(const EpisodeStretch& stretch, int64_t chunks, SceneView& view);

  std::unique_ptr<Imaginer> imaginer_;
  std::string model_;
  int horizon_ = 5;  // chunks
  bool show_imagined_ = true;
  bool show_real_ = true;
  bool dirty_ = true;  // a setting changed
  // what the ghosts show: the stretch's episode and start, and its chunks
  int64_t episode_ = -1, start_ = -1, chunks_ = -1;
  std::vector<float> imagined_;  // [chunks, D]
  std::vector<float> errors_;    // [chunks]
  size_t ghosts_ = 0;
};

}  // namespace uw::viewer
