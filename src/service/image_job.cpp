// One image job: download -> decode -> Segmenter (prepare, predict, finish) -> outputs in the bucket, walking the
// Kiosk statuses and recording the Kiosk timing fields (prediction_time sums every tile batch of every page).
#include <chrono>
#include <cmath>

#include <spdlog/spdlog.h>

#include "image/image_error.h"
#include "image/io.h"
#include "preprocess/preprocess_error.h"
#include "service/consumer_impl.h"
#include "service/job_outputs.h"
#include "service/metrics.h"

namespace ck {
namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

const std::string* find(const JobFields& f, const char* name) {
  auto it = f.find(name);
  return it == f.end() || it->second.empty() ? nullptr : &it->second;
}

/// A job's own options (Kiosk `scale` = resize factor applied before the model; cellkiosk `mpp` = the image's
/// µm/px, which wins). Throws std::invalid_argument with a one-line reason for values that make no sense.
SegmentOptions options_from(const JobFields& f, double model_mpp) {
  SegmentOptions o;
  if (const auto* c = find(f, field::kChannels)) {
    try {
      o.channel = std::stoi(*c);
    } catch (...) {
      throw std::invalid_argument("channels '" + *c + "' is not a channel number");
    }
    if (o.channel < 0) throw std::invalid_argument("channels '" + *c + "' is negative");
  }
  if (const auto* m = find(f, field::kMpp)) {
    double v = 0;
    try {
      v = std::stod(*m);
    } catch (...) {
      throw std::invalid_argument("mpp '" + *m + "' is not a number");
    }
    if (!(v > 0) || !std::isfinite(v)) throw std::invalid_argument("mpp '" + *m + "' must be > 0 µm/px");
    o.image_mpp = v;
  } else if (const auto* s = find(f, field::kScale)) {
    double v = 0;
    try {
      v = std::stod(*s);
    } catch (...) {
      throw std::invalid_argument("scale '" + *s + "' is not a number");
    }
    if (!(v > 0) || !std::isfinite(v)) throw std::invalid_argument("scale '" + *s + "' must be > 0");
    if (std::abs(v - 1.0) > 1e-9) o.image_mpp = model_mpp / v;
  }
  return o;
}

void observe(const char* stage, double s) {
  MetricsRegistry::global().observe("cellkiosk_stage_seconds", "Seconds per job stage", s, {{"stage", stage}});
}
}  // namespace

