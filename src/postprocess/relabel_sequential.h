#pragma once
#include "image/plane.h"

namespace ck {

/// Renumbers the nonzero labels of an H×W label image to 1..N keeping their relative order
/// (the smallest label becomes 1), 0 stays background — skimage.segmentation.relabel_sequential.
/// (In deep_watershed the labels come from the markers, so order = raster order of each object's
/// marker's first pixel.) O(N) for labels up to 4·H·W, O(N log N) beyond.
LabelImage relabel_sequential(const LabelImage& labels);

}  // namespace ck
