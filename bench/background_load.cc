#include "bench/background_load.h"

#include <cstdint>
#include <string>

#include "core/error.h"

namespace uw::bench {

BackgroundLoad::BackgroundLoad(int threads) {
  if (threads < 0)
    throw Error("background load: thread count must be >= 0, got " + std::to_string(threads));
  try {
    start(threads);
  } catch (...) {
    stop();  // join the threads that did start
    throw;
  }
}

void BackgroundLoad::start(int threads) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      // integer work that the compiler cannot drop, checking the flag now and then
      volatile uint64_t sink = 0;
      uint64_t x = 88172645463325252ULL;
      while (!stop_.load(std::memory_order_relaxed)) {
        for (int k = 0; k < 4096; ++k) {
          x ^= x << 13;
          x ^= x >> 7;
          x ^= x << 17;
        }
        sink = x;
      }
      (void)sink;
    });
  }
}

BackgroundLoad::~BackgroundLoad() { stop(); }

void BackgroundLoad::stop() {
  stop_.store(true, std::memory_order_relaxed);
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace uw::bench
