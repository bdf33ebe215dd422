#pragma once

#include <array>
#include <cstdint>

namespace uw {

// A small, fast generator whose output is fully specified (xoshiro256** seeded through
// SplitMix64), so a seed gives the same numbers on every platform and standard library.
// std::*_distribution is implementation-defined, hence these own distributions.
class Rng {
 public:
  explicit Rng(uint64_t seed = 0);

  uint64_t next_u64();
  // Uniform in [0, 1) with 53 random bits.
  double uniform();
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  // Uniform integer in [0, n); n must be positive.
  uint64_t uniform_int(uint64_t n);
  // Standard normal (Box-Muller, both values used).
  double normal();

  // The full generator state, for exact save and restore.
  std::array<uint64_t, 5> state() const;
  void set_state(const std::array<uint64_t, 5>& state);

 private:
  std::array<uint64_t, 4> s_{};
  double spare_normal_ = 0.0;
  bool has_spare_normal_ = false;
};

// A well-mixed seed for item `index` of a stream with base seed `base` (episode k of a
// dataset, a policy's own stream): a pure function of its arguments.
uint64_t derive_seed(uint64_t base, uint64_t index);

}  // namespace uw
