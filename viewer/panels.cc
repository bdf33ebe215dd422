#include "viewer/panels.h"

#include <GL/gl.h>
#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <cstdint>

namespace uw::viewer {

void plot_with_cursor(const char* label, const float* values, int count, int stride, int cursor,
                      float height) {
  const float width = ImGui::CalcItemWidth();
  ImGui::PlotLines(label, values, count, 0, nullptr, FLT_MAX, FLT_MAX, ImVec2(width, height),
                   stride * static_cast<int>(sizeof(float)));
  if (cursor < 0 || count < 2) return;
  const ImVec2 low = ImGui::GetItemRectMin();
  const float pad = ImGui::GetStyle().FramePadding.x;
  const float x = low.x + pad +
                  (width - 2 * pad) * static_cast<float>(std::min(cursor, count - 1)) /
                      static_cast<float>(count - 1);
  ImGui::GetWindowDrawList()->AddLine(ImVec2(x, low.y), ImVec2(x, low.y + height),
                                      IM_COL32(255, 200, 60, 255), 2.0f);
}

PixelTexture::~PixelTexture() {
  if (texture_ != 0) glDeleteTextures(1, &texture_);
}

void PixelTexture::show(std::span<const uint8_t> rgb, int width, int height, float scale) {
  if (rgb.size() != static_cast<size_t>(width) * height * 3 || width <= 0) return;
  if (texture_ == 0) glGenTextures(1, &texture_);
  glBindTexture(GL_TEXTURE_2D, texture_);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGB, width, height, 0, GL_RGB, GL_UNSIGNED_BYTE, rgb.data());
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture_)),
               ImVec2(scale * static_cast<float>(width), scale * static_cast<float>(height)));
}

void show_help() {
  static constexpr const char* kKeys[][2] = {
      {"Space", "play / pause"},
      {"Right / Left", "step forward / back (back: datasets)"},
      {"Backspace", "reset (live) / first step (dataset)"},
      {"= / -", "speed x2 / x0.5"},
      {"Page Up / Down", "previous / next episode (dataset)"},
      {"J L, I K, U O", "manual action dims 0, 1, 2 (live, policy manual)"},
      {"C / F / B / T", "contacts / contact forces / body frames / transparency"},
      {"M / P", "task markers / shadows and reflections"},
      {"S", "screenshot (PNG)"},
      {"F1", "this help"},
      {"left drag", "orbit (shift: horizontal)"},
      {"right drag", "pan (shift: zoom)"},
      {"wheel", "zoom"},
  };
  if (ImGui::BeginTable("keys", 2, ImGuiTableFlags_RowBg)) {
    for (const auto& [key, what] : kKeys) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(key);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(what);
    }
    ImGui::EndTable();
  }
}

void show_lines(const std::vector<std::string>& lines) {
  for (const std::string& line : lines) {
    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(255, 110, 110, 255));
    ImGui::TextWrapped("%s", line.c_str());
    ImGui::PopStyleColor();
  }
}

}  // namespace uw::viewer
