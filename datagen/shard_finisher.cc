#include "datagen/shard_finisher.h"

namespace uw::data {

ShardFinisher::ShardFinisher(std::map<int64_t, uint64_t>& hashes)
    : hashes_(hashes), thread_([this] { run(); }) {}

ShardFinisher::~ShardFinisher() { finish_queue(); }

void ShardFinisher::add(int64_t shard, std::unique_ptr<ShardWriter> writer) {
  {
    std::unique_lock lock(mutex_);
    queue_.emplace_back(shard, std::move(writer));
  }
  cv_.notify_one();
}

void ShardFinisher::close() {
  finish_queue();
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void ShardFinisher::finish_queue() {
  {
    std::unique_lock lock(mutex_);
    closing_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void ShardFinisher::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    cv_.wait(lock, [&] { return closing_ || !queue_.empty(); });
    if (queue_.empty()) return;  // closing, and nothing left
    auto [shard, writer] = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    uint64_t hash = 0;
    std::exception_ptr error;
    try {
      hash = writer->finish();
    } catch (...) {
      error = std::current_exception();
    }
    writer.reset();
    lock.lock();
    if (error) {
      if (!error_) error_ = error;
    } else {
      hashes_[shard] = hash;
    }
  }
}

}  // namespace uw::data
