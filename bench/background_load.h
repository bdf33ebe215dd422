#pragma once

#include <atomic>
#include <thread>
#include <vector>

namespace uw::bench {

// N threads that keep a core busy each for as long as this object lives: a benchmark measured
// beside them sees a shared machine (a browser, a viewer, another job on the node).
class BackgroundLoad {
 public:
  explicit BackgroundLoad(int threads);
  ~BackgroundLoad();
  BackgroundLoad(const BackgroundLoad&) = delete;
  BackgroundLoad& operator=(const BackgroundLoad&) = delete;

  int threads() const { return static_cast<int>(threads_.size()); }

 private:
  void start(int threads);
  void stop();

  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace uw::bench
