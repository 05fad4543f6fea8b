#include "service/client/submit.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <thread>

#include "image/io.h"
#include "image/probe.h"
#include "jobs/job.h"
#include "jobs/segment_request.h"
#include "pipeline/inputs.h"
#include "pipeline/output_names.h"
#include "pipeline/output_set.h"
#include "pipeline/progress.h"

namespace fs = std::filesystem;

namespace ck {

namespace {

std::string extension_of(const std::string& path) {
  const std::string base = fs::path(path).filename().string();
  auto dot = base.rfind('.');
  return dot == std::string::npos || dot == 0 ? std::string() : base.substr(dot);
}

/// The job fields every job of the run shares: the typed request (jobs/segment_request.h) and the Kiosk
/// bookkeeping fields of a new job.
JobFields common_fields(const SubmitOptions& opt) {
  SegmentRequest req;
  req.model = opt.model;
  if (opt.channel >= 0) req.channel = opt.channel;
  req.mpp = opt.mpp > 0 ? opt.mpp : 0;
  req.outputs.overlay = opt.overlay;
  JobFields common = req.to_fields();
  common[field::kPreprocessFunction] = common[field::kPostprocessFunction] = common[field::kDimensionOrder] = "";
  common[field::kIdentityUpload] = "submit";
  common[field::kStatus] = status::kNew;
  common[field::kTotalJobs] = "1";
  return common;
}

/// Downloads the outputs of finished jobs into the output folder; a file name written twice in one run is an
/// error, never an overwrite.
class OutputFetcher {
 public:
  OutputFetcher(Bucket& b, const SubmitOptions& opt) : b_(b), opt_(opt) {}

  /// Fetches the wanted outputs listed in `f`'s outputs_list, naming each `prefix` + its listed name.
  void fetch(const JobFields& f, const std::string& prefix) {
    auto it = f.find(field::kOutputList);
    if (it == f.end()) return;
    const auto listed = nlohmann::json::parse(it->second, nullptr, false);
    if (!listed.is_array()) return;
    for (const auto& out : listed) {
      OutputKind kind;
      const std::string file = prefix + out.value("name", "");
      if (!output_kind_of(file, kind)) continue;
      const bool wanted = kind == OutputKind::Labels || kind == OutputKind::Objects ||
                          (opt_.overlay && kind == OutputKind::Overlay);
      if (!wanted) continue;
      if (!written_.insert(file).second) throw std::runtime_error("two jobs would both write '" + file + "'");
      const std::string bytes = b_.get(out.value("key", ""));
      write_file_atomic((fs::path(opt_.out_dir) / file).string(), std::vector<uint8_t>(bytes.begin(), bytes.end()));
    }
  }

