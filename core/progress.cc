#include "core/progress.h"

#include <unistd.h>

#include <cmath>

namespace uw {
namespace {

using Clock = std::chrono::steady_clock;

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const int64_t s = static_cast<int64_t>(seconds + 0.5);
  char text[32];
  if (s >= 3600) {
    std::snprintf(text, sizeof text, "%ldh%02ldm", static_cast<long>(s / 3600),
                  static_cast<long>(s % 3600 / 60));
  } else if (s >= 60) {
    std::snprintf(text, sizeof text, "%ldm%02lds", static_cast<long>(s / 60),
                  static_cast<long>(s % 60));
  } else {
    std::snprintf(text, sizeof text, "%lds", static_cast<long>(s));
  }
  return text;
}

}  // namespace

Progress::Progress(std::string label, int64_t total, std::string unit, std::FILE* out)
    : label_(std::move(label)),
      total_(total),
      unit_(std::move(unit)),
      out_(out),
      terminal_(isatty(fileno(out)) != 0),
      start_(Clock::now()),
      last_print_(start_) {}

Progress::~Progress() { finish(); }

void Progress::update(int64_t done, std::string detail) {
  done_ = done;
  detail_ = std::move(detail);
  const auto now = Clock::now();
  // nothing for the first second; then every 0.25 s on a terminal, every 10 s in a log
  if (now - start_ < std::chrono::seconds(1)) return;
  const auto interval = terminal_ ? std::chrono::milliseconds(250) : std::chrono::seconds(10);
  if (printed_ && now - last_print_ < interval) return;
  print(done, false);
}

namespace {

// Two significant digits under 10 per second ("0.25", "3.4"), whole numbers above.
std::string format_rate(double rate) {
  char text[32];
  std::snprintf(text, sizeof text, rate < 10 ? "%.2g" : "%.0f", rate);
  return text;
}

}  // namespace

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (printed_) print(done_, true);
}

void Progress::print(int64_t done, bool final) {
  last_print_ = Clock::now();
  printed_ = true;
  const double elapsed = std::chrono::duration<double>(last_print_ - start_).count();
  const double rate = elapsed > 0 ? done / elapsed : 0;
  const double eta = rate > 0 ? (total_ - done) / rate : NAN;
  const double percent = total_ > 0 ? 100.0 * done / total_ : 100.0;
  std::fprintf(out_, "%s%s: %ld/%ld %s (%.0f%%), %s %s/s, %s%s%s %s%s", terminal_ ? "\r" : "",
               label_.c_str(), static_cast<long>(done), static_cast<long>(total_), unit_.c_str(),
               percent, format_rate(rate).c_str(), unit_.c_str(), detail_.c_str(),
               detail_.empty() ? "" : ", ", final ? "took" : "ETA",
               format_duration(final ? elapsed : eta).c_str(), terminal_ && !final ? "   " : "\n");
  std::fflush(out_);
}

}  // namespace uw
