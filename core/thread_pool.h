#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/function_ref.h"

namespace uw {

// How long a waiting thread spins before it parks. Spinning pays while the thread has a core
// to itself: it saves the wakeup (tens of microseconds on a virtual machine, as long as a batch
// of small env steps). It costs a core when another thread needs it, which the spinner sees as
// time it was not running while it spun; it then parks at once for a while before it tries
// spinning again. So on a shared machine no more threads spin than there are free cores.
class SpinPolicy {
 public:
  // Spins until done() or the spin budget is spent; returns done().
  template <class Done>
  bool spin(Done&& done);

 private:
  bool contended_at(std::chrono::steady_clock::time_point now) const { return now < quiet_until_; }
  void learn(std::chrono::steady_clock::time_point start, std::chrono::nanoseconds cpu_start);

  std::chrono::steady_clock::time_point quiet_until_{};  // parks without spinning until then
};

// Whether the caller shares a loop with the workers or runs it alone, by which has been faster
// per item lately, for one kind of loop run again and again (a vector env's step). Sharing pays
// on idle cores; on a loaded machine, handing items to workers that then wait for a core can
// make a loop several times slower than the caller alone. The choice is made per epoch of
// loops by their mean time per item (the slowest loop left out, the first few not counted: the
// workers wake up or go to sleep in them), averaged over epochs; alone must be clearly faster.
// One epoch in kProbeEvery tries the other way, so a change of load is noticed within a few
// hundred loops.
class SharingPolicy {
 public:
  static constexpr int kEpochLoops = 32;
  static constexpr int kWarmupLoops = 4;
  static constexpr int kProbeEvery = 32;
  static constexpr double kAloneMargin = 1.3;  // alone must be this much faster to be chosen

  // Whether the next loop is shared with the workers.
  bool share() const { return share_; }
  // The loop just run, shared or not as share() said, took `took` for `items` items.
  void record(int items, std::chrono::nanoseconds took);

 private:
  bool share_ = true;         // the way of this epoch
  bool prefer_share_ = true;  // the way chosen, which probes depart from
  int loops_ = 0;             // in this epoch
  std::array<double, kEpochLoops - kWarmupLoops> per_item_{};  // ns per item of the loops
  int64_t epochs_ = 0;
  double shared_ns_ = -1;  // per item, averaged over the epochs of each way; -1 before one ran
  double alone_ns_ = -1;
};

// A fixed set of threads that run one data-parallel loop at a time. The calling thread takes
// part, so `threads` = 2 starts one worker. A loop allocates nothing. Items are claimed as
// threads arrive, and the caller waits only for workers that are inside an item: a worker that
// is asleep or descheduled when a loop starts holds nothing up, the others take its share. See
// SpinPolicy, and SharingPolicy (for loops repeated often), for how it behaves on a machine it
// shares with other work.
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
  // With `sharing`, the loop is shared with the workers or run by the caller alone as it says
  // (and measured for it); without, it is always shared.
  void parallel_for(int count, FunctionRef<void(int begin, int end)> body,
                    SharingPolicy* sharing = nullptr);

 private:
  void worker_loop();
  void stop();
  void run_shared(int count, FunctionRef<void(int, int)> body);
  void run_alone(int count, FunctionRef<void(int, int)> body);
  void run_chunks();
  void wake_workers();
  void wait_for_active_workers();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_cv_;
  std::condition_variable done_cv_;
  // The loop on offer: (generation << 1) | open. A worker joins a loop by counting itself in
  // active_ and then finding the loop still open; the caller closes the loop when every item
  // is claimed and waits for active_ to reach 0, so no worker touches a finished loop.
  std::atomic<uint64_t> job_{0};
  std::atomic<int> active_{0};
  std::atomic<int> sleeping_workers_{0};
  std::atomic<bool> caller_sleeping_{false};
  std::atomic<bool> stopping_{false};
  uint64_t generation_ = 0;  // the caller's count of loops
  SpinPolicy caller_spin_;

  // the loop being run; valid while it is open or a worker is active in it
  std::optional<FunctionRef<void(int, int)>> body_;
  int count_ = 0;
  int chunk_ = 1;
  std::atomic<int> next_{0};  // the first item not claimed yet
  std::exception_ptr error_;
};

// --- SpinPolicy::spin, here because it is a template over the condition ---

namespace detail {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// CPU time of the calling thread.
std::chrono::nanoseconds thread_cpu_time();

}  // namespace detail

template <class Done>
bool SpinPolicy::spin(Done&& done) {
  constexpr auto kSpinTime = std::chrono::microseconds(200);
  const auto start = std::chrono::steady_clock::now();
  if (contended_at(start)) return done();
  const std::chrono::nanoseconds cpu_start = detail::thread_cpu_time();
  bool result = false;
  while (true) {
    for (int i = 0; i < 64 && !result; ++i) {
      result = done();
      detail::cpu_relax();
    }
    if (result || std::chrono::steady_clock::now() - start > kSpinTime) break;
  }
  learn(start, cpu_start);
  return result || done();
}

}  // namespace uw
