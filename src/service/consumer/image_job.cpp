// One image job: download -> decode -> Segmenter (prepare, predict, finish) -> outputs in the bucket, walking the
// Kiosk statuses and recording the Kiosk timing fields (prediction_time sums every tile batch of every page).
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include <spdlog/spdlog.h>

#include "image/image_error.h"
#include "image/io.h"
#include "preprocess/preprocess_error.h"
#include "service/consumer/consumer_impl.h"
#include "pipeline/output_names.h"
#include "pipeline/segment_file.h"
#include "pipeline/zip_archive.h"
#include "service/prometheus.h"

namespace ck {
namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

const std::string* find(const JobFields& f, const char* name) {
  auto it = f.find(name);
  return it == f.end() || it->second.empty() ? nullptr : &it->second;
}

/// The output names of this job's images: the base name its zip parent (or `submit`) assigned for the whole run
/// (field `output_base`), else the file's own stem, plus the per-image suffixes (pages, z/t planes).
std::vector<std::string> names_for(const JobFields& f, const std::string& name, const std::vector<std::string>& suffixes) {
  const auto* given = find(f, field::kOutputBase);
  const std::string base = given ? *given : output_stem(name);
  std::vector<std::string> v;
  for (const auto& s : suffixes) v.push_back(base + s);
  return v;
}

void observe(const char* stage, double s) {
  PrometheusRegistry::global().observe("cellkiosk_stage_seconds", "Seconds per job stage", s, {{"stage", stage}});
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
    stage = "request";
    const SegmentRequest req = SegmentRequest::from_fields(f);
    stage = "download";
    const std::string name = find(f, field::kOriginalName) ? *find(f, field::kOriginalName) : *input;

    auto t0 = Clock::now();
    const std::string bytes = with_retries(retry, "download", [&] { return bucket.get(*input); }, &retries);
    const double download_s = since(t0);
    PrometheusRegistry::global().inc("cellkiosk_bucket_bytes_total", "Bytes consumers read from / wrote to the bucket", {{"op", "read"}},
                                  static_cast<double>(bytes.size()));

    // The one per-file routine (pipeline/segment_file.h); the Kiosk statuses are set between its stages.
    double preprocess_s = 0, predict_s = 0, postprocess_s = 0;
    auto mark = Clock::now();
    const auto on_stage = [&](FileStage s) {
      if (s == FileStage::Preprocessing) {
        stage = "pre-processing";
        set_status(key, status::kPreprocessing, worker);
      } else if (s == FileStage::Predicting) {
        preprocess_s = since(mark);
        stage = "predicting";
        set_status(key, status::kPredicting, worker);
      } else {
        predict_s = since(mark) - preprocess_s;
        stage = "post-processing";
        set_status(key, status::kPostprocessing, worker);
      }
    };
    const std::vector<PageResult> pages = segment_file(
        reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), name,
        [&](const std::vector<std::string>& suffixes) { return names_for(f, name, suffixes); }, req, seg, cfg.max_image_pixels, on_stage);
    postprocess_s = since(mark) - preprocess_s - predict_s;
    for (const auto& p : pages)
      if (!p.ok) throw std::runtime_error(pages.size() > 1 ? p.name + ": " + p.reason : p.reason);

    stage = "saving-results";
    set_status(key, status::kSavingResults, worker);
    t0 = Clock::now();
    const std::string uuid = job_uuid(key);
    const std::string prefix = "output/" + uuid + "/";
    std::vector<ZipEntry> bundle;
    nlohmann::json listed = nlohmann::json::array();
    std::string output_files;
    int64_t objects = 0;
    uint64_t bytes_out = 0;
    std::string warnings;
    for (const auto& page : pages) {
      objects += page.n_objects;
      if (!page.warning.empty()) warnings += (warnings.empty() ? "" : "; ") + page.warning;
      for (const auto& file : page.files) {
        const std::string k = prefix + file.name;
        with_retries(retry, "upload", [&] { bucket.put(k, file.bytes); }, &retries);
        bytes_out += file.bytes.size();
        output_files += (output_files.empty() ? "" : ",") + k;
        listed.push_back({{"key", k}, {"name", file.name}, {"kind", output_kind_name(file.kind)}, {"image", page.name}});
        if (output_in_bundle(file.kind)) bundle.emplace_back(file.name, file.bytes);
      }
    }
    // the result zip maps the input to its output names, as segment's summary.json and a zip job's do
    {
      nlohmann::json images = nlohmann::json::array();
      for (const auto& page : pages) {
        nlohmann::json outs = nlohmann::json::array();
        for (const auto& file : page.files)
          if (output_in_bundle(file.kind)) outs.push_back(file.name);
        images.push_back({{"input", name}, {"name", page.name}, {"status", "done"}, {"objects", page.n_objects},
                          {"outputs", outs}});
      }
      bundle.emplace_back("summary.json", nlohmann::json{{"images", images}}.dump(2) + "\n");
    }
    const std::string zip_key = "output/" + uuid + ".zip";
    const std::string zip = make_zip(bundle);
    with_retries(retry, "upload", [&] { bucket.put(zip_key, zip); }, &retries);
    bytes_out += zip.size();
    const double upload_s = since(t0);
    PrometheusRegistry::global().inc("cellkiosk_bucket_bytes_total", "Bytes consumers read from / wrote to the bucket", {{"op", "write"}},
                                  static_cast<double>(bytes_out));

    const double total_s = since(t_start);
    const std::string now = iso_now();
    q.finish(cfg.queue, id, key,
             {{field::kStatus, status::kDone},
              {field::kOutputFileName, zip_key},
              {field::kOutputPrefix, prefix},
              {"output_files", output_files},
              {field::kOutputList, listed.dump()},
              {field::kWarning, warnings},
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
    PrometheusRegistry::global().inc("cellkiosk_jobs_finished_total", "Jobs that reached a terminal status",
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
    PrometheusRegistry::global().inc("cellkiosk_jobs_finished_total", "Jobs that reached a terminal status",
                                  {{"queue", cfg.queue}, {"status", "failed"}});
    return false;
  }
}

}  // namespace ck
