#include <catch2/catch.hpp>
#include <cmath>
#include <set>

#include "core/random.h"

using uw::Rng;

TEST_CASE("Rng follows xoshiro256** seeded through SplitMix64") {
  // reference values from an independent Python implementation of both algorithms
  Rng zero(0);
  CHECK(zero.next_u64() == 0x99ec5f36cb75f2b4ULL);
  CHECK(zero.next_u64() == 0xbf6e1f784956452aULL);
  CHECK(zero.next_u64() == 0x1a5f849d4933e6e0ULL);
  Rng answer(42);
  CHECK(answer.next_u64() == 0x15780b2e0c2ec716ULL);
  CHECK(answer.next_u64() == 0x6104d9866d113a7eULL);
  CHECK(uw::derive_seed(7, 3) == 0xe880a903bcff6547ULL);
}

TEST_CASE("derive_seed gives distinct seeds for distinct indices and bases") {
  std::set<uint64_t> seen;
  for (uint64_t base = 0; base < 4; ++base) {
    for (uint64_t k = 0; k < 1000; ++k) seen.insert(uw::derive_seed(base, k));
  }
  CHECK(seen.size() == 4000);
}

TEST_CASE("uniform draws stay in range and average to the middle") {
  Rng rng(1);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    const double x = rng.uniform(-2.0, 3.0);
    REQUIRE(x >= -2.0);
    REQUIRE(x < 3.0);
    sum += x;
  }
  CHECK(sum / 100000 == Approx(0.5).margin(0.02));
}

TEST_CASE("uniform_int covers its range evenly") {
  Rng rng(2);
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 70000; ++i) ++counts[rng.uniform_int(7)];
  for (int c : counts) CHECK(c == Approx(10000).margin(500));
}

TEST_CASE("normal draws have mean 0 and standard deviation 1") {
  Rng rng(3);
  double sum = 0, squares = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double x = rng.normal();
    sum += x;
    squares += x * x;
  }
  CHECK(sum / n == Approx(0).margin(0.01));
  CHECK(std::sqrt(squares / n) == Approx(1).margin(0.01));
}

TEST_CASE("the generator state round trips, including a pending normal") {
  Rng rng(4);
  rng.normal();  // leaves the second Box-Muller value pending
  const auto state = rng.state();
  const double a = rng.normal(), b = rng.uniform();
  Rng other(99);
  other.set_state(state);
  CHECK(other.normal() == a);
  CHECK(other.uniform() == b);
}
