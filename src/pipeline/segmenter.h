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
  double min_snr = 10;    ///< images whose (P99.8 - P1) range is below this × their noise σ (preprocess/normalize.h:
                          ///< range_to_noise) have no signal: 0 objects, no inference. 0 = off
  bool channel_given = true;
  bool mpp_given = false;
  int64_t max_model_pixels = 0;  ///< > 0: an image larger than this at the model's µm/px (after the rescale) fails     ///< true when the request set mpp or scale (then a file's own pixel size is not used)  ///< false: `channel` is the automatic default (pipeline/segment_file.h: choose_channel)
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
  double range_to_noise = 0; ///< (P_high - P_low) / noise σ of the raw channel
  bool no_signal = false;    ///< range_to_noise < SegmentOptions::min_snr: predict/finish give 0 objects
  bool rescaled = false;
};

/// Runs the full per-image path: channel -> rescale to the model's µm/px -> normalize -> predict (tiled) ->
/// deep watershed -> resize back -> label image + per-object properties. The three stages can run on different
/// threads for different images (prepare and finish are const and thread-safe; predict uses the one predictor
/// and must be serialized).
/// Reference: DESIGN §1 (the DeepCell Kiosk's one-image path, Bannon et al. 2021).
class Segmenter {
 public:
  /// Binds a model card to its predictor.
  /// Parameters:
  ///   manifest   — ModelManifest: the model's µm/px, normalization percentiles, tuned DeepWatershedParams
  ///   predictor  — the model (owned); must be non-null
  /// Returns: — (constructor).
  /// Throws: nothing (neither argument is validated here).
  /// Reference: —
  Segmenter(ModelManifest manifest, std::unique_ptr<Predictor> predictor);
  /// Segments `image`: prepare + predict + finish. Adds stage times to `t`.
  /// Parameters:
  ///   image  — Raster H×W×C, any dtype, ≥1×1
  ///   opt    — SegmentOptions: channel (0-based), image_mpp (µm/px; 0 = the model's), optional postprocess
  ///            override
  ///   t      — StageTimings, s; preprocess, predict and postprocess are incremented
  /// Returns: Segmentation at the input's H×W (labels 1..N, per-object properties, normalized input).
  /// Throws: PreprocessError (channel out of range, NaN/Inf pixels, bad mpp) or std::runtime_error (model failure)
  ///   with a one-line reason; PostprocessError from finish() if the model's maps are unusable.
  /// Reference: DESIGN §1.
  Segmentation segment(const Raster& image, const SegmentOptions& opt, StageTimings& t);
  /// Pre-processing: channel selection, finiteness check, rescale to the model's µm/px, percentile normalization.
  /// The percentiles are computed once, on the raw channel at its own resolution; the same range normalizes
  /// the model input (resized with resize_bilinear first when rescaling).
  /// Parameters: image, opt as for segment(); t.preprocess is incremented (s).
  /// Returns: PreparedImage: raw (H×W float32, raw units), model_input (H'×W' float32; H' = max(1, round(H·image_mpp /
  ///   model mpp)) when rescaled, else H×W), stats (raw units), rescaled (image_mpp > 0 and != the model's).
  /// Throws: PreprocessError (channel out of range, NaN/Inf pixels, empty image, bad mpp or percentiles).
  /// Reference: —
  PreparedImage prepare(const Raster& image, const SegmentOptions& opt, StageTimings& t) const;
  /// Model inference (tiled). Not thread-safe.
  /// Parameters:
  ///   p  — PreparedImage from prepare(); its model_input (H'×W' float32, normalized) is run
  ///   t  — t.predict is incremented (s)
  /// Returns: ModelOutputs (inner, outer distance), H'×W' float32 in [0, 1] at the model input's size.
  /// Throws: std::runtime_error (one-line reason) if the model cannot run.
  /// Reference: —
  ModelOutputs predict(const PreparedImage& p, StageTimings& t);
  /// Post-processing: deep watershed, resize back to the input size, region properties.
  /// Parameters:
  ///   p     — PreparedImage from prepare(), consumed
  ///   maps  — ModelOutputs from predict(), consumed; inner and outer are used
  ///   opt   — opt.postprocess if set, else the manifest's tuned DeepWatershedParams
  ///   t     — t.postprocess is incremented (s)
  /// Returns: Segmentation: labels H×W uint32 at the input size (nearest-neighbour resized and relabelled 1..N
  ///   when rescaled), objects sorted by label (areas in input px, mean intensity of the raw channel),
  ///   normalized H×W float32 (the raw channel under p.stats).
  /// Throws: PostprocessError (a std::invalid_argument) from deep_watershed (inner/outer shape mismatch, NaN/Inf,
  ///   invalid params) or region_props (labels and raw channel differ in shape); PreprocessError from the resize.
  /// Reference: —
  Segmentation finish(PreparedImage&& p, ModelOutputs&& maps, const SegmentOptions& opt, StageTimings& t) const;
  const ModelManifest& manifest() const { return manifest_; }

 private:
  ModelManifest manifest_;
  std::unique_ptr<Predictor> predictor_;
};

}  // namespace ck
