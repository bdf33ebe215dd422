#include "envs/space.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "core/random.h"

namespace uw::envs {
namespace {

// Largest number of elements a space may have (a 4096 x 4096 RGB image is 5e7).
constexpr int64_t kMaxElements = int64_t{1} << 31;

// The number of elements of a shape; throws uw::Error on a negative dimension or a shape too
// large to hold.
int64_t product(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw Error("a shape dimension is negative: " + std::to_string(d));
    if (d > 0 && n > kMaxElements / d) {
      throw Error("a shape holds more than 2^31 elements");
    }
    n *= d;
  }
  return n;
}

bool is_byte(float x) { return x >= 0 && x <= 255 && x == std::floor(x); }

std::string number_text(float x) {
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  std::ostringstream out;
  out << x;
  return out.str();
}

// JSON has no infinity: bounds are numbers, or the strings "inf" / "-inf". A bound array whose
// elements are all equal is written as that one value.
nlohmann::json bound_to_json(const std::vector<float>& values) {
  auto one = [](float x) -> nlohmann::json {
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    return x;
  };
  const bool uniform = !values.empty() && std::all_of(values.begin(), values.end(),
                                                      [&](float x) { return x == values.front(); });
  if (uniform) return one(values.front());
  nlohmann::json array = nlohmann::json::array();
  for (float x : values) array.push_back(one(x));
  return array;
}

float bound_value_from_json(const nlohmann::json& j, const std::string& where) {
  if (j.is_number()) return j.get<float>();
  if (j.is_string()) {
    if (j == "inf") return std::numeric_limits<float>::infinity();
    if (j == "-inf") return -std::numeric_limits<float>::infinity();
  }
  throw Error(where + ": expected a number, \"inf\" or \"-inf\", got " + j.dump());
}

std::vector<float> bound_from_json(const nlohmann::json& j, int64_t size,
                                   const std::string& where) {
  if (!j.is_array()) return std::vector<float>(size, bound_value_from_json(j, where));
  if (static_cast<int64_t>(j.size()) != size) {
    throw Error(where + ": expected " + std::to_string(size) + " values, got " +
                std::to_string(j.size()));
  }
  std::vector<float> values;
  for (size_t i = 0; i < j.size(); ++i) {
    values.push_back(bound_value_from_json(j[i], where + "[" + std::to_string(i) + "]"));
  }
  return values;
}

}  // namespace

Space Space::box(std::vector<int64_t> shape, std::vector<float> low, std::vector<float> high,
                 Dtype dtype) {
  const int64_t size = product(shape);
  if (static_cast<int64_t>(low.size()) != size || static_cast<int64_t>(high.size()) != size) {
    throw Error("Box bounds have " + std::to_string(low.size()) + " and " +
                std::to_string(high.size()) + " values, expected " + std::to_string(size));
  }
  for (int64_t i = 0; i < size; ++i) {
    if (std::isnan(low[i]) || std::isnan(high[i]) || low[i] > high[i]) {
      throw Error("Box bound " + std::to_string(i) + " is not an interval: [" +
                  number_text(low[i]) + ", " + number_text(high[i]) + "]");
    }
    if (dtype == Dtype::kUint8 && !(is_byte(low[i]) && is_byte(high[i]))) {
      throw Error("uint8 Box bound " + std::to_string(i) + " is not an integer in [0, 255]: [" +
                  number_text(low[i]) + ", " + number_text(high[i]) + "]");
    }
  }
  Space space;
  space.kind_ = Kind::kBox;
  space.dtype_ = dtype;
  space.shape_ = std::move(shape);
  space.low_ = std::move(low);
  space.high_ = std::move(high);
  return space;
}

Space Space::box(std::vector<int64_t> shape, float low, float high, Dtype dtype) {
  const int64_t size = product(shape);
  return box(std::move(shape), std::vector<float>(size, low), std::vector<float>(size, high),
             dtype);
}

Space Space::image(int64_t height, int64_t width) {
  return box({height, width, 3}, 0.0f, 255.0f, Dtype::kUint8);
}

Space Space::discrete(int64_t n) {
  if (n < 1) throw Error("Discrete space needs n >= 1, got " + std::to_string(n));
  Space space;
  space.kind_ = Kind::kDiscrete;
  space.n_ = n;
  space.low_ = {0.0f};
  space.high_ = {static_cast<float>(n - 1)};
  return space;
}

std::string Space::violation(std::span<const float> x) const {
  if (static_cast<int64_t>(x.size()) != flat_size()) {
    return "has " + std::to_string(x.size()) + " values, expected " + std::to_string(flat_size());
  }
  for (size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i])) return "value " + std::to_string(i) + " is NaN";
    if (x[i] < low_[i] || x[i] > high_[i]) {
      return "value " + std::to_string(i) + " = " + number_text(x[i]) + " is outside [" +
             number_text(low_[i]) + ", " + number_text(high_[i]) + "]";
    }
    if ((kind_ == Kind::kDiscrete || dtype_ == Dtype::kUint8) && x[i] != std::floor(x[i])) {
      return "value " + number_text(x[i]) + " is not an integer";
    }
  }
  return {};
}

