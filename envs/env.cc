#include "envs/env.h"

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
