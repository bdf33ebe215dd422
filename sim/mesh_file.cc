#include "sim/mesh_file.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace uw::sim {
namespace {

constexpr std::uintmax_t kMaxBytes = 256u << 20;  // a mesh beyond this is a mistake

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& what) {
  throw Error("mesh '" + file.string() + "': " + what);
}

std::string read_all(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) fail(file, "no such file");
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec) fail(file, "cannot read its size: " + ec.message());
  if (size > kMaxBytes) fail(file, "is " + std::to_string(size) + " bytes, more than 256 MiB");
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file, "cannot be opened");
  std::string bytes(size, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (!in) fail(file, "cannot be read");
  return bytes;
}

// Reads three numbers after the keyword on a text line.
Vec3 parse_vertex(const std::filesystem::path& file, int line_number, std::istringstream& fields) {
  Vec3 v{};
  for (double& x : v) {
    if (!(fields >> x)) {
      fail(file, "line " + std::to_string(line_number) + ": a vertex needs 3 numbers");
    }
  }
  return v;
}

std::vector<Vec3> parse_text(const std::filesystem::path& file, const std::string& bytes,
                             const char* keyword) {
  std::vector<Vec3> vertices;
  std::istringstream in(bytes);
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    std::istringstream fields(line);
    std::string first;
    if (!(fields >> first) || first != keyword) continue;
    vertices.push_back(parse_vertex(file, line_number, fields));
  }
  return vertices;
}

std::vector<Vec3> parse_binary_stl(const std::string& bytes) {
  std::uint32_t count = 0;
  std::memcpy(&count, bytes.data() + 80, 4);
  std::vector<Vec3> vertices;
  vertices.reserve(3 * static_cast<size_t>(count));
  for (std::uint32_t t = 0; t < count; ++t) {
    const char* triangle = bytes.data() + 84 + 50 * static_cast<size_t>(t);
    for (int corner = 0; corner < 3; ++corner) {
      float xyz[3];
      std::memcpy(xyz, triangle + 12 + 12 * corner, 12);  // after the normal
      vertices.push_back({xyz[0], xyz[1], xyz[2]});
    }
  }
  return vertices;
}

// Whether the points span a volume: the hull of flat or collinear points has none.
bool spans_volume(const std::vector<Vec3>& points) {
  auto sub = [](const Vec3& a, const Vec3& b) {
    return Vec3{a[0] - b[0], a[1] - b[1], a[2] - b[2]};
  };
  auto dot = [](const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; };
  auto cross = [](const Vec3& a, const Vec3& b) {
    return Vec3{a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
  };
  auto farthest = [&](auto&& measure) {
    return *std::max_element(points.begin(), points.end(),
                             [&](const Vec3& a, const Vec3& b) { return measure(a) < measure(b); });
  };
  const Vec3& p0 = points[0];
  const Vec3 p1 = farthest([&](const Vec3& p) { return dot(sub(p, p0), sub(p, p0)); });
  const Vec3 d1 = sub(p1, p0);
  const double size = std::sqrt(dot(d1, d1));
  if (size == 0) return false;
  const Vec3 p2 = farthest([&](const Vec3& p) {
    const Vec3 c = cross(d1, sub(p, p0));
    return dot(c, c);
  });
  const Vec3 normal = cross(d1, sub(p2, p0));
  const double area = std::sqrt(dot(normal, normal));
  if (area <= 1e-9 * size * size) return false;
  const Vec3 p3 = farthest([&](const Vec3& p) { return std::abs(dot(normal, sub(p, p0))); });
  return std::abs(dot(normal, sub(p3, p0))) / area > 1e-6 * size;
}

std::string lower_extension(const std::filesystem::path& file) {
  std::string extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

}  // namespace

std::vector<Vec3> read_mesh_vertices(const std::filesystem::path& file, const Vec3& scale) {
  const std::string extension = lower_extension(file);
  if (extension != ".obj" && extension != ".stl") {
    fail(file, "unsupported format '" + extension + "', expected .obj or .stl");
  }
  const std::string bytes = read_all(file);
  std::vector<Vec3> vertices;
  if (extension == ".obj") {
    vertices = parse_text(file, bytes, "v");
  } else {
    std::uint32_t count = 0;
    if (bytes.size() >= 84) std::memcpy(&count, bytes.data() + 80, 4);
    const bool binary = bytes.size() >= 84 && bytes.size() == 84 + 50 * std::uint64_t{count};
    if (binary) {
      vertices = parse_binary_stl(bytes);
    } else if (bytes.rfind("solid", 0) == 0) {
      vertices = parse_text(file, bytes, "vertex");
    } else {
      fail(file,
           "is neither a binary STL (its size does not match its triangle count) nor an "
           "ASCII one (it does not start with 'solid')");
    }
  }
  for (Vec3& v : vertices) {
    for (int k = 0; k < 3; ++k) v[k] *= scale[k];
    if (!std::isfinite(v[0]) || !std::isfinite(v[1]) || !std::isfinite(v[2])) {
      fail(file, "has a vertex that is not finite");
    }
  }
  std::sort(vertices.begin(), vertices.end());
  vertices.erase(std::unique(vertices.begin(), vertices.end()), vertices.end());
  if (vertices.size() < 4) {
    fail(file, "has " + std::to_string(vertices.size()) +
                   " distinct vertices, a convex hull needs at least 4");
  }
  if (!spans_volume(vertices)) fail(file, "is flat: its vertices span no volume");
  return vertices;
}

}  // namespace uw::sim
