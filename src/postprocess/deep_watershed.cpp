// Deep watershed pipeline assembled from the building blocks.
#include "postprocess/deep_watershed.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "postprocess/erode_edges.h"
#include "postprocess/errors.h"
#include "postprocess/fill_holes.h"
#include "postprocess/gaussian_blur.h"
#include "postprocess/h_maxima.h"
#include "postprocess/label_components.h"
#include "postprocess/peak_local_max.h"
#include "postprocess/relabel_sequential.h"
#include "postprocess/remove_small_objects.h"
#include "postprocess/watershed.h"

namespace ck {
namespace {

// The double nearest to the shortest decimal that round-trips `f` (0.1f -> 0.1).
double decimal_double(float f) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf - 1, f);
  *res.ptr = '\0';
  return std::strtod(buf, nullptr);
}

void check_finite(const FloatPlane& p, const char* name) {
  bool bad = false;  // a branch-free reduction (vectorizes); the map is valid in the common case
  for (float v : p.data) bad |= !(std::fabs(v) <= std::numeric_limits<float>::max());
  if (bad) throw PostprocessError(std::string("deep_watershed: ") + name + " map contains NaN or Inf");
}

}  // namespace

LabelImage deep_watershed(const FloatPlane& inner, const FloatPlane& outer, const DeepWatershedParams& p) {
  if (inner.height != outer.height || inner.width != outer.width)
    throw PostprocessError("deep_watershed: inner " + std::to_string(inner.height) + "x" + std::to_string(inner.width) +
                           " and outer " + std::to_string(outer.height) + "x" + std::to_string(outer.width) +
                           " maps differ in shape");
  if (p.maxima_algorithm != "h_maxima" && p.maxima_algorithm != "peak_local_max")
    throw PostprocessError("deep_watershed: unknown maxima_algorithm '" + p.maxima_algorithm +
                           "' (expected h_maxima or peak_local_max)");
  if (p.radius < 0) throw PostprocessError("deep_watershed: radius must be >= 0");
  if (!(p.maxima_smooth >= 0) || !(p.interior_smooth >= 0))
    throw PostprocessError("deep_watershed: smoothing sigmas must be >= 0");
  check_finite(inner, "inner distance");
  check_finite(outer, "outer distance");
  if (inner.empty()) return LabelImage(inner.height, inner.width);

  FloatPlane smoothed_inner, smoothed_outer;  // only filled when smoothing is on (no copies otherwise)
  if (p.maxima_smooth > 0) smoothed_inner = gaussian_blur(inner, p.maxima_smooth, BorderMode::Reflect);
  if (p.interior_smooth > 0) smoothed_outer = gaussian_blur(outer, p.interior_smooth, BorderMode::Reflect);
  const FloatPlane& maxima = p.maxima_smooth > 0 ? smoothed_inner : inner;
  const FloatPlane& interior = p.interior_smooth > 0 ? smoothed_outer : outer;

  const Plane<uint8_t> peaks = p.maxima_algorithm == "peak_local_max"
                                   ? peak_local_max_mask(maxima, p.radius, p.maxima_threshold)
                                   : h_maxima(maxima, decimal_double(p.maxima_threshold), p.radius);
  const LabelImage markers = label_components(peaks, 8);

  FloatPlane elevation(interior.height, interior.width);
  Plane<uint8_t> mask(interior.height, interior.width);
  for (size_t i = 0; i < interior.size(); ++i) {
    elevation.data[i] = -interior.data[i];
    mask.data[i] = interior.data[i] > p.interior_threshold ? 1 : 0;
  }
  LabelImage labels = watershed(elevation, markers, &mask);
  if (p.label_erosion > 0) labels = erode_edges(labels, p.label_erosion);
  if (p.small_objects_threshold > 0) labels = remove_small_objects(labels, p.small_objects_threshold);
  if (p.fill_holes_threshold > 0) labels = fill_holes(labels, p.fill_holes_threshold);
  return relabel_sequential(labels);
}

}  // namespace ck
