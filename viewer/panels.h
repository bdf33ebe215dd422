#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace uw::viewer {

// ImGui drawing helpers shared by the viewer's modes.

// A line plot of `count` values, `stride` floats apart, with a vertical cursor at index
// `cursor` (none when negative).
void plot_with_cursor(const char* label, const float* values, int count, int stride, int cursor,
                      float height);

// An RGB picture shown in ImGui through an OpenGL texture, re-uploaded when it changes.
class PixelTexture {
 public:
  PixelTexture() = default;
  ~PixelTexture();
  PixelTexture(const PixelTexture&) = delete;
  PixelTexture& operator=(const PixelTexture&) = delete;

  // Uploads rgb ([height, width, 3]) and draws it `scale` times its size.
  void show(std::span<const uint8_t> rgb, int width, int height, float scale);

 private:
  unsigned texture_ = 0;
};

// The keyboard shortcuts and mouse actions, for the help panel.
void show_help();

// Lines in red, newest last (errors and dataset problems).
void show_lines(const std::vector<std::string>& lines);

}  // namespace uw::viewer
