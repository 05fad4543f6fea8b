#include "pipeline/segment_file.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "image/io.h"
#include "image/probe.h"

namespace ck {

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

std::string format_value(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string over_limit(int64_t w, int64_t h, int64_t pages, int64_t pixels, int64_t limit) {
  return "image is " + std::to_string(w) + "x" + std::to_string(h) + " px (" + std::to_string(pages) + " page(s), " +
         std::to_string(pixels) + " pixels), over the limit of " + std::to_string(limit) + " pixels (--max-pixels)";
}
}  // namespace

SegmentOptions segment_options(const SegmentRequest& req, const ModelManifest& model) {
  SegmentOptions o;
  o.channel = req.channel;
  o.image_mpp = req.image_mpp(model.mpp);
  DeepWatershedParams p = model.postprocess;
  bool any = false;
  auto set = [&](auto& field, const auto& v) {
    if (v) field = static_cast<std::decay_t<decltype(field)>>(*v), any = true;
  };
  set(p.maxima_threshold, req.maxima_threshold);
  set(p.interior_threshold, req.interior_threshold);
  set(p.maxima_smooth, req.maxima_smooth);
  set(p.interior_smooth, req.interior_smooth);
  set(p.radius, req.radius);
  set(p.small_objects_threshold, req.small_objects);
  set(p.fill_holes_threshold, req.fill_holes);
  set(p.maxima_algorithm, req.maxima_algorithm);
  if (any) o.postprocess = p;
  return o;
}

DecodedFile decode_file(const uint8_t* data, size_t size, const std::string& label, int64_t max_pixels,
                        const std::function<std::vector<std::string>(size_t pages)>& name_pages) {
  const auto t0 = Clock::now();
  const ImageInfo info = probe_image_bytes(std::string_view(reinterpret_cast<const char*>(data), size));
  if (info.pixels > max_pixels)
    throw std::invalid_argument(over_limit(info.width, info.height, info.pages, info.pixels, max_pixels));
  DecodedFile f;
  f.pages = decode_image_bytes(data, size, label);
  int64_t pixels = 0;
  for (const auto& p : f.pages) pixels += static_cast<int64_t>(p.height) * p.width;
  if (pixels > max_pixels) {
    const int64_t w = f.pages.at(0).width, h = f.pages.at(0).height, n = static_cast<int64_t>(f.pages.size());
    f.pages.clear();
    throw std::invalid_argument(over_limit(w, h, n, pixels, max_pixels));
  }
  f.names = name_pages(f.pages.size());
  if (f.names.size() != f.pages.size()) throw std::logic_error("decode_file: one name per page expected");
  f.decode_s = since(t0);
  return f;
}

PageWork prepare_page(const Raster& page, std::string name, const SegmentOptions& opt, const Segmenter& seg) {
  PageWork w;
  w.name = std::move(name);
  w.height = page.height, w.width = page.width;
  w.prepared = seg.prepare(page, opt, w.timings);
  if (!w.prepared.raw.data.empty()) {
    const auto [lo, hi] = std::minmax_element(w.prepared.raw.data.begin(), w.prepared.raw.data.end());
    if (*lo == *hi)
      w.warning = "channel " + std::to_string(opt.channel) + " is blank (every pixel " + format_value(*lo) + ")" +
                  (page.channels > 1 ? "; the image has " + std::to_string(page.channels) +
                                           " channels: is the stain in another one (--channel)?"
                                     : "");
  }
  return w;
}

void predict_page(PageWork& w, Segmenter& seg) { w.maps = seg.predict(w.prepared, w.timings); }

PageResult finish_page(PageWork&& w, const SegmentOptions& opt, const OutputChoice& outputs, const Segmenter& seg) {
  PageResult r;
  r.name = w.name;
  r.height = w.height, r.width = w.width;
  r.warning = w.warning;
  r.timings = w.timings;
  const Segmentation s = seg.finish(std::move(w.prepared), std::move(w.maps), opt, r.timings);
  const auto t0 = Clock::now();
  r.files = encode_output_set(r.name, s, outputs);
  r.timings.write = since(t0);
  r.n_objects = static_cast<int64_t>(s.objects.size());
  r.ok = true;
  return r;
}

std::vector<PageResult> segment_file(const uint8_t* data, size_t size, const std::string& label,
                                     const std::function<std::vector<std::string>(size_t pages)>& name_pages,
                                     const SegmentRequest& req, Segmenter& seg, int64_t max_pixels,
                                     const std::function<void(FileStage)>& on_stage) {
  const SegmentOptions opt = segment_options(req, seg.manifest());
  auto stage = [&](FileStage s) {
    if (on_stage) on_stage(s);
  };
  stage(FileStage::Preprocessing);
  DecodedFile file = decode_file(data, size, label, max_pixels, name_pages);
  const size_t n = file.pages.size();
  std::vector<PageResult> results(n);
  std::vector<PageWork> work(n);
  std::vector<bool> alive(n, true);
  std::vector<std::pair<int, int>> dims;
  for (const auto& p : file.pages) dims.emplace_back(p.height, p.width);
  auto fail = [&](size_t i, const std::exception& e) {
    results[i].name = file.names[i];
    results[i].height = dims[i].first;
    results[i].width = dims[i].second;
    results[i].ok = false;
    results[i].reason = one_line(e.what());
    alive[i] = false;
  };
  for (size_t i = 0; i < n; ++i) {
    try {
      work[i] = prepare_page(file.pages[i], file.names[i], opt, seg);
      work[i].timings.decode = file.decode_s / static_cast<double>(n);
    } catch (const std::exception& e) {
      fail(i, e);
    }
  }
  file.pages.clear();
  stage(FileStage::Predicting);
  for (size_t i = 0; i < n; ++i) {
    if (!alive[i]) continue;
    try {
      predict_page(work[i], seg);
    } catch (const std::exception& e) {
      fail(i, e);
    }
  }
  stage(FileStage::Postprocessing);
  for (size_t i = 0; i < n; ++i) {
    if (!alive[i]) continue;
    try {
      results[i] = finish_page(std::move(work[i]), opt, req.outputs, seg);
    } catch (const std::exception& e) {
      fail(i, e);
    }
  }
  return results;
}

}  // namespace ck
