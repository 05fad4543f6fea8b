#pragma once
// h-maxima transform (marker detection for deep watershed).
#include <cstdint>

#include "image/plane.h"

namespace ck {

/// h-maxima transform: marks the regional maxima of an H×W float32 map whose dynamic is >= h.
/// 1 where a regional maximum has dynamic >= h (it must descend by at least h before a path reaches a higher
/// maximum), 0 elsewhere; global maxima included. Neighbourhood = skimage.morphology.disk(radius), so
/// maxima closer than `radius` px are joined across narrow valleys. As skimage for float32 input:
///   shifted = image - h - 2e-6·|image| (float32 arithmetic), R = reconstruct_by_dilation(shifted, image,
///   disk(radius)), marker = (image - R >= h) in double.
/// Parameters:
///   plane   — H×W float32 map (e.g. the inner-distance prediction), any units; no NaN
///   h       — double, plane's units, finite and > 0; a double so that a Python-style h (0.1) compares exactly
///             as in skimage
///   radius  — px, >= 0; footprint disk(radius)
/// Returns: H×W uint8 mask (1 = maximum, 0 elsewhere); all zeros when h > max-min (float32 range); an empty
///   map gives an empty mask.
/// Throws: PostprocessError if h <= 0 (skimage raises for h == 0) or h is not finite, radius < 0, or NaN in the
///   map.
/// Reference: exactly skimage 0.19 `skimage.morphology.h_maxima(image, h, footprint=disk(radius))` for float32
///   input; Soille 2003, "Morphological Image Analysis", ch. 6; grey reconstruction after Vincent 1993.
Plane<uint8_t> h_maxima(const FloatPlane& plane, double h, int radius);

}  // namespace ck
