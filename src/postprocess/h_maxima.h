#pragma once
// h-maxima transform (marker detection for deep watershed).
#include <cstdint>

#include "image/plane.h"

namespace ck {

/// h-maxima of an H×W float32 map (e.g. the inner-distance prediction): 1 where a regional
/// maximum has dynamic >= h (it must descend by at least h before a path reaches a higher maximum),
/// 0 elsewhere; global maxima included. Neighbourhood = skimage.morphology.disk(radius), so
/// maxima closer than `radius` px are joined across narrow valleys.
/// Exactly skimage 0.19 `h_maxima(image, h, footprint=disk(radius))` for float32 input: returns all
/// zeros when h > max-min; otherwise shifted = image - h - 2e-6·|image| (float32 arithmetic),
/// R = reconstruct_by_dilation(shifted, image, disk(radius)), marker = (image - R >= h) in double.
/// Source: Soille 2003, "Morphological Image Analysis", ch. 6; reconstruction after Vincent 1993.
/// `h` is a double so that a Python-style h (0.1) compares exactly as in skimage.
/// Throws PostprocessError if h <= 0 (skimage raises for h == 0), radius < 0, or NaN in the map.
Plane<uint8_t> h_maxima(const FloatPlane& plane, double h, int radius);

}  // namespace ck
