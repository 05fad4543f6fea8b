#pragma once
// Per-object measurements of a label image (for the per-object table and its GeoJSON / ROI companions).
#include <cstdint>
#include <vector>

#include "image/plane.h"

namespace ck {

/// Measurements of one object, all in pixel units (y = row, x = column; lengths in px, areas in px²),
/// following skimage.measure.regionprops where it defines the quantity (checked against scikit-image 0.19 in
/// tests/postprocess/test_region_props.cpp).
struct ObjectProps {
  uint32_t label = 0;
  int64_t area_px = 0;                    ///< pixel count (skimage `area`)
  double centroid_y = 0, centroid_x = 0;  ///< mean pixel row / column (skimage `centroid`)
  int bbox_min_y = 0, bbox_min_x = 0;     ///< inclusive
  int bbox_max_y = 0, bbox_max_x = 0;     ///< exclusive, like skimage `bbox`
  double mean_intensity = 0;              ///< mean of `intensity` over the object; NaN if no intensity given
  double max_intensity = 0;               ///< max of `intensity` over the object; NaN if no intensity given
  /// skimage `perimeter` (neighbourhood 4): the object's border pixels (a 4-neighbour outside the object) are
  /// weighted by their border neighbours: 1 for a straight run, √2 for a diagonal step, (1 + √2)/2 at a corner.
  double perimeter_px = 0;
  double equivalent_diameter_px = 0;  ///< diameter of the disk of the same area, √(4·area/π)
  /// skimage `eccentricity`: √(1 − λ2/λ1) of the eigenvalues λ1 ≥ λ2 of the pixel coordinates' covariance
  /// (population); 0 for a disk and for a single pixel, → 1 for a line.
  double eccentricity = 0;
  /// skimage `solidity`: area / area of the convex hull image, where the convex hull image is the pixels whose
  /// centres lie inside or on the convex hull of the object's pixel-edge midpoints (x ± ½, y ± ½). In (0, 1].
  double solidity = 0;
};

/// Every measurement above for each nonzero label of an H×W label image, sorted by label. `intensity` is
/// optional (nullptr), else an H×W float map. Two passes over the image plus one convex hull per object.
/// Throws PostprocessError if the intensity shape differs.
std::vector<ObjectProps> region_props(const LabelImage& labels, const FloatPlane* intensity = nullptr);

}  // namespace ck
