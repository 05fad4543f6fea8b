// region_props on a hand-built label image: exact area, centroid, bbox, mean intensity.
#include <gtest/gtest.h>

#include <cmath>

#include "postprocess/errors.h"
#include "postprocess/region_props.h"

namespace ck {
namespace {

TEST(PostprocessRegionProps, ExactValuesSortedByLabel) {
  LabelImage l(4, 5, 0);
  l.data = {0, 1, 1, 0, 0,  //
            0, 1, 1, 0, 3,  //
            0, 0, 0, 0, 3,  //
            7, 0, 0, 0, 3};
  FloatPlane in(4, 5);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 5; ++x) in(y, x) = static_cast<float>(10 * y + x);
  const auto p = region_props(l, &in);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].label, 1u);
  EXPECT_EQ(p[0].area_px, 4);
  EXPECT_DOUBLE_EQ(p[0].centroid_y, 0.5);
  EXPECT_DOUBLE_EQ(p[0].centroid_x, 1.5);
  EXPECT_EQ(p[0].bbox_min_y, 0); EXPECT_EQ(p[0].bbox_min_x, 1);
  EXPECT_EQ(p[0].bbox_max_y, 2); EXPECT_EQ(p[0].bbox_max_x, 3);
  EXPECT_DOUBLE_EQ(p[0].mean_intensity, 6.5);
  EXPECT_EQ(p[1].label, 3u);
  EXPECT_EQ(p[1].area_px, 3);
  EXPECT_DOUBLE_EQ(p[1].centroid_y, 2.0);
  EXPECT_DOUBLE_EQ(p[1].centroid_x, 4.0);
  EXPECT_EQ(p[1].bbox_min_y, 1); EXPECT_EQ(p[1].bbox_min_x, 4);
  EXPECT_EQ(p[1].bbox_max_y, 4); EXPECT_EQ(p[1].bbox_max_x, 5);
  EXPECT_DOUBLE_EQ(p[1].mean_intensity, 24.0);
  EXPECT_EQ(p[2].label, 7u);
  EXPECT_EQ(p[2].area_px, 1);
  EXPECT_EQ(p[2].bbox_min_y, 3); EXPECT_EQ(p[2].bbox_max_x, 1);
  EXPECT_DOUBLE_EQ(p[2].mean_intensity, 30.0);

  const auto q = region_props(l);
  ASSERT_EQ(q.size(), 3u);
  EXPECT_TRUE(std::isnan(q[0].mean_intensity));
  EXPECT_EQ(q[2].area_px, 1);
}

TEST(PostprocessRegionProps, EmptyAndErrors) {
  EXPECT_TRUE(region_props(LabelImage(3, 3, 0)).empty());
  EXPECT_TRUE(region_props(LabelImage()).empty());
  FloatPlane wrong(2, 2);
  EXPECT_THROW(region_props(LabelImage(3, 3, 1), &wrong), PostprocessError);
}

}  // namespace
}  // namespace ck
