#pragma once
// Connected-component labelling of a binary mask.
#include <cstdint>

#include "image/plane.h"

namespace ck {

/// Labels the connected components of the nonzero pixels of an H×W mask with 1..N, numbered in
/// raster order of each component's first pixel (same numbering as skimage.measure.label /
/// scipy.ndimage.label). connectivity 8 (default, skimage's 2-D default connectivity=2) or 4.
/// Two-pass union-find (Rosenfeld & Pfaltz 1966) with union-to-smaller-label.
/// Throws PostprocessError if connectivity is not 4 or 8.
LabelImage label_components(const Plane<uint8_t>& mask, int connectivity = 8);

}  // namespace ck
