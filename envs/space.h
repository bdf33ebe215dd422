#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace uw {
class Rng;
}

namespace uw::envs {

// An observation or action space, as in Gymnasium: a Box with per-element bounds (-inf/+inf
// for unbounded), or Discrete(n) holding one integer in [0, n) stored as a float. A Box holds
// float32 values, or uint8 ones (images: integers within bounds inside [0, 255]); the bounds
// and the checks work on floats either way.
class Space {
 public:
  enum class Kind { kBox, kDiscrete };
  enum class Dtype { kFloat32, kUint8 };

  // Throws uw::Error on bounds that are not intervals, or for uint8 not integers in [0, 255].
  static Space box(std::vector<int64_t> shape, std::vector<float> low, std::vector<float> high,
                   Dtype dtype = Dtype::kFloat32);
  static Space box(std::vector<int64_t> shape, float low, float high,
                   Dtype dtype = Dtype::kFloat32);
  static Space discrete(int64_t n);
  // An RGB image: uint8 [height, width, 3] in [0, 255].
  static Space image(int64_t height, int64_t width);

  Kind kind() const { return kind_; }
  Dtype dtype() const { return dtype_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  // Number of floats an element of the space takes (1 for Discrete).
  int64_t flat_size() const { return static_cast<int64_t>(low_.size()); }
  const std::vector<float>& low() const { return low_; }
  const std::vector<float>& high() const { return high_; }
  int64_t n() const { return n_; }  // Discrete only

  // An empty string when x belongs to the space, otherwise the first reason it does not.
  std::string violation(std::span<const float> x) const;
  bool contains(std::span<const float> x) const { return violation(x).empty(); }
  // Clips each element into its bounds (Box), or to the nearest valid integer (Discrete, uint8).
  void clip(std::span<float> x) const;
  // Uniform sample (integers for uint8). An unbounded side of a Box dimension is taken as 2 from
  // the other bound, or [-1, 1] when both are unbounded.
  void sample(Rng& rng, std::span<float> out) const;
  std::string describe() const;  // "Box(-1, 1, (6,))", "Box(0, 255, (64, 64, 3), uint8)"

  friend bool operator==(const Space&, const Space&) = default;

 private:
  Kind kind_ = Kind::kBox;
  Dtype dtype_ = Dtype::kFloat32;
  std::vector<int64_t> shape_;
  std::vector<float> low_;
  std::vector<float> high_;
  int64_t n_ = 0;
};

// "float32", "uint8"; parse throws uw::Error on another name.
std::string_view dtype_name(Space::Dtype dtype);

nlohmann::json space_to_json(const Space& space);
// Throws uw::Error naming `where` (e.g. "spec.action_space") and the bad field.
Space space_from_json(const nlohmann::json& json, const std::string& where);

}  // namespace uw::envs
