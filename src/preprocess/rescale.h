#pragma once
// Rescale between the image's pixel size and the model's (µm/px), and back for label images.
#include "image/plane.h"
#include "preprocess/preprocess_error.h"

namespace ck {

/// Output size of rescaling an image of h×w px at `image_mpp` µm/px to the model's `model_mpp` µm/px.
struct ScalePlan {
  double factor = 1.0;  ///< image_mpp / model_mpp (>1 enlarges, <1 shrinks)
  int height = 0;       ///< round(h·factor), at least 1 px
  int width = 0;        ///< round(w·factor), at least 1 px
};

/// factor = image_mpp / model_mpp; height/width = round(h·factor), round(w·factor), at least 1 px.
/// Example: 0.325 µm/px image, 0.65 µm/px model -> factor 0.5, half size.
/// Throws PreprocessError if h or w < 1, if either mpp is <= 0 or not finite, or if a result exceeds INT_MAX.
ScalePlan plan_rescale(int h, int w, double image_mpp, double model_mpp);

/// Resamples an H×W float32 plane to out_h×out_w with OpenCV cv::resize: cv::INTER_LINEAR (bilinear,
/// pixel-centre aligned), except cv::INTER_AREA (box average, anti-aliased) when shrinking by more than 2x
/// along either axis and not enlarging along the other. Same size returns a copy.
/// Throws PreprocessError on an empty input or out_h/out_w < 1.
FloatPlane resize_bilinear(const FloatPlane& img, int out_h, int out_w);

/// Nearest-neighbour resampling of an H×W label image to out_h×out_w, never mixing labels.
/// Pixel-centre convention of cv::INTER_NEAREST_EXACT / PIL / scikit-image:
/// src = floor((dst + 0.5)·in/out), clamped to in-1 (computed in exact integer arithmetic).
/// A 2x enlargement followed by a 2x reduction returns the original exactly.
/// Implemented directly because cv::resize does not accept 32-bit unsigned images.
/// Throws PreprocessError on an empty input or out_h/out_w < 1.
LabelImage resize_labels_nearest(const LabelImage& labels, int out_h, int out_w);

}  // namespace ck
