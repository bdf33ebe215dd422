#include "cli/actions_file.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <string>

#include "core/error.h"

namespace uw::cli {

std::vector<float> read_actions_file(const std::filesystem::path& path, int action_size) {
  std::ifstream in(path);
  if (!in) throw Error("cannot open actions file '" + path.string() + "'");
  std::vector<float> actions;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    auto fail = [&](const std::string& what) {
      throw Error("actions file '" + path.string() + "', line " + std::to_string(line_number) +
                  ": " + what);
    };
    if (const size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    for (char& c : line) {
      if (c == ',' || c == '\t' || c == '\r') c = ' ';
    }
    std::vector<float> values;
    size_t pos = 0;
    while (true) {
      pos = line.find_first_not_of(' ', pos);
      if (pos == std::string::npos) break;
      const size_t end = std::min(line.find(' ', pos), line.size());
      const std::string token = line.substr(pos, end - pos);
      float value = 0;
      const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
      if (ec != std::errc() || ptr != token.data() + token.size()) {
        fail("'" + token + "' is not a number");
      }
      if (!std::isfinite(value)) {
        fail("value " + std::to_string(values.size()) + " is " +
             (std::isnan(value) ? "NaN" : "infinite") + "; actions must be finite");
      }
      values.push_back(value);
      pos = end;
    }
    if (values.empty()) continue;
    if (static_cast<int>(values.size()) != action_size) {
      fail("expected " + std::to_string(action_size) + " numbers (the env's action size), got " +
           std::to_string(values.size()));
    }
    actions.insert(actions.end(), values.begin(), values.end());
  }
  return actions;
}

}  // namespace uw::cli
