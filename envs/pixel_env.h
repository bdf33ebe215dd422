#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/options.h"
#include "envs/env.h"

namespace uw::envs {

// Pixel observations, for every env: the registry takes these options for any id and wraps the
// env it makes (see make_pixel_env).
//   pixels=N or pixels=WxH   N x N (or W wide, H high) RGB observations; 0 (default) = off
//   pixels_and_state=1       keep the state observation beside the pixels
//   markers=1                draw the task's markers (the goal), left out by default
//   camera=NAME              the camera to observe from; "" = the task's default view
std::vector<OptionSpec> pixel_options();
bool is_pixel_option(std::string_view name);

// Largest width or height of a pixel observation.
inline constexpr int kMaxPixelSize = 1024;

struct PixelConfig {
  int width = 0;
  int height = 0;
  bool keep_state = false;  // pixels_and_state
  std::string camera;       // "" = the task's default view
  bool markers = false;     // draw the task markers (the goal); a pixel goal is a picture
};

// The config from options holding every pixel option (defaults filled in), or nullopt when
// pixels=0. Throws uw::Error naming the option, the owner ("env 'cheetah-run'") and what was
// expected; camera and pixels_and_state without pixels are errors too.
std::optional<PixelConfig> parse_pixel_config(const Options& options, const std::string& owner);

// The env observing pixels rendered (fast settings) after each reset, step and restore_state:
// TimeStep::pixels and pixels() hold them, spec().pixel_space describes them, and the state
// observation is kept only with keep_state (else the observation space has shape [0]). The spec
// records the pixel options. Everything else goes to the wrapped env, its goal() and world()
// too (without the state, the goal observation is empty and success() needs pixels_and_state=1).
// Throws uw::Error when the camera is not one of the env's.
std::unique_ptr<Env> make_pixel_env(std::unique_ptr<Env> env, const PixelConfig& config);

}  // namespace uw::envs
