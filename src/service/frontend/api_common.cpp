#include <ctime>
// Helpers shared by the REST frontend's route files (see frontend_internal.h).
#include <algorithm>
#include <cctype>

#include "jobs/job_queue.h"
#include "service/frontend/auth.h"
#include "service/frontend/frontend_internal.h"
#include "storage/bucket.h"

namespace ck::api {

std::vector<std::string> Context::queues() const {
  std::vector<std::string> out;
  for (const auto& t : cfg.job_types) {
    out.push_back(t);
    out.push_back(t + "-zip");
  }
  return out;
}

bool is_job_key(const Context& ctx, const std::string& key) {
  if (key.size() > 2048 || std::any_of(key.begin(), key.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
    return false;
  for (const auto& q : ctx.queues()) {
    if (key.size() <= q.size() + 1 || key.compare(0, q.size() + 1, q + ":") != 0) continue;
    const size_t last = key.rfind(':');
    return last > q.size() && last + 1 < key.size();  // <queue>:<name>:<id>, name and id non-empty
  }
  return false;
}

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  std::string one_line = message;
  std::replace_if(one_line.begin(), one_line.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  send_json(res, status, {{"message", one_line}});
}

void close_after(const httplib::Request& req, httplib::Response& res) {
  if (req.get_header_value("Connection") != "close" && !res.has_header("Connection"))
    res.set_header("Connection", "close");
}

void guarded(httplib::Response& res, const std::function<void()>& fn) {
  try {
    fn();
  } catch (const QueueUnavailable& e) {
    send_error(res, 503, std::string("job store unavailable: ") + e.what());
  } catch (const BucketNotFound& e) {
    send_error(res, 404, e.what());
  } catch (const QueueError& e) {
    send_error(res, 500, std::string("job store error: ") + e.what());
  } catch (const BucketError& e) {
    send_error(res, 500, std::string("bucket error: ") + e.what());
  } catch (const std::exception& e) {
    send_error(res, 500, std::string("internal error: ") + e.what());
  }
}

bool read_body(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
               std::size_t limit, std::string& out) {
  if (req.is_multipart_form_data()) {
    close_after(req, res);
    send_error(res, 415, "expected a JSON body, got multipart/form-data");
    return false;
  }
  bool too_large = false;
  const bool ok = reader([&](const char* data, std::size_t n) {
    if (out.size() + n > limit) {
      too_large = true;
      return false;
    }
    out.append(data, n);
    return true;
  });
  if (too_large || res.status == 413) {
    close_after(req, res);
    send_error(res, 413, "request body over " + std::to_string(limit) + " bytes");
    return false;
  }
  if (!ok) {
    close_after(req, res);
    send_error(res, 400, "could not read the request body");
    return false;
  }
  return true;
}

std::optional<nlohmann::json> read_json_object(const httplib::Request& req, httplib::Response& res,
                                               const httplib::ContentReader& reader, std::size_t limit) {
  std::string body;
  if (!read_body(req, res, reader, limit, body)) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    send_error(res, 400, "the request body is not valid JSON");
    return std::nullopt;
  }
  if (!j.is_object()) {
    send_error(res, 400, "the request body must be a JSON object");
    return std::nullopt;
  }
  return j;
}

namespace {
bool plausible_host(std::string_view h) {
  if (h.empty() || h.size() > 255) return false;
  return std::all_of(h.begin(), h.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' ||
           c == ']' || c == '_';
  });
}
}  // namespace

std::string base_url(const httplib::Request& req, const FrontendConfig& cfg) {
  if (!cfg.public_url.empty()) {
    std::string u = cfg.public_url;
    while (!u.empty() && u.back() == '/') u.pop_back();
    return u;
  }
  const std::string proto = req.get_header_value("X-Forwarded-Proto");
  const std::string scheme = proto == "https" ? "https" : "http";
  std::string host = req.get_header_value("Host");
  if (!plausible_host(host)) {
    const bool v6 = req.local_addr.find(':') != std::string::npos;
    host = (v6 ? "[" + req.local_addr + "]" : req.local_addr) + ":" + std::to_string(req.local_port);
  }
  return scheme + "://" + host;
}

std::string url_encode_path(std::string_view key) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : key) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string check_served_key(std::string_view key, const FrontendConfig& cfg) {
  if (key.empty()) return "empty key";
  if (key.front() == '/') return "absolute keys are not allowed";
  if (key.find("..") != std::string_view::npos) return "'..' is not allowed in keys";
  try {
    validate_bucket_key(key);
  } catch (const BucketError& e) {
    return e.what();
  }
  const std::string up = cfg.upload_prefix + "/", out = cfg.output_prefix + "/";
  if (key.rfind(up, 0) != 0 && key.rfind(out, 0) != 0)
    return "only keys under " + up + " and " + out + " are served";
  return {};
}

std::string content_type_for(std::string_view name) {
  std::string ext;
  const auto dot = name.rfind('.');
  if (dot != std::string_view::npos && name.find('/', dot) == std::string_view::npos) {
    for (char c : name.substr(dot + 1)) ext += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (ext == "png") return "image/png";
  if (ext == "tif" || ext == "tiff") return "image/tiff";
  if (ext == "zip") return "application/zip";
  if (ext == "csv") return "text/csv";
  if (ext == "json") return "application/json";
  if (ext == "geojson") return "application/geo+json";
  return "application/octet-stream";
}

std::string path_template(const std::string& method, const std::string& path) {
  if (const Route* r = find_route(method, path)) return r->path;
  if (path.rfind("/api/", 0) == 0 || path == "/api" || path.rfind("/files/", 0) == 0 || path == "/metrics")
    return "/api/other";
  return "static";
}

std::optional<std::string> client_field(const JobFields& fields, const std::string& field, const std::string& base,
                                        const FrontendConfig& cfg, const std::string& job_key) {
  const auto it = fields.find(field);
  if (field != field::kOutputUrl) {
    if (it == fields.end()) return std::nullopt;
    return it->second;
  }
  if (it != fields.end() && (it->second.rfind("http://", 0) == 0 || it->second.rfind("https://", 0) == 0))
    return it->second;
  const auto st = fields.find(field::kStatus);
  const auto out = fields.find(field::kOutputFileName);
  if (st == fields.end() || st->second != status::kDone || out == fields.end() || out->second.empty())
    return std::nullopt;
  std::string url = base + "/files/" + url_encode_path(out->second);
  if (!cfg.token.empty()) {
    // signed for a limited time and for this job: the link stops working at `exp` or once the job is gone
    const int64_t exp = static_cast<int64_t>(std::time(nullptr)) + cfg.signed_url_ttl_s;
    url += "?exp=" + std::to_string(exp) + "&job=" + url_encode_path(job_key) + "&sig=" +
           sign_download(cfg.token, out->second, exp, job_key);
  }
  return url;
}

}  // namespace ck::api
