#pragma once

#include <cstring>
#include <span>

namespace uw {

// Bit-for-bit equality of two arrays (NaN equals NaN of the same bits; 0.0 differs from -0.0):
// what "exact" means for states, observations and replays.
template <class T>
bool same_bits(std::span<const T> a, std::span<const T> b) {
  // memcmp of no bytes still wants valid pointers, which empty spans need not have
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

inline bool same_bits(std::span<const float> a, std::span<const float> b) {
  return same_bits<float>(a, b);
}

inline bool same_bits(std::span<const double> a, std::span<const double> b) {
  return same_bits<double>(a, b);
}

}  // namespace uw
