#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace uw {

// Progress of a long job on stderr: a line redrawn in place on a terminal, plain lines every
// few seconds otherwise (logs, cluster jobs). Quiet for jobs that end within a second.
class Progress {
 public:
  Progress(std::string label, int64_t total, std::string unit, std::FILE* out = stderr);
  ~Progress();

  // Cheap to call often: prints only when the interval has passed. `detail` goes after the
  // rate ("41,000 steps/s, 12.5 MB").
  void update(int64_t done, std::string detail = {});
  // Prints the final line (if anything was printed before).
  void finish();

 private:
  void print(int64_t done, bool final);

  std::string label_;
  int64_t total_;
  std::string unit_;
  std::FILE* out_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  int64_t done_ = 0;
  std::string detail_;
  bool printed_ = false;
  bool finished_ = false;
};

}  // namespace uw
