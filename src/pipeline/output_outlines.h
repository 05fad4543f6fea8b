#pragma once
// Object outlines as polygons, for the vector outputs of the output set (GeoJSON for QuPath, ImageJ ROI sets).
// Coordinates are the input image's pixel corners (QuPath's and ImageJ's convention): x to the right, y down,
// pixel (row r, column c) is the unit square [c, c+1] × [r, r+1]. So an outline follows the pixels' edges exactly,
// its area (outer ring minus holes) is the object's pixel count, and filling it by pixel centres gives back the
// object's pixels.
#include <cstdint>
#include <vector>

#include "image/plane.h"
#include "postprocess/region_props.h"

namespace ck {

/// A vertex at a pixel corner.
struct CornerPoint {
  int x = 0, y = 0;
  bool operator==(const CornerPoint&) const = default;
};

/// A closed ring of corner vertices; the closing edge (last -> first) is implied (first != last). Every edge is
/// horizontal or vertical and no two consecutive edges are collinear.
using OutlineRing = std::vector<CornerPoint>;

/// One piece of an object: its outer ring and its holes. The outer ring has positive signed area in (x, y)
/// (Σ x_i·y_{i+1} − x_{i+1}·y_i > 0: counterclockwise as the numbers read, RFC 7946's exterior orientation;
/// clockwise on screen, where y points down), holes negative.
struct OutlinePolygon {
  OutlineRing outer;
  std::vector<OutlineRing> holes;
};

/// All pieces of one label.
struct ObjectOutline {
  uint32_t label = 0;
  std::vector<OutlinePolygon> pieces;  ///< ≥ 1, in raster order of their first pixel (row, then column)
};

/// Outlines of the objects of `labels` (H×W), one per entry of `objects` (region_props(labels): label and
/// bounding box), in that order. Pieces are the 4-connected components of a label (pixels that touch only at a
/// corner are separate pieces, so every ring is simple and pieces meet at most at single points); holes are the
/// 4-connected background components a piece encloses. Traced with OpenCV cv::findContours (RETR_CCOMP,
/// CHAIN_APPROX_SIMPLE) on the piece's mask upsampled ×2, whose border-pixel centres map to the nearest pixel
/// corner of the input.
std::vector<ObjectOutline> trace_outlines(const LabelImage& labels, const std::vector<ObjectProps>& objects);

/// Twice the signed area of a ring (shoelace, integer): positive for an outer ring, negative for a hole.
int64_t ring_area2(const OutlineRing& ring);

}  // namespace ck
