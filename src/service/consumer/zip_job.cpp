// Zip jobs: fan-out (one child image job per archive entry) and event-driven fan-in. A child that reaches a
// terminal status adds itself to its parent's done/failed set (idempotent) and, as the last one, puts the parent
// back on the zip queue once; the zip consumer then bundles every child's outputs. No polling, no re-queue loop
// (the Kiosk re-queued parents until their children finished).
#include <ctime>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include <spdlog/spdlog.h>

#include "service/consumer/consumer_impl.h"
#include "image/probe.h"
#include "pipeline/output_names.h"
#include "pipeline/output_set.h"
#include "pipeline/zip_archive.h"
#include "service/prometheus.h"

namespace ck {
namespace {
std::string done_set(const std::string& parent) { return "children-done:" + parent; }
std::string failed_set(const std::string& parent) { return "children-failed:" + parent; }

std::string get(const JobFields& f, const char* name) {
  auto it = f.find(name);
  return it == f.end() ? std::string() : it->second;
}

/// Seconds since an ISO-8601 UTC time written by iso_now(); 0 if it does not parse.
double seconds_since_iso(const std::string& iso) {
  std::tm tm{};
  double sec = 0;
  if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%lf", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &sec) != 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_sec = 0;
  const double t = static_cast<double>(timegm(&tm)) + sec;
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return std::max(0.0, now.tv_sec + now.tv_nsec * 1e-9 - t);
}

}  // namespace

void Consumer::Impl::report_to_parent(const std::string& parent, const std::string& child, bool ok) {
  q.set_add(ok ? done_set(parent) : failed_set(parent), child);
  const int64_t done = q.set_size(done_set(parent)), failed = q.set_size(failed_set(parent));
  const auto total_s = q.get_field(parent, field::kTotalJobs);
  const int64_t total = total_s ? std::stoll(*total_s) : 0;
  if (total <= 0) return;  // parent gone (expired)
  q.set_fields(parent, {{field::kChildrenDone, std::to_string(done)},
                        {field::kChildrenFailed, std::to_string(failed)},
                        {field::kProgress, std::to_string((done + failed) * 100 / total)},
                        {field::kUpdatedAt, iso_now()}});
  if (done + failed >= total) q.push(job_queue_name(parent), parent);  // wake the parent for fan-in
}

std::string Consumer::Impl::process_zip(const std::string& key, int worker, const JobFields& f) {
  const std::string& id = worker_ids[worker];
  const std::string uuid = job_uuid(key);
  const std::vector<std::string> children = split_commas(get(f, field::kChildren));

  if (!children.empty()) {
    // ---- fan-in (or a parent requeued mid fan-out) ----
    const int64_t done = q.set_size(done_set(key)), failed = q.set_size(failed_set(key));
    if (done + failed < static_cast<int64_t>(children.size())) {
      // Not all children finished: re-push any child that was never queued (we died mid fan-out), then wait for
      // the last child's report. Re-pushing a queued child is harmless (a finished job is skipped on claim).
      for (const auto& c : children) {
        auto st = q.get_field(c, field::kStatus);
        if (st && *st == status::kNew) q.push(cfg.child_queue, c);
      }
      q.finish(cfg.queue, id, key, {});
      return "";
    }
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<ZipEntry> bundle;
    std::set<std::string> bundled;  // file names in the result zip: never the same twice
    nlohmann::json all_outputs = nlohmann::json::array();
    nlohmann::json failures = nlohmann::json::array(), images = nlohmann::json::array();
    // members refused while the zip was read (fan-out): failures too, in archive order before the children's
    const auto unread = nlohmann::json::parse(get(f, field::kUnread).empty() ? "[]" : get(f, field::kUnread), nullptr, false);
    const auto skipped = nlohmann::json::parse(get(f, field::kSkipped).empty() ? "[]" : get(f, field::kSkipped), nullptr, false);
    if (unread.is_array())
      for (const auto& u : unread) {
        failures.push_back(u);
        images.push_back({{"input", u.value("name", "")}, {"status", "failed"}, {"reason", u.value("reason", "")}});
      }
    int64_t n_done = 0, objects = 0;
    std::string first_failure;
    // The Kiosk's zip parents hold their children's timings as comma-joined lists (kiosk-client-contract rule 12).
    std::map<std::string, std::string> timing_lists;
    const char* kTimingFields[] = {field::kDownloadTime, field::kPredictionTime, field::kPostprocessTime,
                                   field::kUploadTime, field::kPredictRetries};
    for (const auto& c : children) {
      const JobFields cf = q.get_fields(c);
      const std::string name = get(cf, field::kOriginalName).empty() ? c : get(cf, field::kOriginalName);
      if (get(cf, field::kStatus) == status::kDone) {
        ++n_done;
        for (const char* t : kTimingFields)
          timing_lists[t] += (timing_lists[t].empty() ? "" : ",") + (get(cf, t).empty() ? "0" : get(cf, t));
        if (!get(cf, field::kObjects).empty()) objects += std::stoll(get(cf, field::kObjects));
        nlohmann::json outs = nlohmann::json::array();
        const auto listed = nlohmann::json::parse(get(cf, field::kOutputList), nullptr, false);
        if (listed.is_array())
          for (const auto& o : listed) {
            all_outputs.push_back(o);  // the parent lists every child's files too (a client reads one job)
            OutputKind kind;
            const std::string file = o.value("name", "");
            if (!output_kind_of(file, kind) || !output_in_bundle(kind)) continue;
            if (!bundled.insert(file).second)
              throw std::logic_error("two images of the zip would both write '" + file + "'");
            bundle.emplace_back(file, with_retries(retry, "download", [&] { return bucket.get(o.value("key", "")); }));
            outs.push_back(file);
          }
        const std::string n_obj = get(cf, field::kObjects);
        images.push_back({{"input", name},
                          {"status", "done"},
                          {"objects", n_obj.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::stoll(n_obj))},
                          {"outputs", outs}});
      } else {
        const std::string reason = get(cf, field::kReason).empty() ? "no result" : get(cf, field::kReason);
        failures.push_back({{"name", name}, {"reason", reason}});
        images.push_back({{"input", name}, {"status", "failed"}, {"reason", reason}});
        if (first_failure.empty()) first_failure = name + ": " + reason;
      }
      q.expire(c, cfg.child_ttl_s);
    }
    q.expire(done_set(key), cfg.child_ttl_s);
    q.expire(failed_set(key), cfg.child_ttl_s);
    const std::string now = iso_now();
    JobFields out = {{field::kChildrenDone, std::to_string(n_done)},
                     {field::kObjects, std::to_string(objects)},
                     {field::kChildrenFailed, std::to_string(children.size() - n_done + (unread.is_array() ? unread.size() : 0))},
                     {field::kProgress, "100"},
                     {field::kFailures, failures.dump()},
                     {field::kFinishedAt, now},
                     {field::kUpdatedAt, now},
                     {field::kUpdatedBy, id},
                     {field::kTotalTime, format_seconds(seconds_since_iso(get(f, field::kCreatedAt)))}};
    for (const auto& [k, v] : timing_lists)
      if (k != std::string(field::kDownloadTime) && k != std::string(field::kUploadTime)) out[k] = v;
    if (n_done == 0) {
      out[field::kStatus] = status::kFailed;
      out[field::kReason] = one_line("all " + std::to_string(children.size()) + " images failed; first: " + first_failure);
    } else {
      // Who reads only the result zip must see which images are missing and why.
      if (!failures.empty()) bundle.emplace_back("failures.json", failures.dump(2) + "\n");
      // input -> output names, as `cellkiosk segment` writes them in its summary.json
      bundle.emplace_back("summary.json",
                          nlohmann::json{{"images", images}, {"skipped", skipped.is_array() ? skipped : nlohmann::json::array()}}
                                  .dump(2) +
                              "\n");
      const std::string zip_key = "output/" + uuid + ".zip";
      with_retries(retry, "upload", [&] { bucket.put(zip_key, make_zip(bundle)); });
      out[field::kStatus] = status::kDone;
      out[field::kOutputFileName] = zip_key;
      out[field::kOutputList] = all_outputs.dump();
      out[field::kUploadTime] = format_seconds(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    q.finish(cfg.queue, id, key, out);
    PrometheusRegistry::global().inc("cellkiosk_jobs_finished_total", "Jobs that reached a terminal status",
                                  {{"queue", cfg.queue}, {"status", out[field::kStatus]}});
    spdlog::info("{}: zip job {} {} ({} of {} images segmented)", id, key, out[field::kStatus], n_done, children.size());
    return out[field::kStatus];
  }

  // ---- fan-out ----
  const auto t0 = std::chrono::steady_clock::now();
  try {
    set_status(key, status::kStarted, worker);
    q.set_fields(key, {{field::kIdentityStarted, id}});
    const std::string input = get(f, field::kInputFileName);
    if (input.empty()) throw std::invalid_argument("the job has no input_file_name");
    const std::string zip = with_retries(retry, "download", [&] { return bucket.get(input); });
    const std::string origin = get(f, field::kOriginalName).empty() ? input : get(f, field::kOriginalName);
    const std::vector<uint8_t> zip_bytes(zip.begin(), zip.end());
    const ZipContents contents = read_zip(zip_bytes, cfg.zip_limits, cfg.max_image_pixels);
    if (contents.images.empty()) throw std::runtime_error(no_image_reason(contents));
    const std::vector<ZipImage>& images = contents.images;
    // Members that cannot be read fail alone (listed in `failures` with the children's); others are skipped.
    nlohmann::json unread = nlohmann::json::array(), skipped = nlohmann::json::array();
    for (const auto& p : contents.failed) unread.push_back({{"name", p.path}, {"reason", p.reason}});
    for (const auto& p : contents.skipped) skipped.push_back({{"name", p.path}, {"reason", p.reason}});
    const SegmentRequest req = SegmentRequest::from_fields(f);  // refused here, once, if it makes no sense

    // Output names for the whole zip (pipeline/output_names.h), pages counted from each member's header, so
    // that `x/a.png` and `y/a.png`, or a 2-page `scan.tif` and `scan_page1.png`, never write the same file.
    std::vector<std::string> rels;
    for (const auto& im : images) rels.push_back(im.path);
    OutputNamer namer(rels);
    std::vector<std::string> keys;
    std::vector<JobFields> child_fields;
    for (size_t i = 0; i < images.size(); ++i) {
      const ZipImage& im = images[i];
      const ImageInfo info = probe_image_bytes(std::string_view(reinterpret_cast<const char*>(im.bytes->data()), im.bytes->size()));
      const auto names = namer.assign(i, static_cast<size_t>(std::max<int64_t>(1, info.pages)));
      const std::string base = im.path.substr(im.path.find_last_of('/') == std::string::npos ? 0 : im.path.find_last_of('/') + 1);
      const std::string ext = base.rfind('.') == std::string::npos ? "" : base.substr(base.rfind('.'));
      const std::string upload = "uploads/" + uuid + "/" + std::to_string(i) + "_" + output_stem(base) + ext;
      with_retries(retry, "upload", [&] { bucket.put(upload, std::string(im.bytes->begin(), im.bytes->end())); });
      const std::string child_name = names.size() == 1 ? names[0] : names[0].substr(0, names[0].rfind("_page"));
      keys.push_back(cfg.child_queue + ":" + child_name + ext + ":" + uuid + "-" + std::to_string(i));
      JobFields cf = req.to_fields();
      for (const char* k : {field::kPreprocessFunction, field::kPostprocessFunction, field::kDimensionOrder,
                            field::kIdentityUpload})
        cf[k] = get(f, k);
      cf[field::kOriginalName] = im.path;
      cf[field::kOutputBase] = child_name;
      cf[field::kInputFileName] = upload;
      cf[field::kParent] = key;
      cf[field::kStatus] = status::kNew;
      cf[field::kCreatedAt] = cf[field::kUpdatedAt] = iso_now();
      cf[field::kTotalJobs] = "1";
      child_fields.push_back(std::move(cf));
    }
    std::string joined;
    for (const auto& k : keys) joined += (joined.empty() ? "" : ",") + k;
    // The parent knows its children before any child can report.
    q.set_fields(key, {{field::kStatus, status::kWaiting},
                       {field::kChildren, joined},
                       {field::kUnread, unread.dump()},
                       {field::kSkipped, skipped.dump()},
                       {field::kTotalJobs, std::to_string(keys.size())},
                       {field::kChildrenDone, "0"},
                       {field::kChildrenFailed, "0"},
                       {field::kProgress, "0"},
                       {field::kDownloadTime, format_seconds(std::chrono::duration<double>(
                                                  std::chrono::steady_clock::now() - t0).count())},
                       {field::kUpdatedAt, iso_now()}});
    for (size_t i = 0; i < keys.size(); ++i) {
      q.create(cfg.child_queue, keys[i], child_fields[i]);
    }
    q.finish(cfg.queue, id, key, {});
    spdlog::info("{}: zip job {}: {} images queued on '{}'", id, key, keys.size(), cfg.child_queue);
    return "";
  } catch (const QueueUnavailable&) {
    throw;
  } catch (const std::exception& e) {
    spdlog::warn("{}: zip job {} failed: {}", id, key, one_line(e.what()));
    fail(key, worker, e.what(), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    PrometheusRegistry::global().inc("cellkiosk_jobs_finished_total", "Jobs that reached a terminal status",
                                  {{"queue", cfg.queue}, {"status", "failed"}});
    return status::kFailed;
  }
}

}  // namespace ck
