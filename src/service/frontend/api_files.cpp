// File endpoints: POST /api/upload (multipart, streamed into the bucket), GET /api/download/<key> and
// GET /files/<key> (streamed out of the bucket in 1 MiB ranges).
#include <algorithm>
#include <regex>

#include "image/probe.h"
#include <spdlog/spdlog.h>

#include "service/frontend/frontend_internal.h"
#include "service/prometheus.h"

namespace ck::api {

namespace {

constexpr std::size_t kChunk = std::size_t{1} << 20;

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int n = 0;
    if (c < 0x80) n = 0;
    else if ((c >> 5) == 0x6) n = 1;
    else if ((c >> 4) == 0xE) n = 2;
    else if ((c >> 3) == 0x1E) n = 3;
    else return false;
    if (i + static_cast<std::size_t>(n) >= s.size() && n > 0) return false;
    for (int k = 1; k <= n; ++k) {
      if ((static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) >> 6) != 0x2) return false;
    }
    i += static_cast<std::size_t>(n) + 1;
  }
  return true;
}

/// The base name of a multipart filename (which may hold folders, '\' or be absolute; contract rule 3), or an
/// empty string with `why` set when it cannot be stored.
/// `name` if it has at most `max` bytes, else its first bytes (cut on a UTF-8 boundary) + "~" + 8 hex digits of a
/// hash of the whole name + its extension: deterministic, unique in practice, and the stored key (with its 17-byte
/// upload id) stays under the 255-byte file-name limit.
std::string shorten_name(const std::string& name, size_t max) {
  if (name.size() <= max) return name;
  const size_t dot = name.rfind('.');
  const std::string ext = dot != std::string::npos && name.size() - dot <= 10 ? name.substr(dot) : std::string();
  uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
  char tag[16];
  std::snprintf(tag, sizeof tag, "~%08x", static_cast<unsigned>(h ^ (h >> 32)));
  size_t keep = max - ext.size() - 9;
  while (keep > 0 && (static_cast<unsigned char>(name[keep]) & 0xC0) == 0x80) --keep;  // not inside a character
  return name.substr(0, keep) + tag + ext;
}

