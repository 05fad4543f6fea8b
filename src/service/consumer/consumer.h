#pragma once
// Consumer: the Kiosk's redis-consumer in C++. Claims jobs from one queue, walks the Kiosk statuses, runs the
// Segmenter (the same code as `cellkiosk segment`) and stores results in the bucket.
//   segmentation:      download uploads/<..> -> decode -> Segmenter -> output/<uuid>/<name>_labels.tif,
//                      <name>_objects.csv [, _overlay.png, _preview.png, _outlines.png] + output/<uuid>.zip
//   segmentation-zip:  fan out one child job per image of the archive (parent `waiting`, `progress`); children
//                      report completion to the parent (event-driven fan-in); the parent zips all outputs.
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "jobs/job_queue.h"
#include "pipeline/inputs.h"
#include "storage/bucket.h"

namespace ck {

struct ConsumerConfig {
  std::string queue = "segmentation";  ///< "segmentation" or "segmentation-zip" (any "*-zip" is a zip queue)
  std::string consumer_id;             ///< empty = <hostname>-<pid>-<random>
  int workers = 0;                     ///< jobs processed concurrently (each worker has its own processing list
                                       ///< `processing-<queue>:<id>-w<k>`); 0 = min(cores, 4)
  int torch_threads = 0;               ///< intra-op threads per worker; 0 = max(1, cores / workers)
  std::string model = "nuclear";       ///< model name or manifest path
  std::string device = "cpu";
  std::string child_queue;             ///< zip queues: where children go; empty = queue without "-zip"
  int heartbeat_ttl_s = 30;            ///< heartbeat key TTL; refreshed every ttl/3
  double claim_timeout_s = 1.0;        ///< blocking claim timeout (checks stop flag between claims)
  int max_retries = 4;                 ///< transient failures (bucket I/O, model server) retried this often
  double backoff_initial_s = 0.5;      ///< first retry delay, doubled each time ...
  double backoff_max_s = 10.0;         ///< ... up to this
  int64_t max_image_pixels = int64_t{1} << 28;  ///< larger images fail with a reason
  ZipLimits zip_limits;
  int child_ttl_s = 86400;             ///< zip children's hashes expire this long after their parent finished
};

class Consumer {
 public:
  /// Loads the model (throws std::runtime_error with a one-line reason if it cannot).
  Consumer(ConsumerConfig cfg, std::shared_ptr<JobQueue> queue, std::shared_ptr<Bucket> bucket);
  ~Consumer();
  /// Runs the workers until `stop` becomes true; a job in progress is finished (or requeued if it cannot be)
  /// before returning. Never throws for a bad job (the job fails with a reason); queue outages are retried.
  void run(const std::atomic<bool>& stop);
  /// Processes one job key that this consumer has claimed (tests, and the worker loop).
  void process(const std::string& key, int worker);
  const ConsumerConfig& config() const { return cfg_; }
  /// Jobs this consumer brought to a terminal status (done, failed).
  int64_t jobs_done() const { return done_.load(); }
  int64_t jobs_failed() const { return failed_.load(); }

 private:
  struct Impl;
  ConsumerConfig cfg_;
  std::shared_ptr<JobQueue> q_;
  std::shared_ptr<Bucket> bucket_;
  std::unique_ptr<Impl> impl_;
  std::atomic<int64_t> done_{0}, failed_{0};
};

}  // namespace ck
