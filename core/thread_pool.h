#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/function_ref.h"

namespace uw {

// A fixed set of threads that run one data-parallel loop at a time. The calling thread takes
// part, so `threads` = 2 starts one worker. A loop allocates nothing, and threads spin for a
// short while before sleeping so that short per-step loops (a vector env step) are not dominated
// by wakeups.
class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Runs body(begin, end) over [0, count) in contiguous chunks that the threads claim as they
  // go (so uneven items, like envs with more contacts, balance out), and returns when all are
  // done. The first exception thrown by a chunk is rethrown here.
  void parallel_for(int count, FunctionRef<void(int begin, int end)> body);

 private:
  void worker_loop();
  void stop();
  void run_chunks();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_cv_;
  std::condition_variable done_cv_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stopping_{false};

  // the loop being run; valid while pending_ > 0
  std::optional<FunctionRef<void(int, int)>> body_;
  int count_ = 0;
  int chunk_ = 1;
  std::atomic<int> next_{0};  // the first item not claimed yet
  std::exception_ptr error_;
};

}  // namespace uw
