#include "pipeline/batch.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "image/io.h"
#include "pipeline/output_names.h"
#include "pipeline/progress.h"

namespace ck {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// Bounded blocking queue between two pipeline stages; close() ends the stream.
template <typename T>
class Channel {
 public:
  explicit Channel(size_t capacity) : cap_(capacity) {}
  void push(T v) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] { return q_.size() < cap_; });
    q_.push_back(std::move(v));
    cv_.notify_all();
  }
  std::optional<T> pop() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] { return !q_.empty() || closed_; });
    if (q_.empty()) return std::nullopt;
    T v = std::move(q_.front());
    q_.pop_front();
    cv_.notify_all();
    return v;
  }
  void close() {
    std::lock_guard<std::mutex> lk(mu_);
    closed_ = true;
    cv_.notify_all();
  }

 private:
  size_t cap_;
  std::deque<T> q_;
  bool closed_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
};

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

}  // namespace

int BatchReport::n_ok() const {
  int n = 0;
  for (const auto& i : images) n += i.ok ? 1 : 0;
  return n;
}
int BatchReport::n_failed() const { return static_cast<int>(images.size()) - n_ok() + static_cast<int>(problems.size()); }

BatchReport run_batch(const InputList& inputs, Segmenter& segmenter, const BatchOptions& opt) {
  std::filesystem::create_directories(opt.out_dir);
  BatchReport report;
  report.problems = inputs.problems;
  report.skipped = inputs.skipped;
  std::mutex report_mu;  // guards report.images (stage A appends pages; stage C fills results)
  ProgressBar bar(static_cast<int>(inputs.images.size()), "images", opt.progress);
  const auto t_start = Clock::now();

  struct Work {
    size_t index = 0;  ///< into the report's images
    PageWork page;
  };
  Channel<Work> to_predict(2), to_finish(2);
  const SegmentOptions seg_opt = [&] {
    SegmentOptions o = segment_options(opt.request, segmenter.manifest());
    o.max_model_pixels = opt.max_pixels;  // the limit also holds after the µm/px rescale
    return o;
  }();
  std::vector<std::string> rels;
  for (const auto& src : inputs.images) rels.push_back(src.rel);
  OutputNamer namer(rels);  // used by stage A only, in input order: names do not depend on thread timing

  auto fail = [&](size_t idx, const std::string& why) {
    std::lock_guard<std::mutex> lk(report_mu);
    report.images[idx].ok = false;
    report.images[idx].reason = one_line(why);
  };

  // Progress counts images whose fate is known (done or failed), in any order; called by stages B and C.
  // Images finish nearly in order (stage A runs at most a few images ahead), so each call scans only from the
  // first image not yet counted: O(1) amortized per image even for a million-image batch.
  std::vector<char> counted;
  size_t first_open = 0;
  auto tick_finished = [&] {
    std::lock_guard<std::mutex> lk(report_mu);
    counted.resize(report.images.size(), 0);
    bar.set_total(static_cast<int>(report.images.size()));
    while (first_open < counted.size() && counted[first_open]) ++first_open;
    for (size_t i = first_open; i < report.images.size(); ++i) {
      const auto& r = report.images[i];
      if (counted[i] || (!r.ok && r.reason.empty())) continue;
      counted[i] = 1;
      bar.tick(r.ok ? r.height * double(r.width) / 1e6 : 0, !r.ok);
    }
  };

  // Stage A: read + decode + name the pages + pre-process (pipeline/segment_file.h).
  std::thread stage_a([&] {
    for (size_t i = 0; i < inputs.images.size(); ++i) {
      const ImageSource& src = inputs.images[i];
      DecodedFile file;
      std::string error;
      try {
        std::vector<uint8_t> disk;
        if (!src.bytes) disk = read_file_bytes(src.path);
        const std::vector<uint8_t>& bytes = src.bytes ? *src.bytes : disk;
        // messages name a file on disk by its base name (the CLI prints the full path before it), a zip member
        // by "<zip>:<member>"
        const std::string label = src.bytes ? src.origin : std::filesystem::path(src.path).filename().string();
        file = decode_file(bytes.data(), bytes.size(), label, opt.max_pixels,
                           [&](const std::vector<std::string>& suffixes) { return namer.assign(i, suffixes); });
      } catch (const std::exception& e) {
        error = e.what();
      }
      if (!error.empty()) {
        // decoder messages start with the label the file was given: the report names the input once
        const std::string label = src.bytes ? src.origin : std::filesystem::path(src.path).filename().string();
        if (error.rfind(label + ": ", 0) == 0) error = error.substr(label.size() + 2);
        ImageReport r;
        r.name = namer.assign(i, 1).front(), r.origin = src.origin, r.reason = one_line(error);
        std::lock_guard<std::mutex> lk(report_mu);
        report.images.push_back(std::move(r));
        continue;
      }
      for (size_t p = 0; p < file.pages.size(); ++p) {
        ImageReport r;
        r.name = file.names[p];
        r.origin = src.origin;
        r.height = file.pages[p].height, r.width = file.pages[p].width;
        r.timings.decode = file.decode_s / static_cast<double>(file.pages.size());
        size_t idx;
        {
          std::lock_guard<std::mutex> lk(report_mu);
          idx = report.images.size();
          report.images.push_back(r);
        }
        try {
          Work w{idx, prepare_page(file.pages[p], file.names[p], seg_opt, segmenter, file.mpp)};
          w.page.timings.decode = r.timings.decode;
          {
            std::lock_guard<std::mutex> lk(report_mu);
            report.images[idx].timings.preprocess = w.page.timings.preprocess;
            report.images[idx].warning = w.page.warning;
            report.images[idx].channel = w.page.channel;
            report.images[idx].image_mpp = w.page.image_mpp;
            report.images[idx].axes = file.axes;
          }
          to_predict.push(std::move(w));
        } catch (const std::exception& e) {
          fail(idx, e.what());
        }
      }
    }
    to_predict.close();
  });

  // Stage C: post-process + encode the output set + write it. A path written twice in one run is an error.
  std::set<std::string> written_paths;
  std::thread stage_c([&] {
    while (auto w = to_finish.pop()) {
      try {
        PageResult res = finish_page(std::move(w->page), seg_opt, opt.request.outputs, segmenter);
        const auto t0 = Clock::now();
        for (const auto& f : res.files) {
          const std::string path = (std::filesystem::path(opt.out_dir) / f.name).string();
          if (!written_paths.insert(path).second)
            throw std::logic_error("output '" + path + "' would be written twice in this run");
        }
        auto written = write_output_set(opt.out_dir, res.files);
        const double write_s = since(t0) + res.timings.write;
        std::lock_guard<std::mutex> lk(report_mu);
        auto& r = report.images[w->index];
        r.ok = true;
        r.n_objects = static_cast<int>(res.n_objects);
        r.timings.postprocess = res.timings.postprocess;
        r.timings.write = write_s;
        r.outputs = std::move(written);
        report.megapixels += r.height * double(r.width) / 1e6;
      } catch (const std::exception& e) {
        fail(w->index, e.what());
      }
      tick_finished();
    }
  });

  // Stage B (this thread): inference, serialized on the one predictor.
  while (auto w = to_predict.pop()) {
    try {
      predict_page(w->page, segmenter);
      {
        std::lock_guard<std::mutex> lk(report_mu);
        report.images[w->index].timings.predict = w->page.timings.predict;
      }
      to_finish.push(std::move(*w));
    } catch (const std::exception& e) {
      fail(w->index, e.what());
    }
    tick_finished();
  }
  to_finish.close();
  stage_a.join();
  stage_c.join();
  tick_finished();
  report.wall_s = since(t_start);
  bar.finish();
  return report;
}

