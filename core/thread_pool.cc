#include "core/thread_pool.h"

#include <time.h>

#include <algorithm>

#include "core/error.h"

namespace uw {

std::chrono::nanoseconds detail::thread_cpu_time() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
}

void SpinPolicy::learn(std::chrono::steady_clock::time_point start,
                       std::chrono::nanoseconds cpu_start) {
  // A spin shorter than this says little: a timer tick or a page fault looks like preemption.
  constexpr auto kMeasurable = std::chrono::microseconds(40);
  // How long to park without spinning once spinning was seen to take a core someone wanted.
  constexpr auto kQuietTime = std::chrono::milliseconds(20);
  const auto now = std::chrono::steady_clock::now();
  const auto wall = now - start;
  if (wall < kMeasurable) return;
  const auto ran = detail::thread_cpu_time() - cpu_start;
  // descheduled for more than a quarter of the spin: another thread needed this core
  if (ran * 4 < wall * 3) quiet_until_ = now + kQuietTime;
}

void SharingPolicy::record(int items, std::chrono::nanoseconds took) {
  if (++loops_ > kWarmupLoops) {
    per_item_[loops_ - kWarmupLoops - 1] =
        static_cast<double>(took.count()) / static_cast<double>(std::max(items, 1));
  }
  if (loops_ < kEpochLoops) return;
  // the mean loop but for the slowest, which alone does not decide (a page fault, a timer); a
  // loaded machine slows many loops of an epoch
  double sum = 0, slowest = 0;
  for (double t : per_item_) {
    sum += t;
    slowest = std::max(slowest, t);
  }
  const double typical = (sum - slowest) / static_cast<double>(per_item_.size() - 1);
  // and a moving average over epochs
  double& mean = share_ ? shared_ns_ : alone_ns_;
  mean = mean < 0 ? typical : 0.5 * (mean + typical);
  loops_ = 0;
  ++epochs_;
  if (shared_ns_ < 0 || alone_ns_ < 0) {
    share_ = shared_ns_ < 0;  // each way once, shared first
    return;
  }
  // a change of mind needs a clear difference (hysteresis): to run alone, alone must be
  // kAloneMargin times faster (a loaded machine makes it much faster); to share again, sharing
  // must be faster
  if (prefer_share_ && shared_ns_ > kAloneMargin * alone_ns_) prefer_share_ = false;
  if (!prefer_share_ && shared_ns_ < alone_ns_) prefer_share_ = true;
  share_ = epochs_ % kProbeEvery == 0 ? !prefer_share_ : prefer_share_;
}

ThreadPool::ThreadPool(int threads) {
  if (threads < 1) throw Error("thread count must be at least 1, got " + std::to_string(threads));
  workers_.reserve(threads - 1);
  try {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
  } catch (...) {
    stop();  // join the workers that did start before giving up
    throw;
  }
}

ThreadPool::~ThreadPool() { stop(); }

void ThreadPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_.store(true);
  }
  start_cv_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void ThreadPool::parallel_for(int count, FunctionRef<void(int, int)> body, SharingPolicy* sharing) {
  if (count <= 0) return;
  if (workers_.empty()) {
    body(0, count);
    return;
  }
  if (sharing == nullptr) return run_shared(count, body);
  const auto start = std::chrono::steady_clock::now();
  if (sharing->share()) {
    run_shared(count, body);
  } else {
    run_alone(count, body);
  }
  sharing->record(count, std::chrono::steady_clock::now() - start);
}

void ThreadPool::run_alone(int count, FunctionRef<void(int, int)> body) {
  // like a shared loop: every item runs, and the first exception is rethrown at the end
  std::exception_ptr error;
  for (int i = 0; i < count; ++i) {
    try {
      body(i, i + 1);
    } catch (...) {
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

void ThreadPool::run_shared(int count, FunctionRef<void(int, int)> body) {
  body_.emplace(body);
  count_ = count;
  // about eight chunks per thread: small enough to balance, large enough to claim cheaply
  chunk_ = std::max(1, count / (8 * size()));
  next_.store(0, std::memory_order_relaxed);
  error_ = nullptr;
  ++generation_;
  job_.store(generation_ << 1 | 1);  // open; publishes the loop above
  wake_workers();

  run_chunks();

  job_.store(generation_ << 1);  // closed: every item is claimed, nobody joins any more
  wait_for_active_workers();
  body_.reset();
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void ThreadPool::wake_workers() {
  // job_ and sleeping_workers_ are sequentially consistent: either a worker going to sleep
  // sees the open loop, or this sees the sleeper and wakes it under the lock
  if (sleeping_workers_.load() == 0) return;
  { std::lock_guard lock(mutex_); }
  start_cv_.notify_all();
}

void ThreadPool::wait_for_active_workers() {
  auto idle = [this] { return active_.load() == 0; };
  if (caller_spin_.spin(idle)) return;
  std::unique_lock lock(mutex_);
  caller_sleeping_.store(true);
  done_cv_.wait(lock, idle);
  caller_sleeping_.store(false);
}

void ThreadPool::run_chunks() {
  while (true) {
    const int begin = next_.fetch_add(chunk_, std::memory_order_relaxed);
    if (begin >= count_) return;
    try {
      (*body_)(begin, std::min(begin + chunk_, count_));
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
  }
}

void ThreadPool::worker_loop() {
  SpinPolicy spin;
  uint64_t seen = 0;  // the generation last joined or passed over
  auto offered = [&] {
    const uint64_t job = job_.load();
    return stopping_.load(std::memory_order_relaxed) || ((job & 1) && (job >> 1) != seen);
  };
  while (true) {
    if (!spin.spin(offered)) {
      sleeping_workers_.fetch_add(1);
      std::unique_lock lock(mutex_);
      start_cv_.wait(lock, offered);
      sleeping_workers_.fetch_sub(1);
    }
    if (stopping_.load(std::memory_order_relaxed)) return;
    const uint64_t job = job_.load();
    active_.fetch_add(1);
    // still the loop it saw, and still open: the caller is waiting for this worker now
    if (job_.load() == job && (job & 1)) run_chunks();
    seen = job >> 1;
    if (active_.fetch_sub(1) == 1 && caller_sleeping_.load()) {
      std::lock_guard lock(mutex_);
      done_cv_.notify_one();
    }
  }
}

}  // namespace uw
