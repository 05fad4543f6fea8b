#pragma once
// Greyscale morphological reconstruction by dilation with an arbitrary flat footprint.
#include <cstdint>

#include "image/plane.h"

namespace ck {

/// skimage.morphology.disk(radius): (2r+1)×(2r+1) mask, 1 where dy² + dx² <= r². Throws
/// PostprocessError if radius < 0.
Plane<uint8_t> disk_footprint(int radius);

/// Reconstruction by dilation of `seed` under `mask` (both H×W float32, seed <= mask everywhere):
/// the largest image R <= mask such that R(p) = max(seed(p), max_{q ∈ N(p)} min(R(q), mask(p))),
/// where N(p) are the pixels p + offset for the nonzero offsets of `footprint` (odd-sized, centred;
/// the centre is ignored). Same result as skimage.morphology.reconstruction(seed, mask,
/// method='dilation', footprint=footprint) (Vincent 1993, "Morphological grayscale reconstruction
/// in image analysis", IEEE TIP 2:176).
/// Algorithm: a priority flood over the merged descending orders of seed and mask values, where a
/// pixel's value is final the first time a popped pixel reaches it; footprint rows are scanned as
/// 64-bit words of a not-yet-final bitset, so cost is O(N·footprint rows), not O(N·footprint area).
/// Throws PostprocessError on shape mismatch, an even-sized footprint, seed > mask, or NaN.
FloatPlane reconstruct_by_dilation(const FloatPlane& seed, const FloatPlane& mask,
                                   const Plane<uint8_t>& footprint);

}  // namespace ck
