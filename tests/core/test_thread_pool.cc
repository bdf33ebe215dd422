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
