#pragma once

#include <filesystem>
#include <vector>

#include "sim/bullet_scene.h"

namespace uw::sim {

// The vertices of a mesh file, scaled per axis, without duplicates: Wavefront .obj (its "v"
// lines) or .stl (binary or ASCII). Only vertices are read, since Bullet collides with their
// convex hull. Throws uw::Error naming the file (and the line, for text formats) when the file
// is missing, too large, malformed, or has fewer than 4 vertices or a non-finite one.
std::vector<Vec3> read_mesh_vertices(const std::filesystem::path& file, const Vec3& scale);

}  // namespace uw::sim
