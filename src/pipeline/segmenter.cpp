#include "pipeline/segmenter.h"

#include <cstdio>

#include <chrono>

#include "preprocess/channel.h"
#include "preprocess/normalize.h"
#include "preprocess/rescale.h"

namespace ck {

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
}  // namespace

Segmenter::Segmenter(ModelManifest manifest, std::unique_ptr<Predictor> predictor)
    : manifest_(std::move(manifest)), predictor_(std::move(predictor)) {}

PreparedImage Segmenter::prepare(const Raster& image, const SegmentOptions& opt, StageTimings& t) const {
  const auto t0 = Clock::now();
  PreparedImage p;
  // The pixel limit holds for the work, i.e. the image at the model's resolution, checked before any resize.
  if (opt.max_model_pixels > 0) {
    const bool rescale = opt.image_mpp > 0 && opt.image_mpp != manifest_.mpp;
    const ScalePlan sp = rescale ? plan_rescale(image.height, image.width, opt.image_mpp, manifest_.mpp)
                                 : ScalePlan{1.0, image.height, image.width};
    const int64_t px = static_cast<int64_t>(sp.height) * sp.width;
    if (px > opt.max_model_pixels) {
      char buf[320];
      std::snprintf(buf, sizeof buf,
                    "at the model's %g µm/px this %dx%d px image (%g µm/px) would be %dx%d px (%lld pixels), over the "
                    "limit of %lld pixels (--max-pixels)",
                    manifest_.mpp, image.width, image.height, opt.image_mpp > 0 ? opt.image_mpp : manifest_.mpp,
                    sp.width, sp.height, static_cast<long long>(px), static_cast<long long>(opt.max_model_pixels));
      throw PreprocessError(buf);
    }
  }
  p.raw = select_channel(image, opt.channel);
  check_finite(p.raw);
  p.rescaled = opt.image_mpp > 0 && opt.image_mpp != manifest_.mpp;
  // The percentiles are computed once, on the image at its own resolution; the same range normalizes the model
  // input (rescaled or not) and, in finish(), the image the overlays are drawn on.
  p.stats = percentile_stats(p.raw, manifest_.norm_low_percentile, manifest_.norm_high_percentile);
  // A field of noise only (an empty well) would be stretched to full contrast by the normalization: below the
  // signal-to-noise floor nothing is segmented.
  p.range_to_noise = range_to_noise(p.raw, p.stats);
  p.no_signal = opt.min_snr > 0 && p.range_to_noise < opt.min_snr;
  if (p.rescaled) {
    const ScalePlan sp = plan_rescale(p.raw.height, p.raw.width, opt.image_mpp, manifest_.mpp);
    p.model_input = apply_normalization(resize_bilinear(p.raw, sp.height, sp.width), p.stats);
  } else {
    p.model_input = apply_normalization(p.raw, p.stats);
  }
  t.preprocess += since(t0);
  return p;
}

ModelOutputs Segmenter::predict(const PreparedImage& p, StageTimings& t) {
  const auto t0 = Clock::now();
  if (p.no_signal) {  // no inference for a field without signal
    const int h = p.model_input.height, w = p.model_input.width;
    return {FloatPlane(h, w, 0.f), FloatPlane(h, w, 0.f)};
  }
  ModelOutputs maps = predictor_->predict(p.model_input);
  t.predict += since(t0);
  return maps;
}

Segmentation Segmenter::finish(PreparedImage&& p, ModelOutputs&& maps, const SegmentOptions& opt,
                               StageTimings& t) const {
  const auto t0 = Clock::now();
  Segmentation out;
  LabelImage labels = p.no_signal ? LabelImage(maps.inner.height, maps.inner.width, 0u)
                                  : deep_watershed(maps.inner, maps.outer, opt.postprocess.value_or(manifest_.postprocess));
  if (p.rescaled) {
    labels = relabel_sequential(resize_labels_nearest(labels, p.raw.height, p.raw.width));
    out.normalized = apply_normalization(p.raw, p.stats);
  } else {
    out.normalized = std::move(p.model_input);
  }
  out.objects = region_props(labels, &p.raw);
  out.labels = std::move(labels);
  t.postprocess += since(t0);
  return out;
}

Segmentation Segmenter::segment(const Raster& image, const SegmentOptions& opt, StageTimings& t) {
  PreparedImage p = prepare(image, opt, t);
  ModelOutputs maps = predict(p, t);
  return finish(std::move(p), std::move(maps), opt, t);
}

}  // namespace ck
