// `cellkiosk submit --redis URL --bucket DIR INPUT... -o OUTDIR`: the service's CLI client. Parses the flags,
// opens the queue and the bucket and runs submit_and_wait() (service/client/submit.h: upload, create jobs, wait,
// download, summary.json); the report becomes the exit code.
#include <stdexcept>

#include "cli/commands.h"
#include "cli/stop_signals.h"
#include "jobs/job_queue.h"
#include "service/client/submit.h"
#include "storage/bucket.h"

namespace ck::cli {

namespace {
struct SubmitCli {
  std::string redis = "redis://127.0.0.1:6379";
  std::string bucket;
  std::vector<std::string> inputs;
  SubmitOptions opt;
};
}  // namespace

Runner add_submit(CLI::App& app) {
  auto o = std::make_shared<SubmitCli>();
  app.add_option("INPUT", o->inputs, "Images, folders, glob patterns (quoted) or zip archives (one zip job each)")
      ->required();
  app.add_option("-o,--out", o->opt.out_dir, "Output folder: <name>_labels.tif, <name>_objects.csv, summary.json")
      ->required();
  app.add_option("--redis", o->redis, "Redis URL of the cluster, redis://[:PASSWORD@]HOST:PORT[/DB]")
      ->capture_default_str();
  app.add_option("--bucket", o->bucket, "Bucket directory shared with the consumers")->required();
  app.add_option("--queue", o->opt.queue, "Job type of image jobs (zips go to <queue>-zip)")->capture_default_str();
  app.add_option("-m,--model", o->opt.model, "Model name (default: the consumers' model)");
  app.add_option("--mpp", o->opt.mpp, "Pixel size of the inputs, µm/px (0 = the model's)")
      ->capture_default_str()->check(CLI::Range(0.0, 1000.0));
  app.add_option("-c,--channel", o->opt.channel, "Channel holding the nuclear stain (default: automatic, as `segment`)")->check(CLI::Range(0, 255));
  app.add_flag("--overlay", o->opt.overlay, "Also fetch <name>_overlay.png");
  app.add_option("--timeout", o->opt.timeout_s, "Give up waiting after this many seconds (0 = wait for every job)")
      ->capture_default_str()->check(CLI::Range(0.0, 1e9));
  app.add_option("--expire", o->opt.expire_s, "Seconds the finished jobs stay in Redis after download")
      ->capture_default_str()->check(CLI::Range(0, 100000000));
  app.add_flag("-q,--quiet", o->opt.quiet, "No progress bar");
  app.footer(
      "Needs running consumers (`cellkiosk consumer`, and `--queue segmentation-zip` for zips) on the same Redis\n"
      "and bucket. Exit code: 0 if every image was segmented, 3 if some job or some image inside a zip failed or\n"
      "timed out (see summary.json), 1 on a fatal error (e.g. Redis unreachable for 5 s), 2 on usage errors.\n"
      "Example:\n"
      "  cellkiosk submit --redis redis://127.0.0.1:6379 --bucket /data/bucket data/samples/images -o out");

  return [o] {
    auto& stop = install_stop_signals();
    auto q = open_job_queue(o->redis);
    auto bucket = open_bucket(o->bucket);
    // A client should say at once that Redis is not there (consumers, by contrast, wait for it).
    q->set_reconnect_deadline(5);
    try {
      q->exists("cellkiosk:submit:ping");
    } catch (const QueueUnavailable& e) {
      throw std::runtime_error("cannot reach Redis at " + o->redis + " (is redis-server running?): " + e.what());
    }
    q->set_reconnect_deadline(120);
    const SubmitReport r = submit_and_wait(o->inputs, *q, *bucket, o->opt, stop);
    return r.done == static_cast<int>(r.jobs.size()) && r.images_failed_in_zips == 0 ? 0 : 3;
  };
}

}  // namespace ck::cli
