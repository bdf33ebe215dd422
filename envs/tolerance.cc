#include "envs/tolerance.h"

#include <cmath>

#include "core/error.h"

namespace uw::envs {

double tolerance(double x, double lower, double upper, double margin, Sigmoid sigmoid,
                 double value_at_margin) {
  UW_CHECK(lower <= upper && margin >= 0, "tolerance needs lower <= upper and margin >= 0");
  if (x >= lower && x <= upper) return 1.0;
  if (margin == 0) return 0.0;
  const double d = (x < lower ? lower - x : x - upper) / margin;
  switch (sigmoid) {
    case Sigmoid::kGaussian: {
      const double scale = std::sqrt(-2.0 * std::log(value_at_margin));
      return std::exp(-0.5 * (d * scale) * (d * scale));
    }
    case Sigmoid::kLinear: {
      const double scaled = d * (1.0 - value_at_margin);
      return std::abs(scaled) < 1.0 ? 1.0 - scaled : 0.0;
    }
    case Sigmoid::kQuadratic: {
      const double scaled = d * std::sqrt(1.0 - value_at_margin);
      return std::abs(scaled) < 1.0 ? 1.0 - scaled * scaled : 0.0;
    }
  }
  return 0.0;
}

}  // namespace uw::envs
