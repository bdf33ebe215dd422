#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "datagen/shard.h"

namespace uw::data {

// Finishes full shards (index, footer, fsync, rename) on a thread of its own, in the order
// they are handed over, so that the thread that filled a shard goes back to recording instead
// of waiting for the disk. Crash safety is ShardWriter::finish's and does not change.
class ShardFinisher {
 public:
  // Each finished shard's xxh64 goes into hashes[shard]; read them after close().
  explicit ShardFinisher(std::map<int64_t, uint64_t>& hashes);
  // Waits for the shards handed over; an error then is dropped (close() reports errors).
  ~ShardFinisher();
  ShardFinisher(const ShardFinisher&) = delete;
  ShardFinisher& operator=(const ShardFinisher&) = delete;

  void add(int64_t shard, std::unique_ptr<ShardWriter> writer);
  // Waits until every shard handed over is finished; rethrows the first error finishing one.
  void close();

 private:
  void run();
  // Lets the thread finish what is queued and end, and waits for it.
  void finish_queue();

  std::map<int64_t, uint64_t>& hashes_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::pair<int64_t, std::unique_ptr<ShardWriter>>> queue_;
  bool closing_ = false;
  std::exception_ptr error_;
  std::thread thread_;  // last: it starts once the members it uses exist
};

}  // namespace uw::data
