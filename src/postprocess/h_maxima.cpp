// h-maxima via reconstruction by dilation, replicating skimage 0.19's float32 arithmetic.
#include "postprocess/h_maxima.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "postprocess/errors.h"
#include "postprocess/grey_reconstruct.h"

namespace ck {

Plane<uint8_t> h_maxima(const FloatPlane& plane, double h, int radius) {
  if (!(h > 0.0) || !std::isfinite(h))
    throw PostprocessError("h_maxima: h must be finite and > 0, got " + std::to_string(h));
  if (radius < 0) throw PostprocessError("h_maxima: radius must be >= 0, got " + std::to_string(radius));
  Plane<uint8_t> out(plane.height, plane.width, 0);
  if (plane.empty()) return out;
  float lo = plane.data[0], hi = plane.data[0];
  for (float v : plane.data) {
    if (std::isnan(v)) throw PostprocessError("h_maxima: NaN in input map");
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  const float ptp = hi - lo;  // np.ptp on float32 is float32
  if (h > static_cast<double>(ptp)) return out;
  const float hf = static_cast<float>(h);  // numpy casts the Python float to float32 for image - h

  // numpy: resolution = 2 * float32(1e-6) * |image|; shifted = (image - h) - resolution, all float32.
  volatile float res_unit = 2.0f * 1e-6f;
  const float unit = res_unit;
  FloatPlane shifted(plane.height, plane.width);
  for (size_t i = 0; i < plane.size(); ++i) {
    const float v = plane.data[i];
    const float a = v - hf;
    const float r = unit * std::fabs(v);
    shifted.data[i] = a - r;
  }
  const FloatPlane rec = reconstruct_by_dilation(shifted, plane, disk_footprint(radius));
  for (size_t i = 0; i < plane.size(); ++i)
    out.data[i] = (static_cast<double>(plane.data[i]) - static_cast<double>(rec.data[i]) >= h) ? 1 : 0;
  return out;
}

}  // namespace ck
