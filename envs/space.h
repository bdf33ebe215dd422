#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <vector>

namespace uw {
class Rng;
}

namespace uw::envs {

// An observation or action space, as in Gymnasium: a float32 Box with per-element bounds
// (-inf/+inf for unbounded), or Discrete(n) holding one integer in [0, n) stored as a float.
class Space {
 public:
  enum class Kind { kBox, kDiscrete };

  static Space box(std::vector<int64_t> shape, std::vector<float> low, std::vector<float> high);
  static Space box(std::vector<int64_t> shape, float low, float high);
  static Space discrete(int64_t n);

  Kind kind() const { return kind_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  // Number of floats an element of the space takes (1 for Discrete).
  int64_t flat_size() const { return static_cast<int64_t>(low_.size()); }
  const std::vector<float>& low() const { return low_; }
  const std::vector<float>& high() const { return high_; }
  int64_t n() const { return n_; }  // Discrete only

  // An empty string when x belongs to the space, otherwise the first reason it does not.
  std::string violation(std::span<const float> x) const;
  bool contains(std::span<const float> x) const { return violation(x).empty(); }
  // Clips each element into its bounds (Box), or to the nearest valid integer (Discrete).
  void clip(std::span<float> x) const;
  // Uniform sample. An unbounded side of a Box dimension is taken as 2 from the other bound,
  // or [-1, 1] when both are unbounded.
  void sample(Rng& rng, std::span<float> out) const;
  std::string describe() const;  // "Box(-1, 1, (6,))"

  friend bool operator==(const Space&, const Space&) = default;

 private:
  Kind kind_ = Kind::kBox;
  std::vector<int64_t> shape_;
  std::vector<float> low_;
  std::vector<float> high_;
  int64_t n_ = 0;
};

nlohmann::json space_to_json(const Space& space);
// Throws uw::Error naming `where` (e.g. "spec.action_space") and the bad field.
Space space_from_json(const nlohmann::json& json, const std::string& where);

}  // namespace uw::envs
