// Frontend: server set-up, middleware (rate limit, auth, request metrics, JSON errors), static UI files.
// The endpoints live in api_jobs.cpp, api_files.cpp and api_meta.cpp.
#include "service/frontend/frontend.h"

#include <spdlog/spdlog.h>

#include <ctime>
#include <filesystem>
#include <thread>

#include "service/frontend/auth.h"
#include "service/frontend/frontend_internal.h"
#include "service/prometheus.h"

namespace ck {

using api::Access;
using api::find_route;
using api::Route;

namespace {

/// Paths that answer JSON errors (API, downloads, metrics); UI paths answer plain text.
bool is_json_path(const std::string& path) {
  return path == "/api" || path.rfind("/api/", 0) == 0 || path.rfind("/files/", 0) == 0 || path == "/metrics";
}

/// Who may call `method path` (the route table; unknown /api, /files and /metrics paths need the token so that a
/// 404 tells nothing to a client without one; other paths are the public web page).
Access access_of(const std::string& method, const std::string& path) {
  if (const Route* r = find_route(method, path)) return r->access;
  return is_json_path(path) ? Access::Token : Access::Public;
}

/// Downloads may carry the signature of an output_url (?exp=<unix s>&job=<key>&sig=...: valid until exp and while
/// the job exists). The token itself is never accepted in a URL (it would end up in logs and browser history): the
/// web UI sends it as a header.
bool download_authorized(const httplib::Request& req, const FrontendConfig& cfg, JobQueue& queue) {
  std::string key;
  if (req.path.rfind("/files/", 0) == 0) key = req.path.substr(7);
  else if (req.path.rfind("/api/download/", 0) == 0) key = req.path.substr(14);
  else return false;
  if (req.has_param("sig") && req.has_param("exp")) {
    const int64_t exp = std::strtoll(req.get_param_value("exp").c_str(), nullptr, 10);
    const std::string job = req.get_param_value("job");
    if (exp > 0 && exp >= static_cast<int64_t>(std::time(nullptr)) &&
        constant_time_equal(req.get_param_value("sig"), sign_download(cfg.token, key, exp, job)) &&
        (job.empty() || queue.exists(job)))
      return true;
  }
  return false;
}

const char* kNoWebPage =
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>cellkiosk</title></head><body>"
    "<h1>cellkiosk</h1><p>The REST API is running (see <a href=\"/api/openapi.json\">/api/openapi.json</a>), "
    "but the web UI files were not found (start <code>cellkiosk serve</code> with <code>--web DIR</code>).</p>"
    "</body></html>\n";

}  // namespace

struct Frontend::Impl {
  api::Context ctx;
  httplib::Server svr;
  std::thread thread;
  int port = 0;
  bool started = false;
};

Frontend::Frontend(FrontendConfig cfg, std::shared_ptr<JobQueue> queue, std::shared_ptr<Bucket> bucket)
    : impl_(std::make_unique<Impl>()) {
  if (!queue || !bucket) throw std::invalid_argument("the frontend needs a job queue and a bucket");
  if (cfg.token.empty() && !cfg.insecure && !is_loopback_host(cfg.host))
    throw std::invalid_argument("refusing to serve on " + cfg.host +
                                " without a token: set --token or CELLKIOSK_TOKEN, or pass --insecure");
  if (cfg.job_types.empty()) throw std::invalid_argument("no job types configured");
  for (const auto& t : cfg.job_types) {
    if (t.empty() || t.find_first_of(": \t\r\n") != std::string::npos)
      throw std::invalid_argument("invalid job type '" + t + "'");
    // these prefixes name the service's own keys (heartbeats, processing lists, child sets)
    if (t == "consumer" || t.rfind("processing-", 0) == 0 || t.rfind("children-", 0) == 0)
      throw std::invalid_argument("job type '" + t + "' is reserved");
  }
  for (const std::string* p : {&cfg.upload_prefix, &cfg.output_prefix}) {
    if (p->empty() || p->find('/') != std::string::npos || *p == "." || *p == "..")
      throw std::invalid_argument("invalid bucket prefix '" + *p + "' (one path segment)");
  }
  if (cfg.max_upload_bytes == 0) throw std::invalid_argument("max upload size must be > 0");
  if (cfg.max_image_pixels <= 0) throw std::invalid_argument("max image pixels must be > 0");
  if (cfg.threads <= 0) cfg.threads = 16;
  if (cfg.port < 0 || cfg.port > 65535) throw std::invalid_argument("invalid port " + std::to_string(cfg.port));
  impl_->ctx.limiter.reset(cfg.rate_limit, cfg.rate_burst);
  impl_->ctx.cfg = std::move(cfg);
  impl_->ctx.queue = std::move(queue);
  impl_->ctx.bucket = std::move(bucket);
}

Frontend::~Frontend() { stop(); }

const FrontendConfig& Frontend::config() const { return impl_->ctx.cfg; }
int Frontend::port() const { return impl_->port; }

std::string Frontend::url() const {
  const std::string& h = impl_->ctx.cfg.host;
  const bool v6 = h.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + h + "]" : h) + ":" + std::to_string(impl_->port) + "/";
}

