#pragma once
// Segmenter: one decoded image in, one nuclear label image out. The same code runs in `cellkiosk segment`
// (in-process) and in the job consumers (DESIGN §1): channel -> rescale to the model's µm/px -> normalize ->
// predict (tiled) -> deep watershed -> resize back -> label image + per-object properties.
#include <memory>
#include <optional>
#include <vector>

#include "image/raster.h"
#include "model/manifest.h"
#include "model/predictor.h"
#include "postprocess/deep_watershed.h"
#include "postprocess/region_props.h"
#include "postprocess/relabel_sequential.h"
#include "preprocess/normalize.h"

namespace ck {

/// Per-image settings of a segmentation run.
struct SegmentOptions {
  int channel = 0;        ///< channel of the input holding the nuclear stain
  double image_mpp = 0;   ///< µm/px of the input; 0 = same as the model (no rescale)
  std::optional<DeepWatershedParams> postprocess;  ///< override of the model card's tuned defaults
};

/// Seconds spent in each stage for one image.
struct StageTimings {
  double decode = 0, preprocess = 0, predict = 0, postprocess = 0, write = 0;
  double total() const { return decode + preprocess + predict + postprocess + write; }
};

/// Result for one image: label image at the input's size (H×W, 0 = background, 1..N sequential),
/// per-object properties (areas in px of the input, mean intensity of the selected raw channel),
/// and the normalized input (H×W float32, for overlays).
struct Segmentation {
  LabelImage labels;
  std::vector<ObjectProps> objects;
  FloatPlane normalized;
};

/// An image after pre-processing: the raw selected channel (input size) and the model input
/// (rescaled to the model's µm/px, normalized), both H×W float32.
struct PreparedImage {
  FloatPlane raw;
  FloatPlane model_input;
  NormalizationStats stats;  ///< the percentile range (raw units) that normalized model_input
  bool rescaled = false;
};

/// Runs the full per-image path. The three stages can run on different threads for different images
/// (prepare and finish are const and thread-safe; predict uses the one predictor and must be serialized).
class Segmenter {
 public:
  Segmenter(ModelManifest manifest, std::unique_ptr<Predictor> predictor);
  /// Segments `image` (any dtype, ≥1×1): prepare + predict + finish. Throws PreprocessError (channel out of
  /// range, NaN/Inf pixels, bad mpp) or std::runtime_error (model failure) with a one-line reason.
  /// Adds stage times to `t`.
  Segmentation segment(const Raster& image, const SegmentOptions& opt, StageTimings& t);
  /// Channel selection, finiteness check, rescale to the model's µm/px, percentile normalization.
  PreparedImage prepare(const Raster& image, const SegmentOptions& opt, StageTimings& t) const;
  /// Model inference (tiled). Not thread-safe.
  ModelOutputs predict(const PreparedImage& p, StageTimings& t);
  /// Deep watershed, resize back to the input size, region properties.
  Segmentation finish(PreparedImage&& p, ModelOutputs&& maps, const SegmentOptions& opt, StageTimings& t) const;
  const ModelManifest& manifest() const { return manifest_; }

 private:
  ModelManifest manifest_;
  std::unique_ptr<Predictor> predictor_;
};

}  // namespace ck
