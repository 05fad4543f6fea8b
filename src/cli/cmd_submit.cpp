// `cellkiosk submit --redis URL --bucket DIR INPUT... -o OUTDIR`: the service's CLI client. Uploads images (and
// zips, as zip jobs) to the bucket, creates Kiosk jobs, shows progress until every job is terminal, downloads
// each image's outputs into OUTDIR and expires the jobs.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "cli/commands.h"
#include "cli/stop_signals.h"
#include "image/io.h"
#include "jobs/job_queue.h"
#include "image/probe.h"
#include "jobs/segment_request.h"
#include "pipeline/inputs.h"
#include "pipeline/output_names.h"
#include "pipeline/output_set.h"
#include "pipeline/progress.h"
#include "storage/bucket.h"

namespace fs = std::filesystem;

namespace ck::cli {

namespace {
struct SubmitCli {
  std::string redis = "redis://127.0.0.1:6379";
  std::string bucket;
  std::vector<std::string> inputs;
  std::string out_dir;
  std::string queue = "segmentation";
  std::string model;
  double mpp = 0;
  int channel = -1;
  bool overlay = false, quiet = false;
  double timeout = 0;
  int expire = 3600;
};

struct Submitted {
  std::string key;
  std::string name;    ///< output base name in OUTDIR
  std::string origin;  ///< what the user gave
  bool zip = false;
  std::string status;
  std::string reason;
  bool downloaded = false;
  nlohmann::json failures = nlohmann::json::array();  ///< zip jobs: images of the archive that failed
};

std::string extension_of(const std::string& path) {
  const std::string base = fs::path(path).filename().string();
  auto dot = base.rfind('.');
  return dot == std::string::npos || dot == 0 ? std::string() : base.substr(dot);
}

}  // namespace

Runner add_submit(CLI::App& app) {
  auto o = std::make_shared<SubmitCli>();
  app.add_option("INPUT", o->inputs, "Images, folders, glob patterns (quoted) or zip archives (one zip job each)")
      ->required();
  app.add_option("-o,--out", o->out_dir, "Output folder: <name>_labels.tif, <name>_objects.csv, summary.json")
      ->required();
  app.add_option("--redis", o->redis, "Redis URL of the cluster, redis://[:PASSWORD@]HOST:PORT[/DB]")
      ->capture_default_str();
  app.add_option("--bucket", o->bucket, "Bucket directory shared with the consumers")->required();
  app.add_option("--queue", o->queue, "Job type of image jobs (zips go to <queue>-zip)")->capture_default_str();
  app.add_option("-m,--model", o->model, "Model name (default: the consumers' model)");
  app.add_option("--mpp", o->mpp, "Pixel size of the inputs, µm/px (0 = the model's)")
      ->capture_default_str()->check(CLI::Range(0.0, 1000.0));
  app.add_option("-c,--channel", o->channel, "Channel holding the nuclear stain (default 0)")->check(CLI::Range(0, 255));
  app.add_flag("--overlay", o->overlay, "Also fetch <name>_overlay.png");
  app.add_option("--timeout", o->timeout, "Give up waiting after this many seconds (0 = wait for every job)")
      ->capture_default_str()->check(CLI::Range(0.0, 1e9));
  app.add_option("--expire", o->expire, "Seconds the finished jobs stay in Redis after download")
      ->capture_default_str()->check(CLI::Range(0, 100000000));
  app.add_flag("-q,--quiet", o->quiet, "No progress bar");
  app.footer(
      "Needs running consumers (`cellkiosk consumer`, and `--queue segmentation-zip` for zips) on the same Redis\n"
      "and bucket. Exit code: 0 if every image was segmented, 3 if some job or some image inside a zip failed or\n"
      "timed out (see summary.json), 1 on a fatal error (e.g. Redis unreachable for 5 s), 2 on usage errors.\n"
      "Example:\n"
      "  cellkiosk submit --redis redis://127.0.0.1:6379 --bucket /data/bucket data/samples/images -o out");

  return [o] {
    auto& stop = install_stop_signals();
    auto q = open_job_queue(o->redis);
    auto bucket = open_bucket(o->bucket);
    // A client should say at once that Redis is not there (consumers, by contrast, wait for it).
    q->set_reconnect_deadline(5);
    try {
      q->exists("cellkiosk:submit:ping");
    } catch (const QueueUnavailable& e) {
      throw std::runtime_error("cannot reach Redis at " + o->redis + " (is redis-server running?): " + e.what());
    }
    q->set_reconnect_deadline(120);
    fs::create_directories(o->out_dir);

    // Explicit zip files become zip jobs; everything else is expanded into single images.
    std::vector<std::string> zips, rest;
    for (const auto& in : o->inputs) (fs::is_regular_file(in) && is_zip_file(in) ? zips : rest).push_back(in);
    InputList inputs = rest.empty() ? InputList{} : expand_inputs(rest);
    for (const auto& p : inputs.problems) std::fprintf(stderr, "cellkiosk submit: %s: %s\n", p.origin.c_str(), p.reason.c_str());
    if (inputs.images.empty() && zips.empty()) throw std::runtime_error("no input images");

    SegmentRequest req;  // the typed request every job of this run carries (jobs/segment_request.h)
    req.model = o->model;
    req.channel = std::max(0, o->channel);
    req.mpp = o->mpp > 0 ? o->mpp : 0;
    req.outputs.overlay = o->overlay;
    JobFields common = req.to_fields();
    common[field::kPreprocessFunction] = common[field::kPostprocessFunction] = common[field::kDimensionOrder] = "";
    common[field::kIdentityUpload] = "submit";
    common[field::kStatus] = status::kNew;
    common[field::kTotalJobs] = "1";
    // Output names: the one rule of `segment` (pipeline/output_names.h), pages counted from each header.
    std::vector<std::string> rels;
    for (const auto& img : inputs.images) rels.push_back(img.rel);
    OutputNamer namer(rels);
    std::vector<Submitted> jobs;
    auto submit = [&](const std::string& queue, const std::string& name, const std::string& ext,
                      const std::string& origin, const std::string& bytes, bool zip,
                      const std::vector<std::string>& names = {}) {
      const std::string image_name = make_uuid().substr(0, 8) + "_" + name + ext;
      const std::string upload = "uploads/" + image_name;
      bucket->put(upload, bytes);
      const std::string key = make_job_key(queue, image_name);
      JobFields f = common;
      f[field::kOriginalName] = name + ext;
      f[field::kInputFileName] = upload;
      if (!names.empty()) f[field::kOutputNames] = nlohmann::json(names).dump();
      f[field::kCreatedAt] = f[field::kUpdatedAt] = iso_now();
      q->create(queue, key, f);  // hash + push in one step: no consumer sees a job without its hash
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
      submit(o->queue, name, ext, img.origin, bytes, false, names);
    }
    for (const auto& z : zips) {
      auto v = read_file_bytes(z);
      submit(o->queue + "-zip", fs::path(z).stem().string(), ".zip", z, std::string(v.begin(), v.end()), true);
    }
    if (!o->quiet) std::fprintf(stderr, "cellkiosk submit: %zu job(s) queued on %s\n", jobs.size(), q->describe().c_str());

    // Wait, downloading each job's outputs as it finishes.
    ProgressBar bar(static_cast<int>(jobs.size()), "jobs", !o->quiet);
    std::set<std::string> written;  // a file name written twice in one run is an error, never an overwrite
    auto fetch_image_outputs = [&](const JobFields& f, const std::string& prefix) {
      auto it = f.find(field::kOutputList);
      if (it == f.end()) return;
      const auto listed = nlohmann::json::parse(it->second, nullptr, false);
      if (!listed.is_array()) return;
      for (const auto& out : listed) {
        OutputKind kind;
        const std::string file = prefix + out.value("name", "");
        if (!output_kind_of(file, kind)) continue;
        const bool wanted = kind == OutputKind::Labels || kind == OutputKind::Objects ||
                            (o->overlay && kind == OutputKind::Overlay);
        if (!wanted) continue;
        if (!written.insert(file).second) throw std::runtime_error("two jobs would both write '" + file + "'");
        const std::string bytes = bucket->get(out.value("key", ""));
        write_file_atomic((fs::path(o->out_dir) / file).string(), std::vector<uint8_t>(bytes.begin(), bytes.end()));
      }
    };
    const auto t0 = std::chrono::steady_clock::now();
    size_t pending = jobs.size();
    bool timed_out = false;
    while (pending > 0 && !stop) {
      for (auto& j : jobs) {
        if (is_terminal_status(j.status)) continue;
        auto st = q->get_field(j.key, field::kStatus);
        j.status = st ? *st : "missing";
        if (!st) {
          j.reason = "the job disappeared from Redis (expired or deleted)";
          j.status = status::kFailed;
        }
        if (!is_terminal_status(j.status)) continue;
        --pending;
        const JobFields f = q->get_fields(j.key);
        if (auto r = f.find(field::kReason); r != f.end()) j.reason = r->second;
        try {
          if (!j.zip) {
            if (j.status == status::kDone) fetch_image_outputs(f, "");
          } else if (auto c = f.find(field::kChildren); c != f.end()) {
            if (auto fl = f.find(field::kFailures); fl != f.end() && !fl->second.empty()) {
              j.failures = nlohmann::json::parse(fl->second, nullptr, false);
              if (!j.failures.is_array()) j.failures = nlohmann::json::array();
              for (const auto& x : j.failures)
                std::fprintf(stderr, "%scellkiosk submit: %s: %s: %s\n", o->quiet ? "" : "\n", j.origin.c_str(),
                             x.value("name", "?").c_str(), x.value("reason", "?").c_str());
            }
            for (const auto& child : split_commas(c->second)) {
              const JobFields cf = q->get_fields(child);
              if (cf.count(field::kStatus) && cf.at(field::kStatus) == status::kDone)
                fetch_image_outputs(cf, zips.size() + inputs.images.size() > 1 ? j.name + "_" : "");
            }
          }
          j.downloaded = j.status == status::kDone;
        } catch (const std::exception& e) {
          j.reason = std::string("download: ") + e.what();
          j.status = status::kFailed;
        }
        if (j.status == status::kFailed)
          std::fprintf(stderr, "%scellkiosk submit: %s: %s\n", o->quiet ? "" : "\n", j.origin.c_str(), j.reason.c_str());
        if (o->expire > 0) q->expire(j.key, o->expire);
        bar.tick(0, j.status != status::kDone);
      }
      if (pending == 0) break;
      if (o->timeout > 0 &&
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() > o->timeout) {
        timed_out = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(jobs.size() > 1000 ? 1000 : 200));
    }
    bar.finish();

    nlohmann::json summary = {{"queue", q->describe()}, {"bucket", bucket->describe()}, {"jobs", nlohmann::json::array()}};
    int n_done = 0, n_failed = 0, n_image_failures = 0;
    for (const auto& j : jobs) {
      n_done += j.status == status::kDone;
      n_failed += j.status == status::kFailed;
      n_image_failures += static_cast<int>(j.failures.size());
      nlohmann::json row = {{"key", j.key}, {"name", j.name}, {"input", j.origin}, {"status", j.status}};
      if (!j.reason.empty()) row["reason"] = j.reason;
      if (!j.failures.empty()) row["failures"] = j.failures;
      summary["jobs"].push_back(row);
    }
    summary["done"] = n_done;
    summary["failed"] = n_failed;
    summary["images_failed_in_zips"] = n_image_failures;
    summary["pending"] = static_cast<int>(jobs.size()) - n_done - n_failed;
    std::ofstream(fs::path(o->out_dir) / "summary.json") << summary.dump(2) << "\n";
    if (timed_out || stop)
      std::fprintf(stderr, "cellkiosk submit: %s with %d job(s) not finished\n", timed_out ? "timed out" : "stopped",
                   static_cast<int>(jobs.size()) - n_done - n_failed);
    if (!o->quiet)
      std::fprintf(stderr, "cellkiosk submit: %d done, %d failed%s; outputs in %s\n", n_done, n_failed,
                   n_image_failures ? (", " + std::to_string(n_image_failures) + " image(s) in zips failed").c_str() : "",
                   o->out_dir.c_str());
    return n_done == static_cast<int>(jobs.size()) && n_image_failures == 0 ? 0 : 3;
  };
}

}  // namespace ck::cli
