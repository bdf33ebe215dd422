#pragma once

#include <filesystem>
#include <vector>

namespace uw::cli {

// Reads a text file of actions: one action per line, `action_size` numbers separated by spaces
// or commas; blank lines and text after '#' are ignored (numpy.savetxt output reads as is).
// Returns the actions one after another. Throws uw::Error naming the file and line of a
// missing file, a wrong count, a token that is not a number, or a NaN or infinite value.
std::vector<float> read_actions_file(const std::filesystem::path& path, int action_size);

}  // namespace uw::cli
