// `cellkiosk serve --port 8080 --data DIR`: the whole service in one process: the Kiosk-compatible REST frontend
// and web UI, N segmentation consumers, one zip consumer and the janitor, on the embedded memory queue and a
// local bucket (or joining a cluster with --redis).
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <ctime>
#include <thread>

#include "cli/commands.h"
#include "cli/stop_signals.h"
#include "jobs/janitor.h"
#include "service/prometheus.h"
#include "storage/retention.h"
#include "service/consumer/consumer.h"
#include "service/frontend/frontend.h"

namespace ck::cli {

namespace {

namespace fs = std::filesystem;

struct ServeCli {
  FrontendConfig fe;
  std::string data;
  std::string bucket;  ///< default <data>/bucket
  std::string redis;   ///< empty = embedded memory queue
  int consumers = 1;
  int workers = 0;
  int torch_threads = 0;
  std::string model = "nuclear";
  std::string device = "cpu";
  uint64_t max_upload_mb = 1024;
  double retention_h = 24;  ///< hours uploads and outputs are kept (0 = forever)
};

/// --web default: the source tree's web/ (a build run from the checkout), else <exe>/../share/cellkiosk/web.
std::string default_web_dir() {
  std::error_code ec;
#ifdef CK_SOURCE_WEB_DIR
  if (fs::is_directory(CK_SOURCE_WEB_DIR, ec)) return CK_SOURCE_WEB_DIR;
#endif
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path shared = exe.parent_path().parent_path() / "share" / "cellkiosk" / "web";
    if (fs::is_directory(shared, ec)) return shared.string();
  }
  return {};
}

std::string hostname() {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == 0) return "localhost";
  return host;
}

}  // namespace

