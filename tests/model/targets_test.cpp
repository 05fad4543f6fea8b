// Training targets: exact values on hand-built label images.
#include <gtest/gtest.h>

#include <cmath>

#include "train/targets.h"

using namespace ck;

TEST(ModelTargets, SquareCellInnerAndOuterDistance) {
  // One 5×5 cell in a 9×9 image: centroid (4,4), area 25, alpha = 1/5.
  LabelImage l(9, 9, 0);
  for (int y = 2; y <= 6; ++y)
    for (int x = 2; x <= 6; ++x) l(y, x) = 7;
  const auto t = compute_distance_targets(l);
  EXPECT_FLOAT_EQ(t.inner(4, 4), 1.0f);
  EXPECT_FLOAT_EQ(t.inner(4, 6), static_cast<float>(1.0 / (1.0 + 0.2 * 4)));
  EXPECT_FLOAT_EQ(t.inner(2, 2), static_cast<float>(1.0 / (1.0 + 0.2 * 8)));
  EXPECT_FLOAT_EQ(t.outer(4, 4), 1.0f);  // the centre is the farthest from the boundary
  // Edge pixels are 1 px from the outside; the centre is 3 px: outer = 1/3.
  EXPECT_NEAR(t.outer(2, 4), 1.0f / 3.0f, 1e-5);
  EXPECT_FLOAT_EQ(t.outer(0, 0), 0.0f);
  EXPECT_FLOAT_EQ(t.inner(0, 0), 0.0f);
  EXPECT_FLOAT_EQ(t.foreground(4, 4), 1.0f);
  EXPECT_FLOAT_EQ(t.foreground(1, 4), 0.0f);
}

TEST(ModelTargets, TouchingCellsAreSeparatedByTheirOwnBoundaries) {
  // Two 4×3 cells side by side (labels 1 | 2) with no background between them.
  LabelImage l(3, 8, 0);
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 8; ++x) l(y, x) = x < 4 ? 1 : 2;
  const auto t = compute_distance_targets(l);
  // Pixels next to the shared border are 1 px from the other cell: the same outer distance as the outer edge.
  EXPECT_FLOAT_EQ(t.outer(1, 3), t.outer(1, 0));
  EXPECT_FLOAT_EQ(t.outer(1, 4), t.outer(1, 7));
  EXPECT_FLOAT_EQ(t.outer(1, 1), 1.0f);
  EXPECT_FLOAT_EQ(t.outer(1, 6), 1.0f);
  // Each cell has its own centroid (1, 1.5) and (1, 5.5).
  EXPECT_FLOAT_EQ(t.inner(1, 1), t.inner(1, 2));
  EXPECT_FLOAT_EQ(t.inner(1, 5), t.inner(1, 6));
  EXPECT_GT(t.inner(1, 1), t.inner(1, 3));
}

TEST(ModelTargets, EmptyAndBackgroundOnly) {
  const auto t = compute_distance_targets(LabelImage(4, 5, 0));
  ASSERT_EQ(t.inner.height, 4);
  for (float v : t.outer.data) EXPECT_EQ(v, 0.0f);
  for (float v : t.inner.data) EXPECT_EQ(v, 0.0f);
  const auto e = compute_distance_targets(LabelImage());
  EXPECT_TRUE(e.inner.empty());
}
