#pragma once
// Per-object measurements of a label image (for the per-object CSV).
#include <cstdint>
#include <vector>

#include "image/plane.h"

namespace ck {

/// Measurements of one object (all pixel units; y = row, x = column).
struct ObjectProps {
  uint32_t label = 0;
  int64_t area_px = 0;                    ///< pixel count
  double centroid_y = 0, centroid_x = 0;  ///< mean pixel row / column (skimage `centroid`)
  int bbox_min_y = 0, bbox_min_x = 0;     ///< inclusive
  int bbox_max_y = 0, bbox_max_x = 0;     ///< exclusive, like skimage `bbox`
  double mean_intensity = 0;              ///< mean of `intensity` over the object; NaN if no intensity given
};

/// Area, centroid, bounding box and mean intensity of every nonzero label of an H×W label image,
/// in one pass, sorted by label (skimage.measure.regionprops semantics). `intensity` is optional
/// (nullptr), else an H×W float map. Throws PostprocessError if the intensity shape differs.
std::vector<ObjectProps> region_props(const LabelImage& labels, const FloatPlane* intensity = nullptr);

}  // namespace ck
