#include "metrics/scores.h"

#include <gtest/gtest.h>

#include "label_fixtures.h"

namespace ck {
namespace {

using test::fill_rect;

TEST(Scores, IdenticalImagesArePerfect) {
  LabelImage gt(30, 30);
  fill_rect(gt, 0, 0, 10, 10, 1);
  fill_rect(gt, 12, 12, 5, 7, 2);
  fill_rect(gt, 20, 0, 10, 30, 3);
  const SegmentationCounts c = score_label_images(gt, gt);
  EXPECT_EQ(c.n_true, 3);
  EXPECT_EQ(c.f1(), 1.0);
  EXPECT_EQ(c.precision(), 1.0);
  EXPECT_EQ(c.recall(), 1.0);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(c.ap(i), 1.0) << i;
  EXPECT_EQ(c.mean_ap(), 1.0);
  EXPECT_EQ(c.taxonomy, (ErrorTaxonomy{3, 0, 0, 0, 0, 0}));
  EXPECT_EQ(c.pixels.dice(), 1.0);
  EXPECT_EQ(c.pixels.jaccard(), 1.0);
}

// Four 10×10 squares, predictions shifted right by k = 0, 1, 2, 3 px: IoU = (10-k)/(10+k) =
// 1, 9/11 (0.818), 8/12 (0.667), 7/13 (0.538).
TEST(Scores, ShiftedSquaresApPerThreshold) {
  LabelImage gt(10, 80), pred(10, 80);
  for (int k = 0; k < 4; ++k) {
    fill_rect(gt, 0, 20 * k, 10, 10, k + 1);
    fill_rect(pred, 0, 20 * k + k, 10, 10, 10 + k);
  }
  const SegmentationCounts c = score_label_images(gt, pred);
  // thresholds           0.50 0.55 0.60 0.65 0.70 0.75 0.80 0.85 0.90 0.95
  const int tp[10] = {4, 3, 3, 3, 2, 2, 2, 1, 1, 1};
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(c.at[i].tp, tp[i]) << kApThresholds[i];
    EXPECT_EQ(c.at[i].fp, 4 - tp[i]);
    EXPECT_EQ(c.at[i].fn, 4 - tp[i]);
    EXPECT_DOUBLE_EQ(c.ap(i), tp[i] / (tp[i] + 2.0 * (4 - tp[i])));
  }
  EXPECT_DOUBLE_EQ(c.ap(1), 0.6);
  EXPECT_DOUBLE_EQ(c.ap(4), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(c.ap(9), 1.0 / 7.0);
  EXPECT_NEAR(c.mean_ap(), (1.0 + 3 * 0.6 + 3.0 / 3.0 + 3.0 / 7.0) / 10.0, 1e-15);
  EXPECT_EQ(c.f1(), 1.0);
  // IoU >= 0.6 is correct for k = 0, 1, 2; k = 3 is a weak 1-1 link: missed + gained.
  EXPECT_EQ(c.taxonomy, (ErrorTaxonomy{3, 0, 0, 0, 1, 1}));
  EXPECT_EQ(c.pixels.intersection, 100u + 90u + 80u + 70u);
  EXPECT_DOUBLE_EQ(c.pixels.dice(), 680.0 / 800.0);
  EXPECT_DOUBLE_EQ(c.pixels.jaccard(), 340.0 / 460.0);
}

TEST(Scores, SplitIntoTwoHalves) {
  LabelImage gt(10, 10), pred(10, 10);
  fill_rect(gt, 0, 0, 10, 10, 4);
  fill_rect(pred, 0, 0, 10, 5, 7);
  fill_rect(pred, 0, 5, 10, 5, 9);
  const SegmentationCounts c = score_label_images(gt, pred);
  EXPECT_EQ(c.at50().tp, 1);  // each half has IoU exactly 0.5
  EXPECT_EQ(c.at50().fp, 1);
  EXPECT_EQ(c.at50().fn, 0);
  EXPECT_DOUBLE_EQ(c.f1(), 2.0 / 3.0);
  EXPECT_EQ(c.taxonomy, (ErrorTaxonomy{0, 1, 0, 0, 0, 0}));
  EXPECT_EQ(c.pixels.dice(), 1.0);
}

TEST(Scores, MergeOfTwoObjects) {
  LabelImage gt(10, 10), pred(10, 10);
  fill_rect(gt, 0, 0, 10, 5, 1);
  fill_rect(gt, 0, 5, 10, 5, 2);
  fill_rect(pred, 0, 0, 10, 10, 1);
  const SegmentationCounts c = score_label_images(gt, pred);
  EXPECT_EQ(c.at50().tp, 1);
  EXPECT_EQ(c.at50().fn, 1);
  EXPECT_EQ(c.at[1].tp, 0);  // 0.55
  EXPECT_EQ(c.taxonomy, (ErrorTaxonomy{0, 0, 1, 0, 0, 0}));
}

TEST(Scores, CatastropheCrossedHalves) {
  LabelImage gt(10, 10), pred(10, 10);
  fill_rect(gt, 0, 0, 10, 5, 1);  // left / right
  fill_rect(gt, 0, 5, 10, 5, 2);
  fill_rect(pred, 0, 0, 5, 10, 1);  // top / bottom: every pair IoU 25/75
  fill_rect(pred, 5, 0, 5, 10, 2);
  const SegmentationCounts c = score_label_images(gt, pred);
  EXPECT_EQ(c.at50().tp, 0);
  EXPECT_EQ(c.taxonomy, (ErrorTaxonomy{0, 0, 0, 1, 0, 0}));
}

TEST(Scores, MissedAndGained) {
  LabelImage gt(10, 30), pred(10, 30);
  fill_rect(gt, 0, 0, 10, 10, 1);
  fill_rect(pred, 0, 20, 10, 10, 1);
  const SegmentationCounts c = score_label_images(gt, pred);
  EXPECT_EQ(c.at50().tp, 0);
  EXPECT_EQ(c.at50().fp, 1);
  EXPECT_EQ(c.at50().fn, 1);
  EXPECT_EQ(c.f1(), 0.0);
  EXPECT_EQ(c.mean_ap(), 0.0);
  EXPECT_EQ(c.taxonomy, (ErrorTaxonomy{0, 0, 0, 0, 1, 1}));
  EXPECT_EQ(c.pixels.dice(), 0.0);
}

// A 2×2 fragment inside a 20×20 GT has IoU 4/400 < 0.1 but lies wholly inside it: deepcell's
// containment rule links it, so GT + big half + fragment is one split (not missed + gained + gained).
TEST(Scores, SmallFragmentLinksByContainment) {
  LabelImage gt(20, 20), pred(20, 20);
  fill_rect(gt, 0, 0, 20, 20, 1);
  fill_rect(pred, 0, 0, 20, 10, 1);
  fill_rect(pred, 5, 15, 2, 2, 2);
  const SegmentationCounts c = score_label_images(gt, pred);
  EXPECT_EQ(c.taxonomy, (ErrorTaxonomy{0, 1, 0, 0, 0, 0}));
}

// Convention: no GT object and no prediction is a perfect score (StarDist would report 0).
TEST(Scores, BothEmptyIsPerfect) {
  const SegmentationCounts c = score_label_images(LabelImage(8, 8), LabelImage(8, 8));
  EXPECT_EQ(c.f1(), 1.0);
  EXPECT_EQ(c.precision(), 1.0);
  EXPECT_EQ(c.recall(), 1.0);
  EXPECT_EQ(c.mean_ap(), 1.0);
  EXPECT_EQ(c.pixels.dice(), 1.0);
  EXPECT_EQ(c.taxonomy, ErrorTaxonomy{});
}

TEST(Scores, EmptyGroundTruthOrEmptyPrediction) {
  LabelImage objs(8, 8), empty(8, 8);
  fill_rect(objs, 1, 1, 3, 3, 1);
  fill_rect(objs, 5, 5, 2, 2, 2);
  const SegmentationCounts fp_only = score_label_images(empty, objs);
  EXPECT_EQ(fp_only.at50().fp, 2);
  EXPECT_EQ(fp_only.precision(), 0.0);
  EXPECT_EQ(fp_only.recall(), 0.0);
  EXPECT_EQ(fp_only.f1(), 0.0);
  EXPECT_EQ(fp_only.taxonomy.gained, 2);
  const SegmentationCounts fn_only = score_label_images(objs, empty);
  EXPECT_EQ(fn_only.at50().fn, 2);
  EXPECT_EQ(fn_only.f1(), 0.0);
  EXPECT_EQ(fn_only.taxonomy.missed, 2);
  EXPECT_EQ(fn_only.pixels.jaccard(), 0.0);
}

TEST(Scores, DatasetSumsCountsBeforeRatios) {
  SegmentationCounts a, b;
  a.at[0] = {1, 0, 0};
  b.at[0] = {1, 2, 2};
  SegmentationCounts s = a;
  s += b;
  EXPECT_EQ(s.at50().tp, 2);
  EXPECT_DOUBLE_EQ(s.f1(), 4.0 / 8.0);               // pooled
  EXPECT_DOUBLE_EQ((a.f1() + b.f1()) / 2, (1.0 + 2.0 / 6.0) / 2);  // by image differs
}

}  // namespace
}  // namespace ck
