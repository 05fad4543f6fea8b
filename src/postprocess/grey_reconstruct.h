#pragma once
// Greyscale morphological reconstruction by dilation with an arbitrary flat footprint.
#include <cstdint>

#include "image/plane.h"

namespace ck {

/// skimage.morphology.disk(radius): (2r+1)×(2r+1) mask, 1 where dy² + dx² <= r². Throws
/// PostprocessError if radius < 0.
Plane<uint8_t> disk_footprint(int radius);

/// Reconstruction by dilation of `seed` under `mask` (both H×W float32, seed <= mask everywhere):
/// the smallest image R >= seed, R <= mask, such that every pixel p raises each q = p + o (o a
/// nonzero offset of `footprint`, odd-sized, centred; the centre is ignored) to min(R(p), mask(q)).
/// Identical to skimage.morphology.reconstruction(seed, mask, method='dilation',
/// footprint=footprint) for any footprint, symmetric or not (only min/max: no float rounding).
/// Algorithm: Vincent 1993, "Morphological grayscale reconstruction in image analysis: applications
/// and efficient algorithms", IEEE TIP 2:176, fast hybrid version: a forward and a backward raster
/// scan, then a FIFO queue seeded by the backward scan. The scans take the max over the footprint's
/// half rows as sliding-window maxima (power-of-two doubling, per row run length), so they cost
/// O(N·footprint rows) with vector-friendly row passes; the queue phase touches O(footprint area)
/// per queued pixel, a few percent of the pixels on distance maps.
/// Throws PostprocessError on shape mismatch, an even-sized footprint, seed > mask, or NaN.
FloatPlane reconstruct_by_dilation(const FloatPlane& seed, const FloatPlane& mask,
                                   const Plane<uint8_t>& footprint);

}  // namespace ck