Runner add_serve(CLI::App& app) {
  auto o = std::make_shared<ServeCli>();
  o->fe.port = 8080;
  app.add_option("--port", o->fe.port, "TCP port of the REST API and web UI (0 = any free port)")
      ->capture_default_str()->check(CLI::Range(0, 65535));
  app.add_option("--data", o->data, "Data directory: the bucket lives in DATA/bucket (uploads/, output/)")->required();
  app.add_option("--host", o->fe.host,
                 "Address to bind; any non-loopback address needs --token (or CELLKIOSK_TOKEN) or --insecure")
      ->capture_default_str();
  app.add_option("--redis", o->redis,
                 "Join a cluster: Redis URL redis://[:PASSWORD@]HOST:PORT[/DB] instead of the embedded queue "
                 "(then DATA/bucket, or --bucket, must be the cluster's shared bucket)");
  app.add_option("--bucket", o->bucket, "Bucket directory (default DATA/bucket)");
  app.add_option("--consumers", o->consumers, "Segmentation consumers in this process (0 = frontend only, plus the "
                                              "zip consumer and janitor)")
      ->capture_default_str()->check(CLI::Range(0, 64));
  app.add_option("--workers", o->workers, "Jobs each consumer processes at once (0 = min(cores, 4))")
      ->capture_default_str()->check(CLI::Range(0, 256));
  app.add_option("--threads", o->torch_threads, "Inference threads per worker (0 = cores / workers)")
      ->capture_default_str()->check(CLI::Range(0, 1024));
  app.add_option("-m,--model", o->model, "Model name under models/ or path to a model folder")->capture_default_str();
  app.add_option("--device", o->device, "cpu, or cuda (CUDA-enabled LibTorch builds)")->capture_default_str();
  app.add_option("--token", o->fe.token,
                 "Bearer token required on /api/*, /files/* and /metrics (default: $CELLKIOSK_TOKEN; none = no auth)");
  app.add_flag("--insecure", o->fe.insecure, "Allow a non-loopback --host without a token");
  app.add_option("--max-upload-mb", o->max_upload_mb, "Largest upload, MiB (larger: 413)")
      ->capture_default_str()->check(CLI::Range(uint64_t{1}, uint64_t{1} << 30));
  app.add_option("--max-pixels", o->fe.max_image_pixels,
                 "Largest image, pixels over all pages (refused at predict from its header; 2^28 by default)")
      ->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  app.add_option("--rate-limit", o->fe.rate_limit, "Requests/s per client IP (token bucket; 0 = off)")
      ->capture_default_str()->check(CLI::Range(0.0, 1e9));
  app.add_option("--rate-burst", o->fe.rate_burst, "Requests a client may make at once (0 = max(1, rate))")
      ->capture_default_str()->check(CLI::Range(0.0, 1e9));
  app.add_option("--web", o->fe.web_dir,
                 "Web UI folder (default: the source tree's web/, else <exe>/../share/cellkiosk/web)");
  app.add_option("--upload-prefix", o->fe.upload_prefix, "Bucket prefix of uploads (Kiosk: uploads)")
      ->capture_default_str();
  app.add_option("--public-url", o->fe.public_url,
                 "Base of absolute URLs (imageURL, output_url), e.g. https://kiosk.example.org; default: from the "
                 "request's Host header");
  app.add_option("--retention", o->retention_h,
                 "Hours an upload or output is kept in the bucket after it was written (an output: after its job\n"
                 "ended); older ones are deleted by a sweep every few minutes. 0 = keep for ever. On S3, set a bucket\n"
                 "lifecycle rule expiring uploads/ and output/ instead")
      ->capture_default_str()->check(CLI::Range(0.0, 1e6));
  app.add_option("--http-threads", o->fe.threads, "HTTP worker threads")->capture_default_str()->check(CLI::Range(1, 1024));
  app.footer(
      "Serves the REST API (Kiosk-compatible: the DeepCell Kiosk client and web UI work unchanged; reference at\n"
      "/api/openapi.json), the web UI at /, and Prometheus metrics at /metrics. Runs until SIGINT/SIGTERM; jobs in\n"
      "progress finish first (a second signal quits at once).\n"
      "Example:\n"
      "  cellkiosk serve --port 8080 --data ./kiosk-data\n"
      "  # then open http://127.0.0.1:8080/ or use the Kiosk client:\n"
      "  python -m kiosk_client image.png --job-type segmentation --host 127.0.0.1:8080\n"
      "  # on a network, with a token:\n"
      "  CELLKIOSK_TOKEN=s3cret cellkiosk serve --host 0.0.0.0 --port 8080 --data /srv/kiosk");
  return [o] {
    auto& stop = install_stop_signals();
    FrontendConfig fe = o->fe;
    if (fe.token.empty()) {
      if (const char* env = std::getenv("CELLKIOSK_TOKEN")) fe.token = env;
    }
    if (fe.web_dir.empty()) fe.web_dir = default_web_dir();
    fe.max_upload_bytes = o->max_upload_mb << 20;
    fe.identity = "frontend-" + hostname();
    fe.job_types = {"segmentation"};
    const ModelManifest manifest = find_model(o->model);
    fe.models = {manifest};

    const std::string bucket_url = o->bucket.empty() ? (fs::path(o->data) / "bucket").string() : o->bucket;
    std::shared_ptr<JobQueue> queue = open_job_queue(o->redis.empty() ? "memory" : o->redis);
    queue->set_reconnect_deadline(5);  // a Redis outage answers 503s and is logged, rather than hanging requests
    std::shared_ptr<Bucket> bucket = open_bucket(bucket_url);
    Frontend frontend(fe, queue, bucket);  // validates (token rule) before the model loads

    // Consumers load the model now, so the URL printed below is ready to take jobs.
    std::vector<std::unique_ptr<Consumer>> consumers;
    for (int i = 0; i < o->consumers; ++i) {
      ConsumerConfig cc;
      cc.queue = "segmentation";
      cc.workers = o->workers;
      cc.torch_threads = o->torch_threads;
      cc.model = o->model;
      cc.device = o->device;
      cc.max_image_pixels = fe.max_image_pixels;
      consumers.push_back(std::make_unique<Consumer>(cc, queue, bucket));
    }
    ConsumerConfig zc;
    zc.queue = "segmentation-zip";
    zc.workers = 1;
    zc.torch_threads = 1;
    zc.model = o->model;
    zc.device = o->device;
    zc.max_image_pixels = fe.max_image_pixels;
    consumers.push_back(std::make_unique<Consumer>(zc, queue, bucket));

    const int port = frontend.start();
    (void)port;
    std::vector<std::thread> threads;
    for (auto& c : consumers) threads.emplace_back([&c, &stop] { c->run(stop); });
    JanitorConfig jc;
    jc.queues = {"segmentation", "segmentation-zip"};
    threads.emplace_back([&queue, &stop, jc] {
      Janitor janitor(jc, *queue);
      janitor.run(stop);
    });
    // Retention: old uploads and outputs leave the bucket; what remains is exported as disk use on /metrics.
    const double retention_s = o->retention_h * 3600.0;
    threads.emplace_back([&bucket, &stop, retention_s, upload_prefix = fe.upload_prefix] {
      const double every_s = retention_s > 0 ? std::clamp(retention_s / 10, 1.0, 300.0) : 300.0;
      auto next = std::chrono::steady_clock::now();
      while (!stop.load()) {
        if (std::chrono::steady_clock::now() >= next) {
          try {
            const RetentionSweep r = sweep_retention(*bucket, {upload_prefix + "/", "output/"}, retention_s,
                                                     static_cast<int64_t>(std::time(nullptr)));
            auto& reg = PrometheusRegistry::global();
            reg.set_gauge("cellkiosk_bucket_bytes", "Bytes of uploads and outputs in the bucket",
                          static_cast<double>(r.bytes_kept));
            reg.set_gauge("cellkiosk_bucket_objects", "Uploads and outputs in the bucket", static_cast<double>(r.kept));
            if (r.deleted > 0) {
              reg.inc("cellkiosk_bucket_deleted_total", "Objects deleted by the retention sweep", {},
                      static_cast<double>(r.deleted));
              spdlog::info("retention: deleted {} object(s), {} bytes, older than {} h", r.deleted, r.bytes_deleted,
                           retention_s / 3600);
            }
          } catch (const std::exception& e) {
            spdlog::warn("retention sweep failed: {}", e.what());
          }
          next = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                        std::chrono::duration<double>(every_s));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    });

    std::printf("cellkiosk serve: %s (bucket %s, queue %s)\n", frontend.url().c_str(), bucket->describe().c_str(),
                queue->describe().c_str());
    std::printf("  model %s v%s, %d segmentation consumer(s) + 1 zip consumer, auth %s, web UI %s\n",
                manifest.name.c_str(), manifest.version.c_str(), o->consumers, fe.token.empty() ? "off" : "bearer token",
                fe.web_dir.empty() ? "(none)" : fe.web_dir.c_str());
    std::fflush(stdout);

    while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    spdlog::info("serve: stopping (no new requests; consumers finish their jobs)");
    frontend.stop();
    for (auto& t : threads) t.join();
    return 0;
  };
}

}  // namespace ck::cli