nlohmann::json summary_json(const BatchReport& report, const ModelManifest& model, const BatchOptions& opt) {
  nlohmann::json images = nlohmann::json::array();
  for (const auto& r : report.images) {
    nlohmann::json j = {{"name", r.name}, {"input", r.origin}, {"status", r.ok ? "done" : "failed"}};
    if (r.ok) {
      j["objects"] = r.n_objects;
      j["height"] = r.height;
      j["width"] = r.width;
      j["outputs"] = r.outputs;
      j["channel"] = r.channel;
      j["image_mpp"] = r.image_mpp > 0 ? nlohmann::json(r.image_mpp) : nlohmann::json(nullptr);  // null: the model's
      if (!r.axes.empty()) j["axes"] = r.axes;
    } else {
      j["reason"] = r.reason;
    }
    if (!r.warning.empty()) j["warning"] = r.warning;
    j["timings_s"] = {{"decode", r.timings.decode},         {"preprocess", r.timings.preprocess},
                      {"predict", r.timings.predict},       {"postprocess", r.timings.postprocess},
                      {"write", r.timings.write},           {"total", r.timings.total()}};
    images.push_back(std::move(j));
  }
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& p : report.problems) problems.push_back({{"input", p.origin}, {"status", "failed"}, {"reason", p.reason}});
  StageTimings sum;
  for (const auto& r : report.images) {
    sum.decode += r.timings.decode, sum.preprocess += r.timings.preprocess, sum.predict += r.timings.predict;
    sum.postprocess += r.timings.postprocess, sum.write += r.timings.write;
  }
  return {
      {"model", {{"name", model.name}, {"version", model.version}, {"path", model.dir}}},
      {"options",
       {{"channel", opt.request.channel ? nlohmann::json(*opt.request.channel) : nlohmann::json("auto")}, {"image_mpp", opt.request.image_mpp(model.mpp)}, {"model_mpp", model.mpp},
        {"outputs", opt.request.outputs.to_string()}, {"overlay", opt.request.outputs.overlay},
        {"max_pixels", opt.max_pixels}}},
      {"images", images},
      {"input_errors", problems},
      {"skipped", [&] {
         nlohmann::json j = nlohmann::json::array();
         for (const auto& p : report.skipped) j.push_back({{"input", p.origin}, {"reason", p.reason}});
         return j;
       }()},
      {"totals",
       {{"images", report.images.size()},
        {"done", report.n_ok()},
        {"failed", report.n_failed()},
        {"objects", [&] { long n = 0; for (const auto& r : report.images) n += r.n_objects; return n; }()},
        {"megapixels", report.megapixels},
        {"wall_s", report.wall_s},
        {"megapixels_per_s", report.wall_s > 0 ? report.megapixels / report.wall_s : 0.0},
        {"stage_s", {{"decode", sum.decode}, {"preprocess", sum.preprocess}, {"predict", sum.predict},
                     {"postprocess", sum.postprocess}, {"write", sum.write}}}}},
  };
}

}  // namespace ck
