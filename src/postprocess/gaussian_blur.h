#pragma once
// Separable Gaussian smoothing of a float map, bit-for-bit the same kernel as
// scipy.ndimage.gaussian_filter (which skimage.filters.gaussian wraps).
#include "image/plane.h"

namespace ck {

/// How the signal is extended past the image edge (scipy.ndimage `mode` names).
enum class BorderMode {
  Nearest,  ///< a a a | a b c d | d d d   (skimage.filters.gaussian default)
  Reflect,  ///< b a | a b c d | d c       (scipy.ndimage.gaussian_filter default; used by deepcell)
};

/// Gaussian blur of an H×W float32 map with standard deviation `sigma` (px), truncated at
/// 4·sigma (kernel radius int(4·sigma + 0.5)), kernel normalised to sum 1. Filters rows axis
/// (y) first, then columns (x), rounding to float32 between passes, like scipy with a float32
/// array, so results match skimage.filters.gaussian(img, sigma, mode='nearest',
/// preserve_range=True) / scipy.ndimage.gaussian_filter(img, sigma, mode=...) to ~1e-7.
/// sigma == 0 returns a copy. Throws PostprocessError if sigma < 0 or not finite.
FloatPlane gaussian_blur(const FloatPlane& plane, double sigma, BorderMode mode = BorderMode::Nearest);

}  // namespace ck