 private:
  Bucket& b_;
  const SubmitOptions& opt_;
  std::set<std::string> written_;
};

}  // namespace

SubmitReport submit_and_wait(const std::vector<std::string>& in, JobQueue& q, Bucket& b, const SubmitOptions& opt,
                             const std::atomic<bool>& stop) {
  fs::create_directories(opt.out_dir);

  // Explicit zip files become zip jobs; everything else is expanded into single images.
  std::vector<std::string> zips, rest;
  for (const auto& x : in) (fs::is_regular_file(x) && is_zip_file(x) ? zips : rest).push_back(x);
  InputList inputs = rest.empty() ? InputList{} : expand_inputs(rest);
  for (const auto& p : inputs.problems) std::fprintf(stderr, "cellkiosk submit: %s: %s\n", p.origin.c_str(), p.reason.c_str());
  if (inputs.images.empty() && zips.empty()) throw std::runtime_error("no input images");

  SubmitReport report;
  report.queue = q.describe();
  report.bucket = b.describe();
  std::vector<SubmittedJob>& jobs = report.jobs;
  const JobFields common = common_fields(opt);
  // Output names: the one rule of `segment` (pipeline/output_names.h), pages counted from each header.
  std::vector<std::string> rels;
  for (const auto& img : inputs.images) rels.push_back(img.rel);
  OutputNamer namer(rels);
  auto submit = [&](const std::string& queue, const std::string& name, const std::string& ext,
                    const std::string& origin, const std::string& bytes, bool zip,
                    const std::vector<std::string>& names = {}) {
    const std::string image_name = make_uuid().substr(0, 8) + "_" + name + ext;
    const std::string upload = "uploads/" + image_name;
    b.put(upload, bytes);
    const std::string key = make_job_key(queue, image_name);
    JobFields f = common;
    f[field::kOriginalName] = name + ext;
    f[field::kInputFileName] = upload;
    if (!names.empty()) f[field::kOutputBase] = name;  // the run's name for this file (OutputNamer)
    f[field::kCreatedAt] = f[field::kUpdatedAt] = iso_now();
    q.create(queue, key, f);  // hash + push in one step: no consumer sees a job without its hash
    jobs.push_back({key, name, origin, zip, status::kNew, "", false});
  };
  for (size_t i = 0; i < inputs.images.size(); ++i) {
    const ImageSource& img = inputs.images[i];
    const std::string ext = extension_of(img.path.empty() ? img.origin : img.path);
    std::string bytes;
    if (img.bytes) bytes.assign(img.bytes->begin(), img.bytes->end());
    else {
      auto v = read_file_bytes(img.path);
      bytes.assign(v.begin(), v.end());
    }
    const ImageInfo info = probe_image_bytes(bytes);
    const auto names = namer.assign(i, static_cast<size_t>(std::max<int64_t>(1, info.pages)));
    const std::string name = names.size() == 1 ? names[0] : names[0].substr(0, names[0].rfind("_page"));
    submit(opt.queue, name, ext, img.origin, bytes, false, names);
  }
  for (const auto& z : zips) {
    auto v = read_file_bytes(z);
    submit(opt.queue + "-zip", fs::path(z).stem().string(), ".zip", z, std::string(v.begin(), v.end()), true);
  }
  if (!opt.quiet) std::fprintf(stderr, "cellkiosk submit: %zu job(s) queued on %s\n", jobs.size(), report.queue.c_str());

  // Wait, downloading each job's outputs as it finishes.
  ProgressBar bar(static_cast<int>(jobs.size()), "jobs", !opt.quiet);
  OutputFetcher fetcher(b, opt);
  const bool prefix_zip_outputs = zips.size() + inputs.images.size() > 1;
  const auto t0 = std::chrono::steady_clock::now();
  size_t pending = jobs.size();
  while (pending > 0 && !stop) {
    for (auto& j : jobs) {
      if (is_terminal_status(j.status)) continue;
      auto st = q.get_field(j.key, field::kStatus);
      j.status = st ? *st : "missing";
      if (!st) {
        j.reason = "the job disappeared from Redis (expired or deleted)";
        j.status = status::kFailed;
      }
      if (!is_terminal_status(j.status)) continue;
      --pending;
      const JobFields f = q.get_fields(j.key);
      if (auto r = f.find(field::kReason); r != f.end()) j.reason = r->second;
      try {
        if (!j.zip) {
          if (j.status == status::kDone) fetcher.fetch(f, "");
        } else if (auto c = f.find(field::kChildren); c != f.end()) {
          if (auto fl = f.find(field::kFailures); fl != f.end() && !fl->second.empty()) {
            j.failures = nlohmann::json::parse(fl->second, nullptr, false);
            if (!j.failures.is_array()) j.failures = nlohmann::json::array();
            for (const auto& x : j.failures)
              std::fprintf(stderr, "%scellkiosk submit: %s: %s: %s\n", opt.quiet ? "" : "\n", j.input.c_str(),
                           x.value("name", "?").c_str(), x.value("reason", "?").c_str());
          }
          for (const auto& child : split_commas(c->second)) {
            const JobFields cf = q.get_fields(child);
            if (cf.count(field::kStatus) && cf.at(field::kStatus) == status::kDone)
              fetcher.fetch(cf, prefix_zip_outputs ? j.name + "_" : "");
          }
        }
        j.downloaded = j.status == status::kDone;
      } catch (const std::exception& e) {
        j.reason = std::string("download: ") + e.what();
        j.status = status::kFailed;
      }
      if (j.status == status::kFailed)
        std::fprintf(stderr, "%scellkiosk submit: %s: %s\n", opt.quiet ? "" : "\n", j.input.c_str(), j.reason.c_str());
      if (opt.expire_s > 0) q.expire(j.key, opt.expire_s);
      bar.tick(0, j.status != status::kDone);
    }
    if (pending == 0) break;
    if (opt.timeout_s > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() > opt.timeout_s) {
      report.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(jobs.size() > 1000 ? 1000 : 200));
  }
  bar.finish();

  for (const auto& j : jobs) {
    report.done += j.status == status::kDone;
    report.failed += j.status == status::kFailed;
    report.images_failed_in_zips += static_cast<int>(j.failures.size());
  }
  report.pending = static_cast<int>(jobs.size()) - report.done - report.failed;
  std::ofstream(fs::path(opt.out_dir) / "summary.json") << summary_json(report).dump(2) << "\n";
  report.stopped = !report.timed_out && stop;
  if (report.timed_out || report.stopped)
    std::fprintf(stderr, "cellkiosk submit: %s with %d job(s) not finished\n", report.timed_out ? "timed out" : "stopped",
                 report.pending);
  if (!opt.quiet)
    std::fprintf(stderr, "cellkiosk submit: %d done, %d failed%s; outputs in %s\n", report.done, report.failed,
                 report.images_failed_in_zips
                     ? (", " + std::to_string(report.images_failed_in_zips) + " image(s) in zips failed").c_str()
                     : "",
                 opt.out_dir.c_str());
  return report;
}

nlohmann::json summary_json(const SubmitReport& report) {
  nlohmann::json summary = {{"queue", report.queue}, {"bucket", report.bucket}, {"jobs", nlohmann::json::array()}};
  for (const auto& j : report.jobs) {
    nlohmann::json row = {{"key", j.key}, {"name", j.name}, {"input", j.input}, {"status", j.status}};
    if (!j.reason.empty()) row["reason"] = j.reason;
    if (!j.failures.empty()) row["failures"] = j.failures;
    summary["jobs"].push_back(row);
  }
  summary["done"] = report.done;
  summary["failed"] = report.failed;
  summary["images_failed_in_zips"] = report.images_failed_in_zips;
  summary["pending"] = report.pending;
  return summary;
}

}  // namespace ck
