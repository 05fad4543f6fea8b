#pragma once
// The client of the job service (`cellkiosk submit`): uploads images (and zips, as zip jobs) to the bucket,
// creates Kiosk jobs carrying one SegmentRequest, waits until every job is terminal, downloads each image's
// outputs into a folder, expires the jobs and writes summary.json. The CLI only parses flags, opens the queue
// and the bucket, and maps the report to an exit code.
#include <atomic>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "jobs/job_queue.h"
#include "storage/bucket.h"

namespace ck {

/// What `cellkiosk submit`'s flags set.
struct SubmitOptions {
  std::string queue = "segmentation";  ///< job type of image jobs; zips go to `<queue>-zip`
  std::string model;                   ///< model name ("" = the consumers' model)
  int channel = -1;                    ///< 0-based channel of the nuclear stain (< 0 = 0)
  double mpp = 0;                      ///< µm/px of the inputs (≤ 0 = the model's)
  bool overlay = false;                ///< also download `<name>_overlay.png`
  std::string out_dir;                 ///< where outputs and summary.json go (created if missing)
  int expire_s = 3600;                 ///< seconds finished jobs stay in Redis after download (0 = forever)
  double timeout_s = 0;                ///< give up waiting after this many seconds (0 = wait for every job)
  bool quiet = false;                  ///< no progress bar, no "queued" / totals lines (errors still printed)
};

/// One job of a submit run (one image file, or one zip archive).
struct SubmittedJob {
  std::string key;     ///< Redis job key
  std::string name;    ///< output base name in the output folder
  std::string input;   ///< what the user gave, for messages: "dir/a.png", "b.zip:sub/c.tif", "archive.zip"
  bool zip = false;    ///< a zip job (fanned out by the consumers)
  std::string status;  ///< last status seen: a Kiosk status, "done" or "failed" once terminal
  std::string reason;  ///< failure reason ("" if none)
  bool downloaded = false;  ///< outputs fetched (status done)
  nlohmann::json failures = nlohmann::json::array();  ///< zip jobs: [{name, reason}] of the images that failed
};

/// What submit_and_wait() did.
struct SubmitReport {
  std::string queue;   ///< the queue's description (JobQueue::describe())
  std::string bucket;  ///< the bucket's description (Bucket::describe())
  std::vector<SubmittedJob> jobs;  ///< in submission order: images first, then zips
  int done = 0;                    ///< jobs with status done
  int failed = 0;                  ///< jobs with status failed (including failed downloads)
  int images_failed_in_zips = 0;   ///< images inside zip jobs that failed
  int pending = 0;                 ///< jobs not terminal when waiting ended
  bool timed_out = false;          ///< waiting ended at SubmitOptions::timeout_s
  bool stopped = false;            ///< waiting ended because `stop` was set
};

/// Submits `inputs` (images, folders, quoted glob patterns; zip files given by themselves become one zip job
/// each) to queue `q` with their bytes uploaded to bucket `b`, then polls until every job is terminal, the
/// timeout (`opt.timeout_s`, seconds) passes or `stop` becomes true. Outputs (labels, objects CSV, and the
/// overlay if asked) of each finished image are downloaded into `opt.out_dir` as they finish, finished jobs
/// expire after `opt.expire_s` seconds, and `opt.out_dir`/summary.json (summary_json()) is written at the end.
/// Prints input problems, job failures and (unless quiet) a progress bar and totals on stderr. A failed
/// download fails its job (it does not throw). Throws std::runtime_error("no input images") when nothing is
/// left to submit, QueueError / BucketError when Redis or the bucket fail, std::runtime_error on unreadable
/// inputs or an uncreatable output folder.
SubmitReport submit_and_wait(const std::vector<std::string>& inputs, JobQueue& q, Bucket& b,
                             const SubmitOptions& opt, const std::atomic<bool>& stop);

/// The summary.json of a submit run: {queue, bucket, jobs: [{key, name, input, status[, reason][, failures]}],
/// done, failed, images_failed_in_zips, pending}.
nlohmann::json summary_json(const SubmitReport& report);

}  // namespace ck
