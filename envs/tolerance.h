#pragma once

namespace uw::envs {

// The shape of a reward term outside its bounds, as in the DeepMind Control Suite.
enum class Sigmoid { kGaussian, kLinear, kQuadratic };

// 1 inside [lower, upper]; outside, falls off with the distance to the bounds, reaching
// value_at_margin at distance `margin` (margin 0: a step from 1 to 0).
double tolerance(double x, double lower, double upper, double margin,
                 Sigmoid sigmoid = Sigmoid::kGaussian, double value_at_margin = 0.1);

}  // namespace uw::envs
