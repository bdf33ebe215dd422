#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>

#include "agents/safetensors.h"
#include "core/error.h"
#include "tests/test_util.h"

using uw::agents::DType;
using uw::agents::Safetensors;
using uw::agents::TensorBytes;

namespace {

std::vector<uint8_t> sample_file() {
  static const std::vector<float> a = {1.5f, -2.0f, 3.25f, 0.0f, 7.0f, -1e-7f};
  static const std::vector<int64_t> b = {42, -7};
  const std::vector<TensorBytes> tensors = {
      {"layer.weight",
       DType::kF32,
       {2, 3},
       std::span(reinterpret_cast<const uint8_t*>(a.data()), a.size() * 4)},
      {"step", DType::kI64, {2}, std::span(reinterpret_cast<const uint8_t*>(b.data()), 16)}};
  return uw::agents::encode_safetensors(tensors, {{"format", "test"}});
}

// The error parsing these bytes gives.
std::string error_of(std::vector<uint8_t> bytes) {
  try {
    Safetensors::parse(std::move(bytes), "'x.safetensors'");
  } catch (const uw::Error& e) {
    return e.what();
  }
  return "";
}

void set_header_length(std::vector<uint8_t>& bytes, uint64_t n) {
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(n >> (8 * i));
}

// The file with its JSON header replaced by `header` (padded to keep the data where it was
// when it fits).
std::vector<uint8_t> with_header(const std::vector<uint8_t>& file, std::string header) {
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | file[i];
  std::vector<uint8_t> out(8);
  if (header.size() < n) header.append(n - header.size(), ' ');
  set_header_length(out, header.size());
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), file.begin() + 8 + static_cast<int64_t>(n), file.end());
  return out;
}

}  // namespace

TEST_CASE("safetensors: written tensors read back bit for bit, header aligned to 8 bytes") {
  const std::vector<uint8_t> bytes = sample_file();
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[i];
  CHECK(n % 8 == 0);
  const Safetensors s = Safetensors::parse(bytes, "memory");
  const std::vector<int64_t> shape = {2, 3};
  const std::vector<float> a = s.floats("layer.weight", shape);
  CHECK(a == std::vector<float>{1.5f, -2.0f, 3.25f, 0.0f, 7.0f, -1e-7f});
  const std::vector<int64_t> one = {2};
  CHECK(s.int64s("step", one) == std::vector<int64_t>{42, -7});
  CHECK(s.meta("format") == "test");
}

TEST_CASE("safetensors: a damaged file gives an error naming the file and the fault") {
  const std::vector<uint8_t> good = sample_file();
  SECTION("truncated") {
    for (size_t size : {size_t{0}, size_t{5}, size_t{20}, good.size() - 1}) {
      const std::string e = error_of({good.begin(), good.begin() + static_cast<int64_t>(size)});
      INFO(size << ": " << e);
      CHECK_THAT(e, Catch::Contains("'x.safetensors'"));
      CHECK(!e.empty());
    }
  }
  SECTION("an oversized header length") {
    std::vector<uint8_t> bad = good;
    set_header_length(bad, uint64_t{1} << 62);
    CHECK_THAT(error_of(bad), Catch::Contains("header length 4611686018427387904 runs past"));
  }
  SECTION("a flipped byte in the header") {
    std::vector<uint8_t> bad = good;
    bad[8] = '[';
    CHECK_THAT(error_of(bad), Catch::Contains("not a JSON object"));
    bad = good;
    bad[20] ^= 0x40;
    CHECK(!error_of(bad).empty());
  }
  SECTION("an offset past the end") {
    const std::string e =
        error_of(with_header(good, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4000]}})"));
    CHECK_THAT(e, Catch::Contains("tensor 'a' data_offsets [0, 4000] lie outside"));
  }
  SECTION("a length that does not match the shape") {
    const std::string e =
        error_of(with_header(good, R"({"a":{"dtype":"F32","shape":[5],"data_offsets":[0,40]}})"));
    CHECK_THAT(e, Catch::Contains("tensor 'a' holds 40 bytes, but F32 of shape [5] needs 20"));
  }
  SECTION("an unknown dtype") {
    const std::string e = error_of(
        with_header(good, R"({"a":{"dtype":"F8_E4M3","shape":[40],"data_offsets":[0,40]}})"));
    CHECK_THAT(e, Catch::Contains("tensor 'a' has dtype \"F8_E4M3\""));
  }
  SECTION("overlapping tensors and a gap") {
    CHECK_THAT(
        error_of(with_header(good, R"({"a":{"dtype":"U8","shape":[40],"data_offsets":[0,40]},)"
                                   R"("b":{"dtype":"U8","shape":[8],"data_offsets":[32,40]}})")),
        Catch::Contains("overlaps"));
    CHECK_THAT(
        error_of(with_header(good, R"({"a":{"dtype":"U8","shape":[8],"data_offsets":[8,16]}})")),
        Catch::Contains("a gap before it"));
  }
  SECTION("a shape whose size overflows") {
    const std::string e = error_of(with_header(
        good, R"({"a":{"dtype":"F64","shape":[4611686018427387904,4],"data_offsets":[0,40]}})"));
    CHECK_THAT(e, Catch::Contains("more than fits in memory"));
  }
  SECTION("a negative size") {
    const std::string e =
        error_of(with_header(good, R"({"a":{"dtype":"U8","shape":[-40],"data_offsets":[0,40]}})"));
    CHECK_THAT(e, Catch::Contains("is not sizes >= 0"));
  }
}

TEST_CASE("safetensors: a tensor of another dtype or shape than expected is named") {
  const Safetensors s = Safetensors::parse(sample_file(), "'m.safetensors'");
  const std::vector<int64_t> wrong = {3, 2};
  CHECK_THROWS_WITH(s.floats("layer.weight", wrong),
                    Catch::Contains("tensor 'layer.weight' has shape [2, 3], expected [3, 2]"));
  const std::vector<int64_t> two = {2};
  CHECK_THROWS_WITH(s.floats("step", two), Catch::Contains("'step' is I64, expected F32"));
  CHECK_THROWS_WITH(s.floats("missing", two), Catch::Contains("has no tensor 'missing'"));
}
