#pragma once
// Frontend: the Kiosk-compatible REST API and web UI server (cpp-httplib). Wire-compatible with the DeepCell
// Kiosk frontend for the calls of the Kiosk client (see kiosk-client-contract.md): uploads into the bucket,
// job creation (hash + push onto the queue), job status and fields, result downloads, plus cellkiosk's own
// endpoints (job details, models with their resolution, OpenAPI document, Prometheus metrics, auth, rate limit).
// The full endpoint reference is the OpenAPI document served at GET /api/openapi.json (openapi.cpp).
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "jobs/job_queue.h"
#include "model/manifest.h"
#include "storage/bucket.h"

namespace ck {

struct FrontendConfig {
  std::string host = "127.0.0.1";                ///< address to bind
  int port = 8080;                               ///< 0 = any free port (see Frontend::port())
  std::string upload_prefix = "uploads";         ///< bucket prefix of uploads; uploadedName starts with it
  std::string output_prefix = "output";          ///< bucket prefix of results (served by /files, /api/download)
  uint64_t max_upload_bytes = uint64_t{1} << 30;  ///< bytes of one uploaded file; larger -> 413
  int64_t max_image_pixels = int64_t{1} << 28;   ///< pixels of one image (all pages); larger -> 413 at predict
  double rate_limit = 0;                         ///< requests/s per client IP (token bucket); 0 = off
  double rate_burst = 0;                         ///< bucket size; 0 = max(1, rate_limit)
  std::string token;                             ///< bearer token; empty = no auth
  int64_t signed_url_ttl_s = 86400;              ///< output_url signatures expire this long after they are issued
  bool insecure = false;                         ///< allow a non-loopback host without a token
  std::string web_dir;                           ///< static UI files served at /; empty or missing = a note page
  std::vector<std::string> job_types = {"segmentation"};  ///< accepted jobType values (= queue names)
  std::vector<ModelManifest> models;             ///< listed by /api/models; modelName must be one (if any)
  int threads = 16;                              ///< HTTP worker threads
  std::string identity = "frontend";             ///< identity_upload of created jobs ("frontend-<hostname>")
  std::string public_url;                        ///< base of absolute URLs; empty = <scheme>://<Host header>
  uint64_t max_json_bytes = uint64_t{1} << 20;   ///< bytes of a JSON request body; larger -> 413
  int metrics_scan_limit = 20000;                ///< job hashes read per queue for cellkiosk_jobs{status}
};

/// Starts, serves and stops the HTTP server. Handlers run on `threads` worker threads; a bad request never
/// throws out of a handler (4xx/5xx JSON instead).
class Frontend {
 public:
  /// Validates the configuration. Throws std::invalid_argument with a one-line reason: no token on a
  /// non-loopback host without `insecure`, empty job types, bad prefixes, zero limits.
  Frontend(FrontendConfig cfg, std::shared_ptr<JobQueue> queue, std::shared_ptr<Bucket> bucket);
  ~Frontend();
  Frontend(const Frontend&) = delete;
  Frontend& operator=(const Frontend&) = delete;

  /// Binds host:port and serves on a background thread. Returns the bound port. Throws std::runtime_error
  /// ("cannot listen on HOST:PORT") if the address cannot be bound.
  int start();
  /// Stops accepting, waits for the server thread (requests in flight finish). Idempotent.
  void stop();
  /// Bound port (0 before start()).
  int port() const;
  /// "http://HOST:PORT/" of the bound server.
  std::string url() const;
  const FrontendConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ck
