#pragma once
// Helpers shared by the jobs tests: a queue backend fixture (memory or a real redis-server per test) and a
// deadline-bounded wait on a condition.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "jobs/memory_queue.h"
#include "jobs/redis_queue.h"
#include "support/redis_server.h"

namespace ck::test {

/// Polls `pred` every 10 ms until it is true or `timeout_s` passes; returns its last value.
inline bool wait_for(const std::function<bool()>& pred, double timeout_s) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int>(timeout_s * 1000));
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Value-parameterized fixture: GetParam() is "memory" or "redis" (a fresh redis-server per test).
class QueueBackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "redis") {
      redis_ = std::make_unique<RedisServer>();
      q_ = std::make_unique<RedisJobQueue>(redis_->url());
    } else {
      q_ = std::make_unique<MemoryJobQueue>();
    }
  }
  /// A second handle on the same store (memory: the same object; redis: another client).
  JobQueue& other() {
    if (!redis_) return *q_;
    if (!other_) other_ = std::make_unique<RedisJobQueue>(redis_->url());
    return *other_;
  }
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<JobQueue> q_;
  std::unique_ptr<JobQueue> other_;
};

inline std::string backend_name(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

}  // namespace ck::test
