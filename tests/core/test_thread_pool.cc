#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"

TEST_CASE("parallel_for visits every index exactly once") {
  for (int threads : {1, 2, 3, 8}) {
    uw::ThreadPool pool(threads);
    CHECK(pool.size() == threads);
    for (int count : {0, 1, 2, 7, 100}) {
      std::vector<std::atomic<int>> visits(count);
      for (int repeat = 0; repeat < 50; ++repeat) {
        pool.parallel_for(count, [&](int begin, int end) {
          for (int i = begin; i < end; ++i) visits[i].fetch_add(1);
        });
      }
      for (int i = 0; i < count; ++i) REQUIRE(visits[i].load() == 50);
    }
  }
}

TEST_CASE("parallel_for shares the work between the threads") {
  uw::ThreadPool pool(2);
  std::mutex mutex;
  std::set<std::thread::id> threads;
  pool.parallel_for(8, [&](int begin, int end) {
    for (int i = begin; i < end; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      std::lock_guard lock(mutex);
      threads.insert(std::this_thread::get_id());
    }
  });
  CHECK(threads.size() == 2);
}

TEST_CASE("an exception in a block reaches the caller and the pool stays usable") {
  uw::ThreadPool pool(2);
  CHECK_THROWS_WITH(pool.parallel_for(10,
                                      [](int begin, int) {
                                        if (begin > 0) throw std::runtime_error("block failed");
                                      }),
                    "block failed");
  std::atomic<int> sum{0};
  pool.parallel_for(10, [&](int begin, int end) { sum += end - begin; });
  CHECK(sum == 10);
}

TEST_CASE("a pool needs at least one thread") { CHECK_THROWS_AS(uw::ThreadPool(0), uw::Error); }

namespace {

// Runs one epoch of loops through the policy, each item taking `shared` or `alone` ns as the
// policy chose; returns whether the epoch was shared.
bool run_epoch(uw::SharingPolicy& policy, int shared_ns, int alone_ns) {
  const bool shared = policy.share();
  for (int loop = 0; loop < uw::SharingPolicy::kEpochLoops; ++loop) {
    REQUIRE(policy.share() == shared);  // the way changes only between epochs
    policy.record(10, std::chrono::nanoseconds(10 * (shared ? shared_ns : alone_ns)));
  }
  return shared;
}

}  // namespace

TEST_CASE("sharing: a pool shares its loops while that is faster, else runs them alone") {
  uw::SharingPolicy policy;
  CHECK(run_epoch(policy, 100, 180));   // shared first
  CHECK(!run_epoch(policy, 100, 180));  // then alone once, to compare
  // idle cores: sharing is faster, and alone is tried once per kProbeEvery epochs
  int alone_epochs = 0;
  for (int e = 0; e < 4 * uw::SharingPolicy::kProbeEvery; ++e) {
    alone_epochs += run_epoch(policy, 100, 180) ? 0 : 1;
  }
  CHECK(alone_epochs == 4);
  // the machine gets loaded: sharing is now slower; the next probe notices it
  int shared_epochs = 0;
  for (int e = 0; e < 4 * uw::SharingPolicy::kProbeEvery; ++e) {
    shared_epochs += run_epoch(policy, 400, 180) ? 1 : 0;
  }
  CHECK(shared_epochs <= 5);
  CHECK(!run_epoch(policy, 400, 180));
}

TEST_CASE("sharing: the loops at the start of an epoch are not counted") {
  uw::SharingPolicy policy;
  // shared loops whose first ones are slow (the workers waking up) but are fast after that
  for (int loop = 0; loop < uw::SharingPolicy::kEpochLoops; ++loop) {
    const int ns = loop < uw::SharingPolicy::kWarmupLoops ? 100000 : 100;
    policy.record(1, std::chrono::nanoseconds(ns));
  }
  CHECK(!policy.share());
  run_epoch(policy, 100, 150);
  CHECK(policy.share());  // shared was faster, its warm-up loops aside
}

TEST_CASE("sharing: one slow loop in an epoch (a batch reset) does not decide") {
  uw::SharingPolicy policy;
  run_epoch(policy, 100, 150);  // shared: 100 ns per item
  run_epoch(policy, 100, 150);  // alone: 150
  REQUIRE(policy.share());
  for (int loop = 0; loop < uw::SharingPolicy::kEpochLoops; ++loop) {
    const int ns = loop == 9 ? 1000000 : 100;  // one reset among the steps
    policy.record(1, std::chrono::nanoseconds(ns));
  }
  CHECK(policy.share());
  // sharing only a little slower than alone is still sharing: alone must be clearly faster
  for (int e = 0; e < 4; ++e) run_epoch(policy, 170, 150);
  CHECK(policy.share());
}

TEST_CASE("parallel_for is exact with more threads than cores and every core busy") {
  const int cores = std::max(1u, std::thread::hardware_concurrency());
  std::atomic<bool> stop{false};
  std::vector<std::thread> load;
  for (int i = 0; i < cores; ++i) {
    load.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
      }
    });
  }
  uw::ThreadPool pool(2 * cores + 1);
  std::vector<int> visits(64, 0);  // each index written by one thread per loop
  for (int repeat = 0; repeat < 2000; ++repeat) {
    pool.parallel_for(static_cast<int>(visits.size()), [&](int begin, int end) {
      for (int i = begin; i < end; ++i) ++visits[i];
    });
  }
  stop.store(true);
  for (std::thread& t : load) t.join();
  for (int v : visits) REQUIRE(v == 2000);
}
