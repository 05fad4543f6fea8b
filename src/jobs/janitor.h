#pragma once
// Janitor: finds jobs stranded in the processing list of a consumer that died (its heartbeat key expired) and
// gives them back to their queue; a job given back more than `max_requeues` times is a poison job and ends
// `failed` with a reason. Needs nothing but the JobQueue, so it works the same on one machine and on
// Kubernetes (improves on the Kiosk, which noticed stuck jobs only when a pod was deleted).
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "jobs/job_queue.h"

namespace ck {

struct JanitorConfig {
  std::vector<std::string> queues = {"segmentation", "segmentation-zip"};
  int max_requeues = 3;        ///< a job requeued more often than this is failed as poison
  double interval_s = 5.0;     ///< seconds between sweeps in run()
};

/// What one sweep did.
struct JanitorSweep {
  int64_t requeued = 0;     ///< jobs moved back to their queue
  int64_t failed = 0;       ///< poison jobs failed
  int64_t cleaned = 0;      ///< already-terminal keys removed from dead processing lists
  std::vector<std::string> dead_consumers;
};

class Janitor {
 public:
  Janitor(JanitorConfig cfg, JobQueue& queue);
  /// One pass over every `processing-<queue>:*` list of the configured queues. Thread-safe w.r.t. consumers.
  JanitorSweep sweep();
  /// Sweeps every interval_s until `stop` is set; QueueUnavailable is logged and retried next interval.
  void run(const std::atomic<bool>& stop);

 private:
  JanitorConfig cfg_;
  JobQueue& q_;
};

}  // namespace ck
