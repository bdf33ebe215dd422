#include "envs/env.h"

#include <algorithm>

#include "core/error.h"

namespace uw::envs {

std::string_view end_reason_name(EndReason reason) {
  switch (reason) {
    case EndReason::kNone:
      return "none";
    case EndReason::kSuccess:
      return "success";
    case EndReason::kFailure:
      return "failure";
    case EndReason::kTimeLimit:
      return "time_limit";
    case EndReason::kPhysics:
      return "physics";
  }
  return "?";
}

void Env::save_state_to(std::span<double> out) const {
  const std::vector<double> state = save_state();
  if (out.size() != state.size()) {
    throw Error("env " + spec().id + ": a state has " + std::to_string(state.size()) +
                " values, the buffer " + std::to_string(out.size()));
  }
  std::copy(state.begin(), state.end(), out.begin());
}

sim::Image Env::render(std::string_view camera, int width, int height) {
  sim::Image image;
  image.width = width;
  image.height = height;
  if (width > 0 && height > 0 && width <= sim::kMaxImageSize && height <= sim::kMaxImageSize) {
    image.rgb.resize(size_t(width) * height * 3);
  }
  render_into({camera, width, height, sim::RenderQuality::kPretty}, image.rgb);
  return image;
}

}  // namespace uw::envs
