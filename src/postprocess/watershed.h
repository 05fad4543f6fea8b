#pragma once
// Marker-controlled watershed (priority flood).
#include <cstdint>

#include "image/plane.h"

namespace ck {

/// Floods the H×W float32 `elevation` map (low values first) from the nonzero pixels of `markers`
/// (H×W label image; each marker pixel keeps its label), 4-connected, restricted to pixels where
/// `mask` (optional, H×W, nonzero = flood here) is set; markers outside the mask are dropped and
/// unreachable pixels stay 0. No watershed line.
/// Same semantics as skimage 0.19 `segmentation.watershed(elevation, markers, connectivity=1,
/// mask=mask)`: a pixel takes the label of the neighbour that first pushes it; the queue is
/// ordered by (elevation, push age), neighbours visited up, left, right, down (Beucher & Meyer
/// 1993; Soille 1990 for the age tie-break). Only the order among *marker* pixels of equal elevation
/// differs (raster order here, skimage's heap order there) — it can matter only when two different
/// markers of equal elevation touch the same pixel.
/// Implementation: mask components (4-connected) flood independently, so each component holding
/// a marker is walked once to collect its markers, then flooded on its own (cache-local) with a
/// 4-ary min-heap of (elevation, age) keys; a marker's age is its raster index, so the order within
/// a component is exactly the global one. O(N log F) time, F = flooding front size.
/// Throws PostprocessError on shape mismatch or NaN elevation inside the mask.
LabelImage watershed(const FloatPlane& elevation, const LabelImage& markers, const Plane<uint8_t>* mask = nullptr);

}  // namespace ck
