// deep_watershed on hand-built inner/outer distance maps.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "postprocess/deep_watershed.h"
#include "postprocess/errors.h"

namespace ck {
namespace {

// DeepCell-style targets for disks: outer = distance to the disk edge / radius,
// inner = 1 / (1 + d² / sqrt(area)); each pixel belongs to the disk with the nearest centre.
void disks(int h, int w, const std::vector<std::array<double, 3>>& cs, FloatPlane& inner, FloatPlane& outer) {
  inner = FloatPlane(h, w, 0.f);
  outer = FloatPlane(h, w, 0.f);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      double best = 1e30;
      for (const auto& c : cs) {
        const double d = std::hypot(y - c[0], x - c[1]);
        if (d <= c[2] && d < best) {
          best = d;
          inner(y, x) = static_cast<float>(1.0 / (1.0 + d * d / std::sqrt(M_PI * c[2] * c[2])));
          outer(y, x) = static_cast<float>((c[2] - d + 1) / (c[2] + 1));
        }
      }
    }
}

TEST(PostprocessDeepWatershed, TwoTouchingDisksGiveTwoLabels) {
  FloatPlane inner, outer;
  disks(64, 64, {{{32, 22, 11}}, {{32, 42, 11}}}, inner, outer);
  for (const std::string algo : {"h_maxima", "peak_local_max"}) {
    DeepWatershedParams p;
    p.maxima_algorithm = algo;
    const LabelImage l = deep_watershed(inner, outer, p);
    EXPECT_EQ(*std::max_element(l.data.begin(), l.data.end()), 2u) << algo;
    EXPECT_EQ(l(32, 22), 1u) << algo;  // left marker comes first in raster order
    EXPECT_EQ(l(32, 42), 2u) << algo;
    EXPECT_EQ(l(32, 31), 1u) << algo;  // the touching line splits between the centres
    EXPECT_EQ(l(32, 33), 2u) << algo;
    EXPECT_EQ(l(0, 0), 0u) << algo;
  }
}

TEST(PostprocessDeepWatershed, OptionsErosionSmallObjectsHoles) {
  FloatPlane inner, outer;
  disks(64, 64, {{{32, 22, 11}}, {{32, 42, 11}}, {{8, 56, 2}}}, inner, outer);
  DeepWatershedParams p;
  p.maxima_threshold = 0.05f;
  const LabelImage base = deep_watershed(inner, outer, p);
  EXPECT_EQ(*std::max_element(base.data.begin(), base.data.end()), 3u);
  p.small_objects_threshold = 50;  // the radius-2 disk (≈ 30 px after smoothing) goes
  const LabelImage no_small = deep_watershed(inner, outer, p);
  EXPECT_EQ(*std::max_element(no_small.data.begin(), no_small.data.end()), 2u);
  p.label_erosion = 1;
  const LabelImage eroded = deep_watershed(inner, outer, p);
  EXPECT_EQ(eroded(32, 32), 0u);  // gap between the two cells
  EXPECT_LT(std::count(eroded.data.begin(), eroded.data.end(), 1u), std::count(no_small.data.begin(), no_small.data.end(), 1u));
  p.fill_holes_threshold = 10;
  EXPECT_EQ(deep_watershed(inner, outer, p), eroded);  // no holes to fill
}

TEST(PostprocessDeepWatershed, DegenerateMaps) {
  EXPECT_EQ(deep_watershed(FloatPlane(32, 32, 0.f), FloatPlane(32, 32, 0.f)), LabelImage(32, 32, 0));
  EXPECT_EQ(deep_watershed(FloatPlane(16, 8, 0.5f), FloatPlane(16, 8, 0.5f)), LabelImage(16, 8, 0));  // constant: no maxima
  EXPECT_EQ(deep_watershed(FloatPlane(1, 1, 0.9f), FloatPlane(1, 1, 0.9f)), LabelImage(1, 1, 0));
  EXPECT_EQ(deep_watershed(FloatPlane(), FloatPlane()), LabelImage());
}

TEST(PostprocessDeepWatershed, ThinLineIsOneObject) {
  FloatPlane inner(32, 32, 0.f), outer(32, 32, 0.f);
  for (int x = 4; x < 28; ++x) {
    inner(16, x) = static_cast<float>(1.0 - std::abs(x - 15.5) / 15.0);
    outer(16, x) = 1.f;
  }
  const LabelImage l = deep_watershed(inner, outer);
  EXPECT_EQ(*std::max_element(l.data.begin(), l.data.end()), 1u);
  for (int x = 4; x < 28; ++x) EXPECT_EQ(l(16, x), 1u) << x;
  EXPECT_EQ(l(10, 16), 0u);
}

TEST(PostprocessDeepWatershed, BadInputThrows) {
  EXPECT_THROW(deep_watershed(FloatPlane(4, 4), FloatPlane(4, 5)), PostprocessError);
  FloatPlane nan(4, 4, 0.f);
  nan(1, 1) = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(deep_watershed(nan, FloatPlane(4, 4)), PostprocessError);
  DeepWatershedParams p;
  p.maxima_algorithm = "bogus";
  EXPECT_THROW(deep_watershed(FloatPlane(4, 4), FloatPlane(4, 4), p), PostprocessError);
  p.maxima_algorithm = "h_maxima";
  p.radius = -1;
  EXPECT_THROW(deep_watershed(FloatPlane(4, 4), FloatPlane(4, 4), p), PostprocessError);
}

}  // namespace
}  // namespace ck