int Frontend::start() {
  if (impl_->started) return impl_->port;
  auto& svr = impl_->svr;
  auto& ctx = impl_->ctx;
  const FrontendConfig& cfg = ctx.cfg;

  svr.set_tcp_nodelay(true);
  const int threads = cfg.threads;
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  // Multipart overhead on top of the file itself; bodies over this are skipped with 413 before any handler.
  svr.set_payload_max_length(static_cast<std::size_t>(cfg.max_upload_bytes) + (std::size_t{1} << 20));
  svr.set_read_timeout(30, 0);
  svr.set_write_timeout(60, 0);

  // An upload whose Content-Length is over the limit is refused before its body is read: at "Expect:
  // 100-continue" (curl, browsers for large files) with the 413 instead of the 100, otherwise in pre-routing with
  // Connection: close (the body is never read).
  // `slack`: how far over the limit a body may be and still be read (and dropped) before the 413, so that a client
  // that sends its whole body before reading the answer sees the 413 rather than a reset connection.
  const auto too_large = [&ctx](const httplib::Request& req, uint64_t slack) -> std::string {
    if (req.path != "/api/upload" || !req.has_header("Content-Length")) return {};
    const uint64_t len = std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10);
    const uint64_t limit = ctx.cfg.max_upload_bytes + (uint64_t{1} << 20) + slack;  // the file + multipart overhead
    if (len <= limit) return {};
    return fmt::format("upload of {} bytes is over the limit of {} bytes per file (serve --max-upload-mb)", len,
                       ctx.cfg.max_upload_bytes);
  };
  svr.set_expect_100_continue_handler([too_large](const httplib::Request& req, httplib::Response& res) {
    const std::string why = too_large(req, 0);  // nothing sent yet: refuse anything over the limit
    if (why.empty()) return 100;
    spdlog::info("refused {} {} from {}: 413 {}", req.method, req.path, req.remote_addr, why);
    api::send_error(res, 413, why);
    res.set_header("Connection", "close");
    return 413;
  });

  svr.set_pre_routing_handler([&ctx, too_large](const httplib::Request& req, httplib::Response& res) {
    const FrontendConfig& c = ctx.cfg;
    if (const std::string why = too_large(req, uint64_t{64} << 20); !why.empty()) {  // far over: never read it
      spdlog::info("refused {} {} from {}: 413 {}", req.method, req.path, req.remote_addr, why);
      res.set_header("Connection", "close");
      api::send_error(res, 413, why);
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.path != "/api/health-check" && ctx.limiter.enabled()) {
      double retry = 0;
      if (!ctx.limiter.allow(req.remote_addr, &retry)) {
        res.set_header("Retry-After", std::to_string(static_cast<long>(retry) + 1));
        api::close_after(req, res);
        api::send_error(res, 429, fmt::format("rate limit of {:g} requests/s per client exceeded", c.rate_limit));
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    if (req.method == "POST" && !find_route("POST", req.path)) {
      api::close_after(req, res);
      api::send_error(res, 404, "no such endpoint: POST " + req.path);
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.method != "GET" && req.method != "HEAD" && req.method != "POST" && is_json_path(req.path)) {
      api::close_after(req, res);
      api::send_error(res, 405, "method " + req.method + " not allowed on " + req.path);
      return httplib::Server::HandlerResponse::Handled;
    }
    const Access access = access_of(req.method, req.path);
    if (!c.token.empty() && access != Access::Public &&
        !bearer_matches(req.get_header_value("Authorization"), c.token) &&
        !(access == Access::Download && download_authorized(req, c, *ctx.queue))) {
      res.set_header("WWW-Authenticate", "Bearer");
      api::close_after(req, res);
      api::send_error(res, 401, "missing or wrong bearer token (Authorization: Bearer <token>)");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  // Every /api, /files and /metrics answer is JSON, whatever produced the error (no route, payload limit,
  // cpp-httplib's own 400s).
  svr.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
    if (!is_json_path(req.path)) return httplib::Server::HandlerResponse::Unhandled;
    if (res.get_header_value("Content-Type") == "application/json" && !res.body.empty())
      return httplib::Server::HandlerResponse::Unhandled;
    if (res.has_header("Content-Type")) res.headers.erase("Content-Type");
    std::string msg = "HTTP error " + std::to_string(res.status);
    if (res.status == 400) msg = "bad request";
    if (res.status == 404) msg = "no such endpoint: " + req.method + " " + req.path;
    if (res.status == 413) msg = "request body too large";
    if (res.status == 416) msg = "requested range not satisfiable";
    api::send_error(res, res.status, msg);
    return httplib::Server::HandlerResponse::Handled;
  }));

  svr.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    api::send_error(res, 500, "internal error: " + what);
  });

  svr.set_post_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    // no content sniffing of anything we serve (uploads are served back as files); the web UI loads only its own
    // scripts and styles
    res.set_header("X-Content-Type-Options", "nosniff");
    if (res.get_header_value("Content-Type").rfind("text/html", 0) == 0)
      res.set_header("Content-Security-Policy",
                     "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; "
                     "object-src 'none'; frame-ancestors 'none'; base-uri 'none'");
    PrometheusRegistry::global().inc(
        "cellkiosk_http_requests_total", "HTTP requests answered by the frontend",
        {{"method", req.method}, {"path_template", api::path_template(req.method, req.path)},
         {"code", std::to_string(res.status)}});
  });

  // Every refused request is logged with its reason (an operator must see why a client keeps retrying).
  svr.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    if (res.status >= 400) {
      std::string why = res.body.substr(0, 300);
      const auto j = nlohmann::json::parse(res.body, nullptr, false);
      if (j.is_object() && j.contains("message") && j["message"].is_string()) why = j["message"].get<std::string>();
      spdlog::info("{} {} {} -> {}: {}", req.remote_addr, req.method, req.path, res.status, why);
    } else {
      spdlog::debug("{} {} {} -> {}", req.remote_addr, req.method, req.path, res.status);
    }
  });

  // Every endpoint from the one route table (routes.h); the web page is mounted below and "/" falls back to
  // a note when there is none.
  api::RouteHandlers handlers;
  api::add_meta_handlers(handlers, ctx);
  api::add_job_handlers(handlers, ctx);
  api::add_file_handlers(handlers, ctx);
  handlers["GET /"] = [](const httplib::Request&, httplib::Response& res, const httplib::ContentReader*) {
    res.set_content(kNoWebPage, "text/html");
  };

  std::error_code ec;
  bool mounted = false;
  if (!cfg.web_dir.empty() && std::filesystem::is_directory(cfg.web_dir, ec)) {
    mounted = svr.set_mount_point("/", cfg.web_dir);
    svr.set_file_extension_and_mimetype_mapping("js", "text/javascript");
    svr.set_file_extension_and_mimetype_mapping("mjs", "text/javascript");
  }
  if (!mounted && !cfg.web_dir.empty()) spdlog::warn("web UI folder '{}' not found; GET / shows a note", cfg.web_dir);
  // Registered after the mount, so "/" (the route table's fallback note) answers only when the static mount did
  // not (no web folder, or no index.html): GET / must answer (Kiosk client contract rule 8).
  api::register_routes(svr, handlers);

  int port = cfg.port;
  if (port == 0) {
    port = svr.bind_to_any_port(cfg.host);
    if (port <= 0) throw std::runtime_error("cannot listen on " + cfg.host + " (any port)");
  } else if (!svr.bind_to_port(cfg.host, port)) {
    throw std::runtime_error("cannot listen on " + cfg.host + ":" + std::to_string(port));
  }
  impl_->port = port;
  impl_->started = true;
  impl_->thread = std::thread([this] { impl_->svr.listen_after_bind(); });
  return port;
}

void Frontend::stop() {
  if (!impl_ || !impl_->started) return;
  impl_->svr.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->started = false;
}

}  // namespace ck
