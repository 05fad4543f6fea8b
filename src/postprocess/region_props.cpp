#include "postprocess/region_props.h"

#include <algorithm>
#include <limits>
#include <string>

#include "postprocess/errors.h"
#include "postprocess/label_index.h"

namespace ck {

std::vector<ObjectProps> region_props(const LabelImage& labels, const FloatPlane* intensity) {
  if (intensity && (intensity->height != labels.height || intensity->width != labels.width))
    throw PostprocessError("region_props: intensity " + std::to_string(intensity->height) + "x" +
                           std::to_string(intensity->width) + " vs labels " + std::to_string(labels.height) +
                           "x" + std::to_string(labels.width));
  const detail::DenseLabels dense(labels);
  std::vector<ObjectProps> props(dense.size());
  std::vector<double> sy(dense.size(), 0), sx(dense.size(), 0), si(dense.size(), 0);
  for (size_t k = 0; k < props.size(); ++k) {
    props[k].label = dense.label(k);
    props[k].bbox_min_y = labels.height;
    props[k].bbox_min_x = labels.width;
  }
  for (int y = 0; y < labels.height; ++y) {
    const uint32_t* r = labels.row(y);
    const float* in = intensity ? intensity->row(y) : nullptr;
    for (int x = 0; x < labels.width; ++x) {
      if (!r[x]) continue;
      const uint32_t k = dense.index(r[x]);
      ObjectProps& p = props[k];
      ++p.area_px;
      sy[k] += y;
      sx[k] += x;
      if (in) si[k] += in[x];
      p.bbox_min_y = std::min(p.bbox_min_y, y);
      p.bbox_min_x = std::min(p.bbox_min_x, x);
      p.bbox_max_y = std::max(p.bbox_max_y, y + 1);
      p.bbox_max_x = std::max(p.bbox_max_x, x + 1);
    }
  }
  for (size_t k = 0; k < props.size(); ++k) {
    const double a = static_cast<double>(props[k].area_px);
    props[k].centroid_y = sy[k] / a;
    props[k].centroid_x = sx[k] / a;
    props[k].mean_intensity = intensity ? si[k] / a : std::numeric_limits<double>::quiet_NaN();
  }
  return props;
}

}  // namespace ck
