#pragma once
// Local-maximum peak detection (the alternative deep-watershed marker algorithm).
#include <cstdint>

#include "image/plane.h"

namespace ck {

/// Mask (H×W, 1 = peak) of skimage 0.19 `peak_local_max(plane, min_distance, threshold_abs,
/// exclude_border=False)`: candidates are pixels equal to the maximum of their
/// (2·min_distance+1)² square window (outside the image counts as 0, scipy mode='constant') and
/// > threshold_abs; none if every pixel equals its window maximum (a flat image); candidates are
/// then taken in descending intensity (ties in raster order; skimage's unstable argsort may differ
/// there) and each accepted peak rejects later candidates at Chebyshev distance < min_distance.
/// min_distance in px. Throws PostprocessError if min_distance < 1 or the map has NaN.
Plane<uint8_t> peak_local_max_mask(const FloatPlane& plane, int min_distance, float threshold_abs);

}  // namespace ck
