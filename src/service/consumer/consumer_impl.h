#pragma once
// Private parts of Consumer shared by its source files (consumer.cpp: worker loop and liveness;
// image_job.cpp: one image; zip_job.cpp: zip fan-out / fan-in).
#include <memory>
#include <string>
#include <vector>

#include "pipeline/segmenter.h"
#include "service/consumer/consumer.h"
#include "service/consumer/retry.h"

namespace ck {

struct Consumer::Impl {
  ConsumerConfig cfg;
  JobQueue& q;
  Bucket& bucket;
  RetryPolicy retry;
  bool zip_queue = false;
  std::vector<std::string> worker_ids;                ///< one processing list + heartbeat per worker
  std::vector<std::unique_ptr<Segmenter>> segmenters;  ///< one per worker (image queues only)

  Impl(const ConsumerConfig& c, JobQueue& queue, Bucket& b) : cfg(c), q(queue), bucket(b) {}

  /// Sets status (+ updated_at/updated_by) on a job hash.
  void set_status(const std::string& key, const char* status, int worker);
  /// Marks the job failed with a one-line reason and removes it from the worker's processing list.
  void fail(const std::string& key, int worker, const std::string& reason, double total_s);
  /// One image job (status new .. done | failed).
  bool process_image(const std::string& key, int worker, const JobFields& f);
  /// Zip parent: fan out (first claim) or fan in (claimed again when the last child reported). Returns the
  /// terminal status it set ("done", "failed"), or "" when the parent is still waiting for children.
  std::string process_zip(const std::string& key, int worker, const JobFields& f);
  /// A zip child reached a terminal status: tell its parent (idempotent), wake the parent when all are done.
  void report_to_parent(const std::string& parent, const std::string& child, bool ok);
};

/// The uuid part of a job key `<queue>:<name>:<uuid>` (after the last ':').
std::string job_uuid(const std::string& key);
/// The queue part of a job key (before the first ':').
std::string job_queue_name(const std::string& key);
/// A job's failure reason as one line: first line of `what`, trimmed, at most 400 characters.
std::string one_line(const std::string& what);

}  // namespace ck
