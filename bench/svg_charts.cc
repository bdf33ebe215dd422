#include "bench/svg_charts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/markup.h"

namespace uw::bench {
namespace {

std::string num(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", x);
  return text;
}

// A round step for about `ticks` axis ticks over [0, span].
double tick_step(double span, int ticks) {
  const double raw = span / ticks;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0}) {
    if (m * power >= raw) return m * power;
  }
  return 10 * power;
}

std::string tick_text(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", x);
  return text;
}

}  // namespace

std::string palette(size_t i) {
  static constexpr const char* kColours[] = {"#4c78a8", "#f58518", "#54a24b", "#e45756",
                                             "#72b7b2", "#b279a2", "#eeca3b", "#9d755d"};
  return kColours[i % std::size(kColours)];
}

std::string bar_chart(const std::vector<BarGroup>& groups, double max_value,
                      const std::string& axis_label) {
  constexpr double kLabel = 170, kPlot = 420, kBar = 16, kGap = 4, kGroupGap = 14, kTop = 10;
  if (max_value <= 0) {
    for (const BarGroup& g : groups) {
      for (const Bar& b : g.bars) {
        max_value = std::max({max_value, b.value, b.interval ? b.interval->second : 0.0});
      }
    }
  }
  if (max_value <= 0) max_value = 1;
  const auto x = [&](double v) { return kLabel + kPlot * std::clamp(v / max_value, 0.0, 1.0); };
  std::ostringstream body;
  double y = kTop;
  for (const BarGroup& g : groups) {
    body << "<text x=\"4\" y=\"" << num(y + 12) << "\" font-weight=\"bold\">"
         << escape_markup(g.label) << "</text>\n";
    y += kBar + kGap;
    for (const Bar& b : g.bars) {
      body << "<text x=\"" << num(kLabel - 6) << "\" y=\"" << num(y + 12)
           << "\" text-anchor=\"end\">" << escape_markup(b.label) << "</text>";
      body << "<rect x=\"" << num(kLabel) << "\" y=\"" << num(y) << "\" width=\""
           << num(x(b.value) - kLabel) << "\" height=\"" << num(kBar) << "\" fill=\"" << b.colour
           << "\"><title>" << escape_markup(b.label + ": " + b.text) << "</title></rect>";
      if (b.interval) {
        const double mid = y + kBar / 2;
        body << "<path d=\"M" << num(x(b.interval->first)) << " " << num(mid) << " H"
             << num(x(b.interval->second)) << " M" << num(x(b.interval->first)) << " "
             << num(mid - 5) << " V" << num(mid + 5) << " M" << num(x(b.interval->second)) << " "
             << num(mid - 5) << " V" << num(mid + 5)
             << "\" stroke=\"#222\" stroke-width=\"1.5\" fill=\"none\"/>";
      }
      const double end = b.interval ? std::max(x(b.value), x(b.interval->second)) : x(b.value);
      body << "<text x=\"" << num(end + 6) << "\" y=\"" << num(y + 12) << "\">"
           << escape_markup(b.text) << "</text>\n";
      y += kBar + kGap;
    }
    y += kGroupGap;
  }
  // the value axis below the bars
  std::ostringstream axis;
  const double step = tick_step(max_value, 5);
  for (double v = 0; v <= max_value * 1.0001; v += step) {
    axis << "<line x1=\"" << num(x(v)) << "\" y1=\"" << num(kTop) << "\" x2=\"" << num(x(v))
         << "\" y2=\"" << num(y) << "\" stroke=\"#ddd\"/><text x=\"" << num(x(v)) << "\" y=\""
         << num(y + 14) << "\" text-anchor=\"middle\">" << tick_text(v) << "</text>";
  }
  axis << "<text x=\"" << num(kLabel + kPlot / 2) << "\" y=\"" << num(y + 32)
       << "\" text-anchor=\"middle\">" << escape_markup(axis_label) << "</text>";
  const double width = kLabel + kPlot + 140, height = y + 42;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(width) << "\" height=\""
      << num(height) << "\" viewBox=\"0 0 " << num(width) << " " << num(height)
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << axis.str() << "\n"
      << body.str() << "</svg>\n";
  return svg.str();
}

std::string line_chart(const std::vector<Series>& series, const std::string& x_label,
                       const std::string& y_label) {
  constexpr double kLeft = 60, kTop = 10, kWidth = 420, kHeight = 180;
  double x_max = 0, y_min = INFINITY, y_max = -INFINITY;
  for (const Series& s : series) {
    for (const auto& [px, py] : s.points) {
      x_max = std::max(x_max, px);
      y_min = std::min(y_min, py);
      y_max = std::max(y_max, py);
    }
  }
  if (!(y_max > y_min)) {
    y_min = std::isfinite(y_min) ? y_min - 1 : 0;
    y_max = y_min + 2;
  }
  if (x_max <= 0) x_max = 1;
  const auto sx = [&](double v) { return kLeft + kWidth * v / x_max; };
  const auto sy = [&](double v) { return kTop + kHeight * (1 - (v - y_min) / (y_max - y_min)); };
  std::ostringstream svg;
  const double width = kLeft + kWidth + 130, height = kTop + kHeight + 40;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(width) << "\" height=\""
      << num(height) << "\" viewBox=\"0 0 " << num(width) << " " << num(height)
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  const double y_step = tick_step(y_max - y_min, 4);
  for (double v = std::ceil(y_min / y_step) * y_step; v <= y_max; v += y_step) {
    svg << "<line x1=\"" << num(kLeft) << "\" y1=\"" << num(sy(v)) << "\" x2=\""
        << num(kLeft + kWidth) << "\" y2=\"" << num(sy(v)) << "\" stroke=\"#ddd\"/><text x=\""
        << num(kLeft - 4) << "\" y=\"" << num(sy(v) + 4) << "\" text-anchor=\"end\">"
        << tick_text(v) << "</text>";
  }
  const double x_step = tick_step(x_max, 5);
  for (double v = 0; v <= x_max * 1.0001; v += x_step) {
    svg << "<text x=\"" << num(sx(v)) << "\" y=\"" << num(kTop + kHeight + 14)
        << "\" text-anchor=\"middle\">" << tick_text(v) << "</text>";
  }
  svg << "<text x=\"" << num(kLeft + kWidth / 2) << "\" y=\"" << num(kTop + kHeight + 32)
      << "\" text-anchor=\"middle\">" << escape_markup(x_label) << "</text>";
  svg << "<text x=\"12\" y=\"" << num(kTop + kHeight / 2) << "\" transform=\"rotate(-90 12 "
      << num(kTop + kHeight / 2) << ")\" text-anchor=\"middle\">" << escape_markup(y_label)
      << "</text>\n";
  for (size_t i = 0; i < series.size(); ++i) {
    const Series& s = series[i];
    svg << "<polyline fill=\"none\" stroke=\"" << s.colour << "\" stroke-width=\"2\" points=\"";
    for (const auto& [px, py] : s.points) svg << num(sx(px)) << "," << num(sy(py)) << " ";
    svg << "\"/><text x=\"" << num(kLeft + kWidth + 8) << "\" y=\"" << num(kTop + 14 + 16 * i)
        << "\" fill=\"" << s.colour << "\">" << escape_markup(s.label) << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace uw::bench
