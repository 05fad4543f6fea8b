// `cellkiosk consumer --queue segmentation --redis URL --bucket DIR`: a job consumer of the cluster.
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cli/stop_signals.h"
#include "service/consumer/consumer.h"

namespace ck::cli {

namespace {
struct ConsumerCli {
  ConsumerConfig cfg;
  std::string redis = "redis://127.0.0.1:6379";
  std::string bucket;
};
}  // namespace

Runner add_consumer(CLI::App& app) {
  auto o = std::make_shared<ConsumerCli>();
  app.add_option("--queue", o->cfg.queue,
                 "Queue (= job type) to take jobs from: segmentation, or segmentation-zip for zip archives "
                 "(fanned out as one child job per image onto the queue without -zip)")
      ->capture_default_str();
  app.add_option("--redis", o->redis, "Redis URL, redis://[:PASSWORD@]HOST:PORT[/DB]")->capture_default_str();
  app.add_option("--bucket", o->bucket, "Bucket: a directory shared with the frontend (uploads/, output/)")->required();
  app.add_option("-m,--model", o->cfg.model, "Model name under models/ or path to a model folder")->capture_default_str();
  app.add_option("--device", o->cfg.device, "cpu, or cuda (CUDA-enabled LibTorch builds)")->capture_default_str();
  app.add_option("--workers", o->cfg.workers, "Jobs processed at once (0 = min(cores, 4))")
      ->capture_default_str()->check(CLI::Range(0, 256));
  app.add_option("--threads", o->cfg.torch_threads, "Inference threads per worker (0 = cores / workers)")
      ->capture_default_str()->check(CLI::Range(0, 1024));
  app.add_option("--id", o->cfg.consumer_id, "Consumer id (processing list processing-<queue>:<id>); default "
                                             "<hostname>-<pid>-<random>");
  app.add_option("--heartbeat-ttl", o->cfg.heartbeat_ttl_s,
                 "Seconds the heartbeat key lives; the janitor requeues our jobs this long after we die")
      ->capture_default_str()->check(CLI::Range(1, 86400));
  app.add_option("--max-retries", o->cfg.max_retries, "Retries of a transient failure (bucket I/O) before the job fails")
      ->capture_default_str()->check(CLI::Range(0, 100));
  app.add_option("--max-pixels", o->cfg.max_image_pixels, "Largest image, pixels; larger ones fail with a reason")
      ->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  app.footer(
      "Runs until SIGTERM/SIGINT; the jobs in progress finish first. Liveness: a heartbeat key per worker, so\n"
      "`cellkiosk janitor` can give the jobs of a consumer that died back to the queue.\n"
      "Example:\n"
      "  cellkiosk consumer --queue segmentation --redis redis://127.0.0.1:6379 --bucket /data/bucket\n"
      "  cellkiosk consumer --queue segmentation-zip --redis redis://127.0.0.1:6379 --bucket /data/bucket");
  return [o] {
    auto& stop = install_stop_signals();
    auto queue = std::shared_ptr<JobQueue>(open_job_queue(o->redis));
    queue->set_reconnect_deadline(5);  // outages are logged every few seconds and SIGTERM is noticed
    auto bucket = std::shared_ptr<Bucket>(open_bucket(o->bucket));
    Consumer consumer(o->cfg, queue, bucket);
    consumer.run(stop);
    return 0;
  };
}

}  // namespace ck::cli
