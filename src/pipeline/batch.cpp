#include "pipeline/batch.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include "image/io.h"
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

struct Work {
  size_t index = 0;  ///< into the report's images
  PreparedImage prepared;
  ModelOutputs maps;
};

std::string format_value(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

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
  std::mutex report_mu;  // guards report.images (stage A appends pages; stage C fills results)
  ProgressBar bar(static_cast<int>(inputs.images.size()), "images", opt.progress);
  const auto t_start = Clock::now();

  Channel<Work> to_predict(2), to_finish(2);

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

  // Stage A: read + decode + pre-process. One file may hold several pages (multi-page TIFF).
  std::thread stage_a([&] {
    for (const auto& src : inputs.images) {
      StageTimings t;
      auto t0 = Clock::now();
      std::vector<Raster> pages;
      std::string error;
      try {
        pages = src.bytes ? decode_image_bytes(src.bytes->data(), src.bytes->size(), src.origin)
                          : decode_image_file(src.path);
      } catch (const std::exception& e) {
        error = e.what();
      }
      t.decode = since(t0) / std::max<size_t>(1, pages.size());
      if (!error.empty()) {
        ImageReport r;
        r.name = src.name, r.origin = src.origin, r.reason = one_line(error), r.timings = t;
        std::lock_guard<std::mutex> lk(report_mu);
        report.images.push_back(std::move(r));
        continue;
      }
      for (size_t p = 0; p < pages.size(); ++p) {
        ImageReport r;
        r.name = pages.size() > 1 ? src.name + "_page" + std::to_string(p + 1) : src.name;
        r.origin = src.origin;
        r.height = pages[p].height, r.width = pages[p].width;
        r.timings = t;
        size_t idx;
        {
          std::lock_guard<std::mutex> lk(report_mu);
          idx = report.images.size();
          report.images.push_back(r);
        }
        try {
          StageTimings tp;
          Work w;
          w.index = idx;
          w.prepared = segmenter.prepare(pages[p], opt.segment, tp);
          const auto [lo, hi] = std::minmax_element(w.prepared.raw.data.begin(), w.prepared.raw.data.end());
          const bool blank = *lo == *hi;
          {
            std::lock_guard<std::mutex> lk(report_mu);
            report.images[idx].timings.preprocess = tp.preprocess;
            if (blank)
              report.images[idx].warning =
                  "channel " + std::to_string(opt.segment.channel) + " is blank (every pixel " + format_value(*lo) +
                  ")" + (pages[p].channels > 1 ? "; the image has " + std::to_string(pages[p].channels) +
                                                     " channels: is the stain in another one (--channel)?"
                                               : "");
          }
          to_predict.push(std::move(w));
        } catch (const std::exception& e) {
          fail(idx, e.what());
        }
      }
      std::vector<Raster>().swap(pages);
    }
    to_predict.close();
  });

  // Stage C: post-process + write.
  std::thread stage_c([&] {
    while (auto w = to_finish.pop()) {
      StageTimings t;
      std::string name;
      {
        std::lock_guard<std::mutex> lk(report_mu);
        name = report.images[w->index].name;
      }
      try {
        Segmentation seg = segmenter.finish(std::move(w->prepared), std::move(w->maps), opt.segment, t);
        const auto t0 = Clock::now();
        auto written = write_segmentation(opt.out_dir, name, seg, opt.outputs);
        t.write = since(t0);
        std::lock_guard<std::mutex> lk(report_mu);
        auto& r = report.images[w->index];
        r.ok = true;
        r.n_objects = static_cast<int>(seg.objects.size());
        r.timings.postprocess = t.postprocess;
        r.timings.write = t.write;
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
    StageTimings t;
    try {
      w->maps = segmenter.predict(w->prepared, t);
      {
        std::lock_guard<std::mutex> lk(report_mu);
        report.images[w->index].timings.predict = t.predict;
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
       {{"channel", opt.segment.channel}, {"image_mpp", opt.segment.image_mpp}, {"model_mpp", model.mpp},
        {"overlay", opt.outputs.overlay}}},
      {"images", images},
      {"input_errors", problems},
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