bool Consumer::Impl::process_image(const std::string& key, int worker, const JobFields& f) {
  const auto t_start = Clock::now();
  const std::string& id = worker_ids[worker];
  Segmenter& seg = *segmenters.at(worker);
  int retries = 0;
  std::string stage = "download";
  try {
    q.set_fields(key, {{field::kStatus, status::kStarted},
                       {field::kIdentityStarted, id},
                       {field::kUpdatedAt, iso_now()},
                       {field::kUpdatedBy, id}});
    const std::string* input = find(f, field::kInputFileName);
    if (!input) throw std::invalid_argument("the job has no input_file_name");
    const SegmentOptions opt = options_from(f, seg.manifest().mpp);
    const std::string name = find(f, field::kOriginalName) ? *find(f, field::kOriginalName) : *input;
    const std::string stem = safe_stem(name);

    auto t0 = Clock::now();
    const std::string bytes = with_retries(retry, "download", [&] { return bucket.get(*input); }, &retries);
    const double download_s = since(t0);
    MetricsRegistry::global().inc("cellkiosk_bucket_bytes_total", "Bytes consumers read from / wrote to the bucket", {{"op", "read"}},
                                  static_cast<double>(bytes.size()));

    stage = "pre-processing";
    set_status(key, status::kPreprocessing, worker);
    t0 = Clock::now();
    std::vector<Raster> pages = decode_image_bytes(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), name);
    for (const auto& p : pages)
      if (static_cast<int64_t>(p.height) * p.width > cfg.max_image_pixels)
        throw std::invalid_argument("image is " + std::to_string(p.height) + "x" + std::to_string(p.width) +
                                    " px, above the limit of " + std::to_string(cfg.max_image_pixels) + " px");
    std::vector<PreparedImage> prepared;
    std::vector<StageTimings> times(pages.size());
    for (size_t i = 0; i < pages.size(); ++i) prepared.push_back(seg.prepare(pages[i], opt, times[i]));
    pages.clear();
    const double preprocess_s = since(t0);

    stage = "predicting";
    set_status(key, status::kPredicting, worker);
    t0 = Clock::now();
    std::vector<ModelOutputs> maps;
    for (size_t i = 0; i < prepared.size(); ++i) maps.push_back(seg.predict(prepared[i], times[i]));
    const double predict_s = since(t0);

    stage = "post-processing";
    set_status(key, status::kPostprocessing, worker);
    t0 = Clock::now();
    std::vector<Segmentation> results;
    for (size_t i = 0; i < prepared.size(); ++i)
      results.push_back(seg.finish(std::move(prepared[i]), std::move(maps[i]), opt, times[i]));
    const double postprocess_s = since(t0);

    stage = "saving-results";
    set_status(key, status::kSavingResults, worker);
    t0 = Clock::now();
    const ExtraOutputs extra = parse_extra_outputs(find(f, field::kOutputs) ? *find(f, field::kOutputs) : "");
    const std::string uuid = job_uuid(key);
    const std::string prefix = "output/" + uuid + "/";
    std::vector<ZipEntry> bundle;
    std::string output_files;
    int64_t objects = 0;
    uint64_t bytes_out = 0;
    for (size_t i = 0; i < results.size(); ++i) {
      const std::string page_stem = results.size() == 1 ? stem : stem + "_page" + std::to_string(i);
      EncodedOutputs enc = encode_outputs(page_stem, results[i], extra);
      objects += static_cast<int64_t>(results[i].objects.size());
      for (size_t j = 0; j < enc.files.size(); ++j) {
        const std::string k = prefix + enc.files[j].first;
        with_retries(retry, "upload", [&] { bucket.put(k, enc.files[j].second); }, &retries);
        bytes_out += enc.files[j].second.size();
        output_files += (output_files.empty() ? "" : ",") + k;
        if (enc.in_bundle[j]) bundle.push_back(std::move(enc.files[j]));
      }
    }
    const std::string zip_key = "output/" + uuid + ".zip";
    const std::string zip = make_zip(bundle);
    with_retries(retry, "upload", [&] { bucket.put(zip_key, zip); }, &retries);
    bytes_out += zip.size();
    const double upload_s = since(t0);
    MetricsRegistry::global().inc("cellkiosk_bucket_bytes_total", "Bytes consumers read from / wrote to the bucket", {{"op", "write"}},
                                  static_cast<double>(bytes_out));

    const double total_s = since(t_start);
    const std::string now = iso_now();
    q.finish(cfg.queue, id, key,
             {{field::kStatus, status::kDone},
              {field::kOutputFileName, zip_key},
              {field::kOutputPrefix, prefix},
              {"output_files", output_files},
              {field::kObjects, std::to_string(objects)},
              {field::kDownloadTime, format_seconds(download_s)},
              {"preprocess_time", format_seconds(preprocess_s)},
              {field::kPredictionTime, format_seconds(predict_s)},
              {field::kPostprocessTime, format_seconds(postprocess_s)},
              {field::kUploadTime, format_seconds(upload_s)},
              {field::kTotalTime, format_seconds(total_s)},
              {field::kPredictRetries, std::to_string(retries)},
              {field::kFinishedAt, now},
              {field::kUpdatedAt, now},
              {field::kUpdatedBy, id}});
    observe("download", download_s);
    observe("preprocess", preprocess_s);
    observe("predict", predict_s);
    observe("postprocess", postprocess_s);
    observe("upload", upload_s);
    observe("total", total_s);
    MetricsRegistry::global().inc("cellkiosk_jobs_finished_total", "Jobs that reached a terminal status",
                                  {{"queue", cfg.queue}, {"status", "done"}});
    return true;
  } catch (const QueueUnavailable&) {
    throw;  // the job stays claimed; it is given back once the queue is reachable (orphan check / janitor)
  } catch (const std::exception& e) {
    std::string reason = e.what();
    // Decoder messages start with the file name, which the job already holds (original_name): drop it.
    const std::string name_prefix = (find(f, field::kOriginalName) ? *find(f, field::kOriginalName) : "") + ": ";
    if (name_prefix.size() > 2 && reason.rfind(name_prefix, 0) == 0) reason = reason.substr(name_prefix.size());
    if (dynamic_cast<const BucketNotFound*>(&e)) reason = "input " + one_line(reason);
    else if (stage == "download" || stage == "saving-results")
      reason = (stage == "download" ? "download: " : "saving results: ") + one_line(reason);
    spdlog::warn("{}: job {} failed: {}", id, key, one_line(reason));
    fail(key, worker, reason, since(t_start));
    MetricsRegistry::global().inc("cellkiosk_jobs_finished_total", "Jobs that reached a terminal status",
                                  {{"queue", cfg.queue}, {"status", "failed"}});
    return false;
  }
}

}  // namespace ck
