#pragma once
// Marker-controlled watershed (priority flood).
#include <cstdint>

#include "image/plane.h"

namespace ck {

/// Marker-controlled watershed: floods an elevation map (low values first) from labelled markers. No watershed line.
/// Priority flood, 4-connected: each marker pixel keeps its label; a pixel takes the label of the neighbour that
/// first pushes it; the queue is ordered by (elevation, push age), neighbours visited up, left, right, down.
/// Implementation: mask components (4-connected) flood independently, so each component holding
/// a marker is walked once to collect its markers, then flooded on its own (cache-local) with a
/// 4-ary min-heap of (elevation, age) keys; a marker's age is its raster index, so the order within
/// a component is exactly the global one. O(N log F) time, F = flooding front size.
/// Parameters:
///   elevation  — H×W float32 relief, any units (lower floods first); no NaN inside the mask
///   markers    — H×W uint32 label image, same shape; nonzero = marker with that label
///   mask       — optional H×W uint8, same shape, nonzero = flood here; default nullptr = flood everywhere.
///                Markers outside the mask are dropped.
/// Returns: H×W uint32 LabelImage of the marker labels; pixels outside the mask or unreachable from every marker
///   stay 0. An empty (0-px) input gives an empty image.
/// Throws: PostprocessError on shape mismatch (markers or mask vs elevation), NaN elevation inside the mask
///   (anywhere when there is no mask), or an image of >= 2^31 px.
/// Reference: skimage 0.19 `skimage.segmentation.watershed(elevation, markers, connectivity=1, mask=mask)`, same
///   semantics (Beucher & Meyer 1993; Soille 1990 for the age tie-break). Only the order among *marker* pixels of
///   equal elevation differs (raster order here, skimage's heap order there) — it can matter only when two
///   different markers of equal elevation touch the same pixel.
LabelImage watershed(const FloatPlane& elevation, const LabelImage& markers, const Plane<uint8_t>* mask = nullptr);

}  // namespace ck
