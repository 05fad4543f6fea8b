#pragma once
// Bounded retries with capped exponential backoff for transient failures (bucket I/O, queue outages, a model
// server that is away). The Kiosk retried some errors forever; we give up after `max_retries` and fail the job.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include <spdlog/spdlog.h>

#include "jobs/job_queue.h"
#include "storage/bucket.h"

namespace ck {

struct RetryPolicy {
  int max_retries = 4;        ///< attempts after the first
  double initial_s = 0.5;     ///< first delay, seconds; doubled per retry
  double max_s = 10.0;        ///< delay cap, seconds
};

/// True for errors worth retrying: QueueUnavailable and BucketError other than BucketNotFound.
inline bool is_transient(const std::exception& e) {
  if (dynamic_cast<const QueueUnavailable*>(&e)) return true;
  if (dynamic_cast<const BucketNotFound*>(&e)) return false;
  return dynamic_cast<const BucketError*>(&e) != nullptr;
}

/// Calls f() until it returns, retrying transient errors (is_transient) up to p.max_retries times with capped
/// exponential backoff; `*retries` (if given) counts the retries made. Rethrows the last error, and any
/// non-transient error at once.
template <class F>
auto with_retries(const RetryPolicy& p, const char* what, F&& f, int* retries = nullptr) -> decltype(f()) {
  double delay = p.initial_s;
  for (int attempt = 0;; ++attempt) {
    try {
      return f();
    } catch (const std::exception& e) {
      if (!is_transient(e) || attempt >= p.max_retries) throw;
      spdlog::warn("{} failed ({}); retry {}/{} in {:.2f} s", what, e.what(), attempt + 1, p.max_retries, delay);
      if (retries) ++*retries;
      std::this_thread::sleep_for(std::chrono::duration<double>(delay));
      delay = std::min(delay * 2, p.max_s);
    }
  }
}

}  // namespace ck
