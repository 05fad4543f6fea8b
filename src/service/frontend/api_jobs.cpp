// Job endpoints: POST /api/predict (create a job), /api/status, /api/redis, /api/redis/expire (Kiosk), and
// GET /api/jobs/<hash> (all fields, for the web UI).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include <spdlog/spdlog.h>

#include "image/probe.h"
#include "jobs/segment_request.h"
#include "service/frontend/frontend_internal.h"
#include "service/prometheus.h"

namespace ck::api {

namespace {

/// "<16 hex>_name.png" (the upload id our /api/upload prefixes) -> "name.png": outputs carry the user's name.
std::string without_upload_id(const std::string& image_name) {
  if (image_name.size() > 17 && image_name[16] == '_' &&
      std::all_of(image_name.begin(), image_name.begin() + 16,
                  [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
    return image_name.substr(17);
  return image_name;
}

using nlohmann::json;


struct BadRequest {
  int status;
  std::string message;
};


/// A required non-empty string field.
std::string required_string(const json& body, const char* name) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) throw BadRequest{400, std::string("missing field '") + name + "'"};
  if (!it->is_string()) throw BadRequest{400, std::string("field '") + name + "' must be a string"};
  std::string v = it->get<std::string>();
  if (v.empty()) throw BadRequest{400, std::string("field '") + name + "' must not be empty"};
  return v;
}

/// An optional string field (absent/null -> ""); numbers are accepted as their decimal text (modelVersion 3).
std::string optional_string(const json& body, const char* name) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();
  throw BadRequest{400, std::string("field '") + name + "' must be a string"};
}







std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

bool has_control_chars(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

bool ends_with_zip(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name.size() >= 4 && name.compare(name.size() - 4, 4, ".zip") == 0;
}

void predict(Context& ctx, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& rd) {
  const auto body = read_json_object(req, res, rd, ctx.cfg.max_json_bytes);
  if (!body) return;
  const FrontendConfig& cfg = ctx.cfg;
  // The Kiosk's own client sends the Kiosk-G2 fields dataRescale and dataLabel on every predict and never reads
  // status codes: a 4xx makes it retry for ever (kiosk-client-contract rule 10). Such a client gets what the
  // Kiosk gives: a job, which ends `failed` with the reason; other clients get the precise 4xx.
  const bool kiosk_client = body->contains("dataRescale") || body->contains("dataLabel");
  std::string job_type_seen, image_name_seen;
  try {
    const std::string job_type = required_string(*body, "jobType");
    job_type_seen = job_type;
    const std::string image_name = required_string(*body, "imageName");
    image_name_seen = image_name;
    const std::string uploaded = required_string(*body, "uploadedName");
    if (std::find(cfg.job_types.begin(), cfg.job_types.end(), job_type) == cfg.job_types.end())
      throw BadRequest{400, "unknown jobType '" + job_type + "' (known: " + join(cfg.job_types) + ")"};
    if (has_control_chars(image_name) || image_name.size() > 1024)
      throw BadRequest{400, "imageName must be at most 1024 bytes without control characters"};
    if (uploaded.rfind(cfg.upload_prefix + "/", 0) != 0)
      throw BadRequest{400, "uploadedName must start with '" + cfg.upload_prefix + "/'"};
    if (uploaded.find("..") != std::string::npos) throw BadRequest{400, "uploadedName must not contain '..'"};
    try {
      validate_bucket_key(uploaded);
    } catch (const BucketError& e) {
      throw BadRequest{400, std::string("uploadedName: ") + e.what()};
    }

    SegmentRequest request;
    try {
      request = SegmentRequest::from_json(*body);  // the one parser of request options (jobs/segment_request.h)
    } catch (const RequestError& e) {
      throw BadRequest{400, e.what()};
    }
    const std::string& model_name = request.model;
    const std::string& model_version = request.version;
    if (!model_name.empty() && !cfg.models.empty()) {
      std::vector<std::string> names;
      const ModelManifest* found = nullptr;
      for (const auto& m : cfg.models) {
        names.push_back(m.name);
        if (m.name == model_name) found = &m;
      }
      if (!found) throw BadRequest{400, "unknown modelName '" + model_name + "' (known: " + join(names) + ")"};
      if (!model_version.empty() && model_version != found->version)
        throw BadRequest{400, "model '" + model_name + "' has no version '" + model_version + "' (known: " +
                                  found->version + ")"};
    }

    const auto size = ctx.bucket->size(uploaded);
    if (!size) throw BadRequest{404, "no uploaded file '" + uploaded + "' in the bucket"};
    const ProbeReader reader = [&](uint64_t off, uint64_t n) { return ctx.bucket->get_range(uploaded, off, n); };
    const ProbeKind kind = probe_kind(*size > 0 ? ctx.bucket->get_range(uploaded, 0, 8) : std::string());
    std::string queue = job_type;
    if (kind == ProbeKind::Zip || ends_with_zip(uploaded) || ends_with_zip(image_name)) {
      queue = job_type + "-zip";
    } else if (kind == ProbeKind::Unknown) {
      throw BadRequest{415, "'" + uploaded + "' is not a TIFF, PNG, JPEG or zip file"};
    } else {
      const ImageInfo info = probe_image(reader);
      if (info.pixels > cfg.max_image_pixels)
        throw BadRequest{413, "image is " + std::to_string(info.width) + "x" + std::to_string(info.height) +
                                  " px (" + std::to_string(info.pages) + " page(s), " + std::to_string(info.pixels) +
                                  " pixels), over the limit of " + std::to_string(cfg.max_image_pixels) + " pixels"};
      // ... and at the model's resolution, after the mpp/scale rescale (what the consumer will hold)
      double model_mpp = 0;
      for (const auto& m : cfg.models)
        if (m.name == model_name || (model_name.empty() && model_mpp == 0)) model_mpp = m.mpp;
      const double image_mpp = request.image_mpp(model_mpp);
      if (model_mpp > 0 && image_mpp > 0 && info.width > 0 && info.height > 0) {
        const double f = image_mpp / model_mpp;
        const int64_t w = std::max<int64_t>(1, std::llround(info.width * f)),
                      h = std::max<int64_t>(1, std::llround(info.height * f));
        const double px = static_cast<double>(w) * h * std::max<int64_t>(1, info.pages);
        if (px > static_cast<double>(cfg.max_image_pixels))
          throw BadRequest{413, "at the model's " + fmt::format("{:g}", model_mpp) + " µm/px this " +
                                    std::to_string(info.width) + "x" + std::to_string(info.height) + " px image (" +
                                    fmt::format("{:g}", image_mpp) + " µm/px) would be " + std::to_string(w) + "x" +
                                    std::to_string(h) + " px (" + fmt::format("{:.0f}", px) +
                                    " pixels), over the limit of " + std::to_string(cfg.max_image_pixels) + " pixels"};
      }
    }

    const std::string key = make_job_key(queue, image_name);
    const std::string now = iso_now();
    JobFields f = request.to_fields();
    f[field::kOriginalName] = without_upload_id(image_name);
    f[field::kInputFileName] = uploaded;
    f[field::kPreprocessFunction] = optional_string(*body, "preprocessFunction");
    f[field::kPostprocessFunction] = optional_string(*body, "postprocessFunction");
    f[field::kDimensionOrder] = "";
    f[field::kStatus] = status::kNew;
    f[field::kCreatedAt] = now;
    f[field::kUpdatedAt] = now;
    f[field::kIdentityUpload] = cfg.identity;
    f[field::kTotalJobs] = "1";
    ctx.queue->create(queue, key, f);  // hash first, then the push: no consumer sees a key without its hash
    PrometheusRegistry::global().inc("cellkiosk_jobs_created_total", "Jobs created through the frontend",
                                  {{"queue", queue}});
    send_json(res, 200, {{"hash", key}});
  } catch (const BadRequest& e) {
    if (!kiosk_client) {
      send_error(res, e.status, e.message);
      return;
    }
    // A job that is born failed (never queued): the Kiosk client reads status `failed` and the reason, then stops.
    const bool known_type =
        std::find(cfg.job_types.begin(), cfg.job_types.end(), job_type_seen) != cfg.job_types.end();
    const std::string key = make_job_key(known_type ? job_type_seen : cfg.job_types.front(),
                                         image_name_seen.empty() || has_control_chars(image_name_seen)
                                             ? std::string("unknown")
                                             : image_name_seen.substr(0, 255));
    const std::string now = iso_now();
    ctx.queue->set_fields(key, {{field::kStatus, status::kFailed},
                                {field::kReason, e.message},
                                {field::kOriginalName, without_upload_id(image_name_seen)},
                                {field::kCreatedAt, now},
                                {field::kUpdatedAt, now},
                                {field::kFinishedAt, now},
                                {field::kIdentityUpload, cfg.identity},
                                {field::kTotalJobs, "1"}});
    spdlog::info("predict from a Kiosk client refused ({} {}): job {} created as failed", e.status, e.message, key);
    PrometheusRegistry::global().inc("cellkiosk_jobs_refused_total", "Requests refused as a job born failed (Kiosk clients)",
                                     {{"code", std::to_string(e.status)}});
    send_json(res, 200, {{"hash", key}});
  }
}

/// The `hash` field of a body: a non-empty string, else 400 (and nullopt).
std::optional<std::string> hash_of(const json& body, httplib::Response& res) {
  const auto it = body.find("hash");
  if (it == body.end() || !it->is_string() || it->get<std::string>().empty()) {
    send_error(res, 400, "missing field 'hash' (a job key string)");
    return std::nullopt;
  }
  return it->get<std::string>();
}

/// The job hash a client names, if it is one: a key of this service's job pattern `<queue>:<name>:<id>` for one of
/// its queues, that exists. Anything else (absent, a queue list, a processing list, a heartbeat, a zip parent's
/// child set, any other Redis key) gets the same 404, so a client can neither touch nor probe other keys.
bool client_job(Context& ctx, const std::string& key) {
  if (!is_job_key(ctx, key)) return false;
  return ctx.queue->exists(key);
}

void no_job(httplib::Response& res, const std::string& key, const char* value_field, const json& value) {
  send_json(res, 404, {{value_field, value}, {"message", "no job '" + key + "'"}});
}

void status_route(Context& ctx, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& rd) {
  const auto body = read_json_object(req, res, rd, ctx.cfg.max_json_bytes);
  if (!body) return;
  const auto hash = hash_of(*body, res);
  if (!hash) return;
  const auto st = client_job(ctx, *hash) ? ctx.queue->get_field(*hash, field::kStatus) : std::nullopt;
  if (!st) {
    no_job(res, *hash, "status", nullptr);
    return;
  }
  send_json(res, 200, {{"status", *st}});
}

void redis_route(Context& ctx, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& rd) {
  const auto body = read_json_object(req, res, rd, ctx.cfg.max_json_bytes);
  if (!body) return;
  const auto hash = hash_of(*body, res);
  if (!hash) return;
  const auto key = body->find("key");
  const bool is_list = key != body->end() && key->is_array() &&
                       std::all_of(key->begin(), key->end(), [](const json& k) { return k.is_string(); });
  if (key == body->end() || !(key->is_string() || is_list)) {
    send_error(res, 400, "field 'key' must be a field name or a list of field names");
    return;
  }
  if (!client_job(ctx, *hash)) {
    no_job(res, *hash, "value", nullptr);
    return;
  }
  const JobFields fields = ctx.queue->get_fields(*hash);
  const std::string base = base_url(req, ctx.cfg);
  const auto value = [&](const std::string& name) -> json {
    const auto v = client_field(fields, name, base, ctx.cfg, *hash);
    return v ? json(*v) : json(nullptr);
  };
  if (key->is_string()) {
    send_json(res, 200, {{"value", value(key->get<std::string>())}});
    return;
  }
  json values = json::array();
  for (const auto& k : *key) values.push_back(value(k.get<std::string>()));
  send_json(res, 200, {{"value", values}});
}

void expire_route(Context& ctx, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& rd) {
  const auto body = read_json_object(req, res, rd, ctx.cfg.max_json_bytes);
  if (!body) return;
  const auto hash = hash_of(*body, res);
  if (!hash) return;
  int64_t seconds = 3600;  // the Kiosk's default
  const auto it = body->find("expireIn");
  if (it != body->end() && !it->is_null()) {
    std::optional<double> v;
    if (it->is_number()) v = it->get<double>();
    else if (it->is_string()) v = parse_finite_number(it->get<std::string>());
    if (!v || *v < 0 || std::floor(*v) != *v || *v > 1e12) {
      send_error(res, 400, "'expireIn' must be a whole number of seconds >= 0");
      return;
    }
    seconds = static_cast<int64_t>(*v);
  }
  if (!client_job(ctx, *hash) || !ctx.queue->expire(*hash, seconds)) {
    no_job(res, *hash, "value", 0);
    return;
  }
  send_json(res, 200, {{"value", 1}});
}

void job_route(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string hash = req.matches[1];
  const JobFields fields = client_job(ctx, hash) ? ctx.queue->get_fields(hash) : JobFields{};
  if (fields.empty()) {
    send_error(res, 404, "no job '" + hash + "'");
    return;
  }
  json out = json::object();
  for (const auto& [k, v] : fields) out[k] = v;
  if (const auto url = client_field(fields, field::kOutputUrl, base_url(req, ctx.cfg), ctx.cfg, hash)) out[field::kOutputUrl] = *url;
  send_json(res, 200, out);
}

}  // namespace

void add_job_handlers(RouteHandlers& h, Context& ctx) {
  using Reader = httplib::ContentReader;
  h["POST /api/predict"] = [&ctx](const httplib::Request& req, httplib::Response& res, const Reader* rd) {
    guarded(res, [&] { predict(ctx, req, res, *rd); });
  };
  h["POST /api/status"] = [&ctx](const httplib::Request& req, httplib::Response& res, const Reader* rd) {
    guarded(res, [&] { status_route(ctx, req, res, *rd); });
  };
  h["POST /api/redis"] = [&ctx](const httplib::Request& req, httplib::Response& res, const Reader* rd) {
    guarded(res, [&] { redis_route(ctx, req, res, *rd); });
  };
  h["POST /api/redis/expire"] = [&ctx](const httplib::Request& req, httplib::Response& res, const Reader* rd) {
    guarded(res, [&] { expire_route(ctx, req, res, *rd); });
  };
  h["GET /api/jobs/{hash}"] = [&ctx](const httplib::Request& req, httplib::Response& res, const Reader*) {
    guarded(res, [&] { job_route(ctx, req, res); });
  };
}

}  // namespace ck::api
