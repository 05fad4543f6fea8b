#pragma once
// Shared state and helpers of the REST frontend's route files (api_*.cpp). Not a public interface.
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "service/frontend/frontend.h"
#include "service/frontend/rate_limit.h"
#include "service/frontend/routes.h"

namespace ck::api {

/// What every route handler sees.
struct Context {
  FrontendConfig cfg;
  std::shared_ptr<JobQueue> queue;
  std::shared_ptr<Bucket> bucket;
  RateLimiter limiter;

  /// Queue names this frontend feeds: each job type and its "-zip" variant.
  std::vector<std::string> queues() const;
};

/// True if `key` has the shape of one of this service's job keys, `<queue>:<name>:<id>` with `<queue>` one of
/// ctx.queues() (job types and their "-zip" queues). Queue lists, processing lists, heartbeats
/// (`consumer:<id>:heartbeat`) and a zip parent's child sets never match.
bool is_job_key(const Context& ctx, const std::string& key);

// ---- responses (every /api answer is JSON, Kiosk client contract rule 2) ----

/// Sets `status` and a compact JSON body with Content-Type application/json (invalid UTF-8 replaced).
void send_json(httplib::Response& res, int status, const nlohmann::json& body);
/// `{"message": "<one line>"}` with `status` (newlines in `message` become spaces).
void send_error(httplib::Response& res, int status, const std::string& message);
/// Adds `Connection: close` unless the request asked for it (then cpp-httplib echoes it itself): used when a
/// request body is left unread, so the client does not reuse the socket.
void close_after(const httplib::Request& req, httplib::Response& res);

/// Runs `fn`, mapping exceptions to JSON errors: QueueUnavailable -> 503, BucketNotFound -> 404, other
/// Queue/Bucket errors and std::exception -> 500.
void guarded(httplib::Response& res, const std::function<void()>& fn);

// ---- requests ----

/// Reads a (non-multipart) request body of at most `limit` bytes into `out`. On failure sends 413 (too large)
/// or 400 (unreadable) and returns false.
bool read_body(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
               std::size_t limit, std::string& out);
/// read_body + JSON parse; the body must be a JSON object (else 400 and nullopt).
std::optional<nlohmann::json> read_json_object(const httplib::Request& req, httplib::Response& res,
                                               const httplib::ContentReader& reader, std::size_t limit);

/// Base of absolute URLs without a trailing '/': cfg.public_url, else "<scheme>://<Host>", scheme "https" when
/// X-Forwarded-Proto says so, Host from the Host header when it is a plausible host[:port], else the local
/// address the request came in on.
std::string base_url(const httplib::Request& req, const FrontendConfig& cfg);

/// Percent-encodes a bucket key for a URL path (unreserved characters and '/' stay as they are).
std::string url_encode_path(std::string_view key);

/// A bucket key a client may read: valid key, no "..", under `<upload_prefix>/` or `<output_prefix>/`.
/// Returns an empty string when allowed, else the reason.
std::string check_served_key(std::string_view key, const FrontendConfig& cfg);

/// MIME type from the file name extension (".png" -> image/png, ".tif" -> image/tiff, ".zip", ".csv",
/// ".json"; else application/octet-stream).
std::string content_type_for(std::string_view name);

/// Low-cardinality route label for metrics: the endpoint template ("/api/jobs/{hash}", "/files/{key}"),
/// "static" for UI files.
std::string path_template(const std::string& method, const std::string& path);

// ---- job fields as clients see them ----

/// The value a client reads for `field` of a job: the stored value, except `output_url`, which is synthesized
/// as <base>/files/<output_file_name> (plus ?exp=&job=&sig= when a token is set: valid for cfg.signed_url_ttl_s and
/// while the job `job_key` exists) for a `done` job that has an
/// output_file_name but no absolute output_url. nullopt when missing.
std::optional<std::string> client_field(const JobFields& fields, const std::string& field, const std::string& base,
                                        const FrontendConfig& cfg, const std::string& job_key);

// ---- route registration (one file per purpose) ----

// Each adds its handlers, keyed "<METHOD> <path template>" as in routes.h's table.
void add_job_handlers(RouteHandlers& h, Context& ctx);   ///< api_jobs.cpp
void add_file_handlers(RouteHandlers& h, Context& ctx);  ///< api_files.cpp
void add_meta_handlers(RouteHandlers& h, Context& ctx);  ///< api_meta.cpp (health, models, metrics)

/// The OpenAPI 3.0 document (openapi.cpp): its paths are exactly the route table's, with the details of each
/// operation from openapi.cpp and `security: []` on public routes.
const std::string& openapi_document();

}  // namespace ck::api
