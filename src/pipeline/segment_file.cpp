#include "pipeline/segment_file.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "image/io.h"
#include "image/probe.h"
#include "preprocess/preprocess_error.h"

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

std::string fmt_g6(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string over_limit(int64_t w, int64_t h, int64_t pages, int64_t pixels, int64_t limit) {
  return "image is " + std::to_string(w) + "x" + std::to_string(h) + " px (" + std::to_string(pages) + " page(s), " +
         std::to_string(pixels) + " pixels), over the limit of " + std::to_string(limit) + " pixels (--max-pixels)";
}
}  // namespace

SegmentOptions segment_options(const SegmentRequest& req, const ModelManifest& model) {
  SegmentOptions o;
  o.channel = req.channel.value_or(0);
  o.channel_given = req.channel.has_value();
  o.mpp_given = req.mpp > 0 || req.scale > 0;
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
  if (req.min_snr) o.min_snr = *req.min_snr;
  if (any) o.postprocess = p;
  return o;
}

namespace {
/// One H×W×(sum of channels) Raster from pages of equal size and dtype (channels interleaved in page order).
Raster stack_channels(const std::vector<const Raster*>& parts, const std::string& label) {
  const Raster& first = *parts.front();
  int channels = 0;
  for (const Raster* p : parts) {
    if (p->height != first.height || p->width != first.width || p->dtype != first.dtype)
      throw ImageError(label, "the channels of one plane differ in size or sample type");
    channels += p->channels;
  }
  Raster out = Raster::make(first.height, first.width, channels, first.dtype);
  const size_t bps = static_cast<size_t>(dtype_size(first.dtype));
  const size_t n = static_cast<size_t>(first.height) * first.width;
  for (size_t px = 0; px < n; ++px) {
    uint8_t* dst = out.bytes.data() + px * channels * bps;
    for (const Raster* p : parts) {
      const size_t k = static_cast<size_t>(p->channels) * bps;
      std::memcpy(dst, p->bytes.data() + px * k, k);
      dst += k;
    }
  }
  return out;
}
}  // namespace

DecodedFile decode_file(const uint8_t* data, size_t size, const std::string& label, int64_t max_pixels,
                        const NameImages& name_images) {
  const auto t0 = Clock::now();
  const ImageInfo info = probe_image_bytes(std::string_view(reinterpret_cast<const char*>(data), size));
  if (info.pixels > max_pixels)
    throw std::invalid_argument(over_limit(info.width, info.height, info.pages, info.pixels, max_pixels));
  DecodedFile f;
  DecodedStack stack = decode_image_stack(data, size, label);
  int64_t pixels = 0;
  for (const auto& p : stack.pages) pixels += static_cast<int64_t>(p.height) * p.width;
  if (pixels > max_pixels) {
    const int64_t w = stack.pages.at(0).width, h = stack.pages.at(0).height, n = static_cast<int64_t>(stack.pages.size());
    throw std::invalid_argument(over_limit(w, h, n, pixels, max_pixels));
  }
  if (!stack.axes_problem.empty()) throw ImageError(label, stack.axes_problem);
  const bool is_stack = stack.axes && (stack.axes->source == "imagej" || stack.axes->source == "ome") &&
                        stack.axes->channels * stack.axes->slices * stack.axes->frames > 1;
  if (stack.axes && (stack.axes->source == "imagej" || stack.axes->source == "ome") && stack.axes->mpp_x > 0) {
    const double mpp = stack.axes->mpp_x;
    // 6 significant digits: TIFF resolution tags are float32 (1/0.325 reads back as 0.32499999...)
    if (mpp >= 0.01 && mpp <= 50) f.mpp = std::stod(fmt_g6(mpp));  // outside: a placeholder, not a pixel size
  }
  if (!is_stack) {
    f.pages = std::move(stack.pages);
    f.names = name_images(page_suffixes(f.pages.size()));
    if (f.names.size() != f.pages.size()) throw std::logic_error("decode_file: one name per page expected");
  } else {
    const StackAxes& a = *stack.axes;
    f.axes = std::string(a.source == "ome" ? "OME" : "ImageJ") + " C=" + std::to_string(a.channels) +
             " Z=" + std::to_string(a.slices) + " T=" + std::to_string(a.frames);
    const auto names = name_images(plane_suffixes(a.slices, a.frames));
    if (names.size() != static_cast<size_t>(a.slices) * a.frames) throw std::logic_error("decode_file: one name per plane");
    size_t k = 0;
    for (int t = 0; t < a.frames; ++t)
      for (int z = 0; z < a.slices; ++z, ++k) {
        std::vector<const Raster*> parts;
        for (int c = 0; c < a.channels; ++c) parts.push_back(&stack.pages.at(page_index(a, c, z, t)));
        f.pages.push_back(stack_channels(parts, label));
        f.names.push_back(names[k]);
      }
  }
  f.decode_s = since(t0);
  return f;
}