void Space::clip(std::span<float> x) const {
  UW_CHECK(static_cast<int64_t>(x.size()) == flat_size(), "clip: wrong size");
  for (size_t i = 0; i < x.size(); ++i) {
    float v = std::clamp(x[i], low_[i], high_[i]);
    if (kind_ == Kind::kDiscrete || dtype_ == Dtype::kUint8) v = std::round(v);
    x[i] = v;
  }
}

void Space::sample(Rng& rng, std::span<float> out) const {
  UW_CHECK(static_cast<int64_t>(out.size()) == flat_size(), "sample: wrong size");
  if (kind_ == Kind::kDiscrete) {
    out[0] = static_cast<float>(rng.uniform_int(static_cast<uint64_t>(n_)));
    return;
  }
  for (size_t i = 0; i < out.size(); ++i) {
    // an unbounded side is replaced by the other bound's value +-2, or [-1, 1] when both are
    const bool low_open = std::isinf(low_[i]);
    const bool high_open = std::isinf(high_[i]);
    const double lo = low_open ? (high_open ? -1.0 : high_[i] - 2.0) : low_[i];
    const double hi = high_open ? (low_open ? 1.0 : low_[i] + 2.0) : high_[i];
    if (dtype_ == Dtype::kUint8) {
      // bounded integers: each of [low, high] equally likely
      out[i] = std::min(high_[i], static_cast<float>(std::floor(rng.uniform(lo, hi + 1.0))));
      continue;
    }
    out[i] = std::clamp(static_cast<float>(rng.uniform(lo, hi)), low_[i], high_[i]);
  }
}

std::string Space::describe() const {
  if (kind_ == Kind::kDiscrete) return "Discrete(" + std::to_string(n_) + ")";
  std::string shape = "(";
  for (size_t i = 0; i < shape_.size(); ++i) {
    shape += std::to_string(shape_[i]) + (shape_.size() == 1 ? "," : "");
    if (i + 1 < shape_.size()) shape += ", ";
  }
  shape += ")";
  auto bound = [](const std::vector<float>& v) {
    const bool uniform =
        !v.empty() && std::all_of(v.begin(), v.end(), [&](float x) { return x == v.front(); });
    return uniform ? number_text(v.front()) : std::string("[...]");
  };
  const std::string dtype = dtype_ == Dtype::kFloat32 ? "" : ", " + std::string(dtype_name(dtype_));
  return "Box(" + bound(low_) + ", " + bound(high_) + ", " + shape + dtype + ")";
}

std::string_view dtype_name(Space::Dtype dtype) {
  return dtype == Space::Dtype::kUint8 ? "uint8" : "float32";
}

nlohmann::json space_to_json(const Space& space) {
  if (space.kind() == Space::Kind::kDiscrete) {
    return {{"type", "discrete"}, {"n", space.n()}};
  }
  return {{"type", "box"},
          {"dtype", dtype_name(space.dtype())},
          {"shape", space.shape()},
          {"low", bound_to_json(space.low())},
          {"high", bound_to_json(space.high())}};
}

Space space_from_json(const nlohmann::json& json, const std::string& where) {
  if (!json.is_object()) throw Error(where + ": expected an object");
  if (!json.contains("type") || !json["type"].is_string()) {
    throw Error(where + ".type: expected \"box\" or \"discrete\"");
  }
  const std::string type = json["type"];
  if (type == "discrete") {
    if (!json.contains("n") || !json["n"].is_number_integer()) {
      throw Error(where + ".n: expected an integer");
    }
    return Space::discrete(json["n"].get<int64_t>());
  }
  if (type != "box") throw Error(where + ".type: expected \"box\" or \"discrete\", got " + type);
  Space::Dtype dtype = Space::Dtype::kFloat32;
  if (json.contains("dtype")) {
    if (json["dtype"] == "uint8") {
      dtype = Space::Dtype::kUint8;
    } else if (json["dtype"] != "float32") {
      throw Error(where + ".dtype: expected \"float32\" or \"uint8\", got " + json["dtype"].dump());
    }
  }
  if (!json.contains("shape") || !json["shape"].is_array()) {
    throw Error(where + ".shape: expected an array of integers");
  }
  std::vector<int64_t> shape;
  for (const auto& d : json["shape"]) {
    if (!d.is_number_integer() || d.get<int64_t>() < 0) {
      throw Error(where + ".shape: expected non-negative integers, got " + json["shape"].dump());
    }
    shape.push_back(d.get<int64_t>());
  }
  for (const char* field : {"low", "high"}) {
    if (!json.contains(field)) throw Error(where + "." + field + ": missing");
  }
  int64_t size = 0;
  try {
    size = product(shape);
  } catch (const Error& e) {
    throw Error(where + ".shape: " + e.what());
  }
  std::vector<float> low = bound_from_json(json["low"], size, where + ".low");
  std::vector<float> high = bound_from_json(json["high"], size, where + ".high");
  try {
    return Space::box(std::move(shape), std::move(low), std::move(high), dtype);
  } catch (const Error& e) {
    throw Error(where + ": " + e.what());
  }
}

}  // namespace uw::envs
