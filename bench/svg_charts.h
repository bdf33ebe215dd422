// Small SVG charts for the HTML report: grouped horizontal bars (with an optional interval
// whisker) and line plots. Each returns one <svg> element with its own size.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace uw::bench {

struct Bar {
  std::string label;
  double value = 0;
  std::optional<std::pair<double, double>> interval;  // drawn as a whisker
  std::string colour;                                 // CSS colour
  std::string text;                                   // shown after the bar
};

struct BarGroup {
  std::string label;
  std::vector<Bar> bars;
};

// Bars scaled to [0, max_value] (the largest value or interval end when max_value is 0).
std::string bar_chart(const std::vector<BarGroup>& groups, double max_value,
                      const std::string& axis_label);

struct Series {
  std::string label;
  std::string colour;
  std::vector<std::pair<double, double>> points;  // (x, y)
};

std::string line_chart(const std::vector<Series>& series, const std::string& x_label,
                       const std::string& y_label);

// The colour of the i-th series or agent (a fixed palette that tells colours apart).
std::string palette(size_t i);

}  // namespace uw::bench
