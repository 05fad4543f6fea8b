#include "pipeline/segmenter.h"

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
  p.raw = select_channel(image, opt.channel);
  check_finite(p.raw);
  p.rescaled = opt.image_mpp > 0 && opt.image_mpp != manifest_.mpp;
  // The percentiles are computed once, on the image at its own resolution; the same range normalizes the model
  // input (rescaled or not) and, in finish(), the image the overlays are drawn on.
  p.stats = percentile_stats(p.raw, manifest_.norm_low_percentile, manifest_.norm_high_percentile);
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
  ModelOutputs maps = predictor_->predict(p.model_input);
  t.predict += since(t0);
  return maps;
}

Segmentation Segmenter::finish(PreparedImage&& p, ModelOutputs&& maps, const SegmentOptions& opt,
                               StageTimings& t) const {
  const auto t0 = Clock::now();
  Segmentation out;
  LabelImage labels = deep_watershed(maps.inner, maps.outer, opt.postprocess.value_or(manifest_.postprocess));
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
