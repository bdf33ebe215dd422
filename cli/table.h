#pragma once

#include <string>
#include <vector>

namespace uw::cli {

// A plain text table: columns padded to their widest cell, numbers right-aligned.
class Table {
 public:
  explicit Table(std::vector<std::string> header);
  void add_row(std::vector<std::string> cells);
  std::string str() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// "12,345"
std::string with_thousands(double value);
// Fixed-point with `digits` decimals.
std::string fixed(double value, int digits);

}  // namespace uw::cli