std::string upload_base_name(const std::string& filename, std::string& why) {
  const auto slash = filename.find_last_of("/\\");
  std::string base = slash == std::string::npos ? filename : filename.substr(slash + 1);
  if (base.empty()) why = "the file part needs a file name";
  else if (base == "." || base.find("..") != std::string::npos) why = "file names must not contain '..'";
  else if (std::any_of(base.begin(), base.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
    why = "file names must not contain control characters";
  else if (!valid_utf8(base)) why = "file names must be UTF-8";
  if (!why.empty()) return std::string();
  return shorten_name(base, 200);
}

std::string random_id() {
  std::string u = make_uuid();
  u.erase(std::remove(u.begin(), u.end(), '-'), u.end());
  return u.substr(0, 16);
}

/// The Kiosk's own client (treq): `Connection: close` on every request and a UUID as the multipart boundary.
bool kiosk_style_upload(const httplib::Request& req) {
  if (req.get_header_value("Connection") != "close") return false;
  static const std::regex uuid_boundary(
      R"(.*boundary="?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"?\s*$)");
  return std::regex_match(req.get_header_value("Content-Type"), uuid_boundary);
}

void upload(Context& ctx, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& rd) {
  const FrontendConfig& cfg = ctx.cfg;
  if (!req.is_multipart_form_data()) {
    close_after(req, res);
    send_error(res, 400, "expected multipart/form-data with a part named 'file'");
    return;
  }
  int error_status = 0;
  std::string error;
  bool in_file = false, found = false, type_checked = false;
  std::string key, head;
  std::unique_ptr<BucketWriter> writer;
  uint64_t bytes = 0;
  const auto fail = [&](int status, std::string msg) {
    error_status = status;
    error = std::move(msg);
    writer.reset();  // nothing is left in the bucket
    return false;
  };
  const auto check_type = [&]() {
    type_checked = true;
    const ProbeKind kind = probe_kind(head);
    if (kind == ProbeKind::Unknown) {
      if (!kiosk_style_upload(req))
        return fail(415, "unsupported file type: uploads must be TIFF, PNG, JPEG or zip files (checked by content)");
      // The Kiosk's client retries a refused upload for ever: take it, its job will fail with the reason.
      spdlog::info("{} POST /api/upload: accepted a file of unknown type from a Kiosk-style client; its job will fail",
                   req.remote_addr);
    }
    writer->write(head.data(), head.size());
    return true;
  };

  const bool ok = rd(
      [&](const httplib::MultipartFormData& part) {
        if (error_status) return false;
        in_file = part.name == "file";
        if (!in_file) return true;  // other parts are read and dropped
        if (found) return fail(400, "more than one part named 'file'");
        found = true;
        std::string why;
        const std::string base = upload_base_name(part.filename, why);
        if (base.empty()) return fail(400, why);
        key = cfg.upload_prefix + "/" + random_id() + "_" + base;
        try {
          validate_bucket_key(key);
        } catch (const BucketError& e) {
          return fail(400, std::string("file name not storable: ") + e.what());
        }
        writer = ctx.bucket->open_writer(key);
        return true;
      },
      [&](const char* data, std::size_t n) {
        if (error_status) return false;
        if (!in_file || !writer) return true;
        bytes += n;
        if (bytes > cfg.max_upload_bytes)
          return fail(413, "file over the upload limit of " + std::to_string(cfg.max_upload_bytes) +
                               " bytes (serve --max-upload-mb)");
        if (!type_checked) {
          const std::size_t take = std::min<std::size_t>(n, 8 - head.size());
          head.append(data, take);
          data += take;
          n -= take;
          if (head.size() < 8) return true;
          if (!check_type()) return false;
        }
        if (n > 0) writer->write(data, n);
        return true;
      });

  if (!error_status && found && writer && !type_checked) check_type();  // files shorter than 8 bytes
  if (error_status) {
    close_after(req, res);
    send_error(res, error_status, error);
    return;
  }
  if (!ok) {
    writer.reset();
    close_after(req, res);
    if (res.status == 413) send_error(res, 413, "request body over the upload limit");
    else send_error(res, 400, "malformed or incomplete multipart body");
    return;
  }
  if (!found || !writer) {
    send_error(res, 400, "no part named 'file' in the multipart body");
    return;
  }
  writer->commit();
  writer.reset();
  PrometheusRegistry::global().inc("cellkiosk_bytes_total", "Bytes uploaded (in) and downloaded (out)",
                                {{"direction", "in"}}, static_cast<double>(bytes));
  send_json(res, 200, {{"imageURL", base_url(req, cfg) + "/files/" + url_encode_path(key)}, {"uploadedName", key}});
}

void serve_object(Context& ctx, const httplib::Request& req, httplib::Response& res, bool attachment) {
  const std::string key = req.matches[1];
  const std::string why = check_served_key(key, ctx.cfg);
  if (!why.empty()) {
    send_error(res, 400, "invalid key '" + key + "': " + why);
    return;
  }
  const auto size = ctx.bucket->size(key);
  if (!size) {
    send_error(res, 404, "no such file: " + key);
    return;
  }
  const std::string type = content_type_for(key);
  if (attachment) {
    std::string base = key.substr(key.find_last_of('/') + 1);
    std::string ascii;
    for (char c : base) ascii += (static_cast<unsigned char>(c) >= 0x80 || c == '"' || c == '\\') ? '_' : c;
    res.set_header("Content-Disposition", "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" +
                                              url_encode_path(base));
  }
  if (*size == 0) {
    res.status = 200;
    res.set_content("", type);
    return;
  }
  std::shared_ptr<Bucket> bucket = ctx.bucket;
  res.set_content_provider(static_cast<std::size_t>(*size), type,
                           [bucket, key](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             try {
                               const std::string chunk =
                                   bucket->get_range(key, offset, std::min<std::size_t>(length, kChunk));
                               if (chunk.empty()) return false;
                               if (!sink.write(chunk.data(), chunk.size())) return false;
                               PrometheusRegistry::global().inc("cellkiosk_bytes_total",
                                                             "Bytes uploaded (in) and downloaded (out)",
                                                             {{"direction", "out"}}, static_cast<double>(chunk.size()));
                               return true;
                             } catch (...) {
                               return false;  // the client sees a short body; the object vanished or I/O failed
                             }
                           });
}

}  // namespace

void add_file_handlers(RouteHandlers& h, Context& ctx) {
  h["POST /api/upload"] = [&ctx](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* rd) {
    guarded(res, [&] { upload(ctx, req, res, *rd); });
  };
  h["GET /api/download/{key}"] = [&ctx](const httplib::Request& req, httplib::Response& res,
                                        const httplib::ContentReader*) {
    guarded(res, [&] { serve_object(ctx, req, res, true); });
  };
  h["GET /files/{key}"] = [&ctx](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader*) {
    guarded(res, [&] { serve_object(ctx, req, res, false); });
  };
}

}  // namespace ck::api