ChannelChoice choose_channel(const Raster& page, int requested, bool given) {
  ChannelChoice c;
  c.channel = requested;
  if (requested < 0 || requested >= page.channels) return c;  // Segmenter::prepare says what is wrong
  // signal = (max - min) of each channel, in the input's units
  std::vector<double> range(static_cast<size_t>(page.channels));
  std::vector<float> lo_of(range.size());
  for (int ch = 0; ch < page.channels; ++ch) {
    const FloatPlane p = page.channel(ch);
    const auto [lo, hi] = std::minmax_element(p.data.begin(), p.data.end());
    range[static_cast<size_t>(ch)] = p.data.empty() ? 0.0 : static_cast<double>(*hi) - *lo;
    lo_of[static_cast<size_t>(ch)] = p.data.empty() ? 0.f : *lo;
  }
  if (range[static_cast<size_t>(requested)] > 0) return c;
  int best = -1;
  for (int ch = 0; ch < page.channels; ++ch)
    if (range[static_cast<size_t>(ch)] > 0 && (best < 0 || range[static_cast<size_t>(ch)] > range[static_cast<size_t>(best)]))
      best = ch;
  const std::string blank = "channel " + std::to_string(requested) + " is blank (every pixel " +
                            format_value(lo_of[static_cast<size_t>(requested)]) + ")";
  if (best < 0) {
    c.warning = blank + (page.channels > 1 ? "; so are the other " + std::to_string(page.channels - 1) + " channel(s)" : "");
    return c;
  }
  if (given) {
    c.error = blank + "; channel " + std::to_string(best) + " has signal (--channel " + std::to_string(best) +
              ", or dataLabel/channels " + std::to_string(best) + " in a job)";
    return c;
  }
  c.channel = best;
  c.warning = blank + "; segmented channel " + std::to_string(best) +
              ", the one with the most signal (choose with --channel, or dataLabel/channels in a job)";
  return c;
}

PageWork prepare_page(const Raster& page, std::string name, const SegmentOptions& opt, const Segmenter& seg,
                      double file_mpp) {
  PageWork w;
  w.name = std::move(name);
  w.height = page.height, w.width = page.width;
  const ChannelChoice choice = choose_channel(page, opt.channel, opt.channel_given);
  if (!choice.error.empty()) throw PreprocessError(choice.error);
  SegmentOptions o = opt;
  o.channel = choice.channel;
  if (!opt.mpp_given && file_mpp > 0) o.image_mpp = file_mpp;  // the file's own pixel size (ImageJ/OME metadata)
  w.image_mpp = o.image_mpp;
  w.channel = choice.channel;
  w.warning = choice.warning;
  w.prepared = seg.prepare(page, o, w.timings);
  if (w.prepared.no_signal && w.prepared.stats.high > w.prepared.stats.low) {  // (a constant channel is said above)
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "no signal above the noise: intensity range %.3g = %.1f x noise sigma %.3g (below %g); 0 objects "
                  "(--min-snr 0 segments it anyway)",
                  static_cast<double>(w.prepared.stats.high) - w.prepared.stats.low, w.prepared.range_to_noise,
                  noise_sigma(w.prepared.raw), o.min_snr);
    w.warning += (w.warning.empty() ? "" : "; ") + std::string(buf);
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
  r.files = encode_output_set(r.name, s, outputs, w.image_mpp);
  r.timings.write = since(t0);
  r.n_objects = static_cast<int64_t>(s.objects.size());
  r.ok = true;
  return r;
}

std::vector<PageResult> segment_file(const uint8_t* data, size_t size, const std::string& label,
                                     const NameImages& name_images,
                                     const SegmentRequest& req, Segmenter& seg, int64_t max_pixels,
                                     const std::function<void(FileStage)>& on_stage) {
  SegmentOptions opt = segment_options(req, seg.manifest());
  opt.max_model_pixels = max_pixels;
  auto stage = [&](FileStage s) {
    if (on_stage) on_stage(s);
  };
  stage(FileStage::Preprocessing);
  DecodedFile file = decode_file(data, size, label, max_pixels, name_images);
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
      work[i] = prepare_page(file.pages[i], file.names[i], opt, seg, file.mpp);
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
