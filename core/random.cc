#include "core/random.h"

#include <bit>
#include <cmath>
#include <numbers>

#include "core/error.h"

namespace uw {
namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

Rng::Rng(uint64_t seed) {
  uint64_t x = seed;
  for (uint64_t& word : s_) word = splitmix64(x);
}

uint64_t Rng::next_u64() {
  const uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = std::rotl(s_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

uint64_t Rng::uniform_int(uint64_t n) {
  UW_CHECK(n > 0, "uniform_int needs a positive bound");
  // rejection sampling removes the modulo bias
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x = next_u64();
  while (x >= limit) x = next_u64();
  return x % n;
}

double Rng::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  double u1 = uniform();
  while (u1 <= 0.0) u1 = uniform();
  const double u2 = uniform();
  const double radius = std::sqrt(-2.0 * std::log(u1));
  const double angle = 2.0 * std::numbers::pi * u2;
  spare_normal_ = radius * std::sin(angle);
  has_spare_normal_ = true;
  return radius * std::cos(angle);
}

std::array<uint64_t, 5> Rng::state() const {
  // the spare normal travels as its bit pattern, with the flag folded into a separate word
  return {s_[0], s_[1], s_[2], s_[3],
          has_spare_normal_ ? std::bit_cast<uint64_t>(spare_normal_) : ~uint64_t{0}};
}

void Rng::set_state(const std::array<uint64_t, 5>& state) {
  for (int i = 0; i < 4; ++i) s_[i] = state[i];
  has_spare_normal_ = state[4] != ~uint64_t{0};
  spare_normal_ = has_spare_normal_ ? std::bit_cast<double>(state[4]) : 0.0;
}

uint64_t derive_seed(uint64_t base, uint64_t index) {
  uint64_t x = base ^ splitmix64(index);
  return splitmix64(x);
}

}  // namespace uw
