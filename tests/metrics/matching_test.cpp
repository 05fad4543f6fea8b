#include "metrics/matching.h"

#include <gtest/gtest.h>

#include "label_fixtures.h"

namespace ck {
namespace {

using test::fill_rect;

TEST(Overlap, CountsAreasAndIou) {
  LabelImage gt(10, 20), pred(10, 20);
  fill_rect(gt, 0, 0, 10, 10, 5);     // 100 px
  fill_rect(pred, 0, 2, 10, 10, 9);   // shifted by 2: intersection 80, union 120
  const OverlapTable t = compute_overlap(gt, pred);
  ASSERT_EQ(t.true_ids, (std::vector<uint32_t>{5}));
  ASSERT_EQ(t.pred_ids, (std::vector<uint32_t>{9}));
  EXPECT_EQ(t.true_area[0], 100u);
  ASSERT_EQ(t.pairs.size(), 1u);
  EXPECT_EQ(t.pairs[0].intersection, 80u);
  EXPECT_DOUBLE_EQ(t.pairs[0].iou, 80.0 / 120.0);
  EXPECT_EQ(t.fg_true, 100u);
  EXPECT_EQ(t.fg_pred, 100u);
  EXPECT_EQ(t.fg_both, 80u);
}

TEST(Overlap, ShapeMismatchThrows) {
  EXPECT_THROW(compute_overlap(LabelImage(4, 5), LabelImage(5, 4)), std::invalid_argument);
}

TEST(Matching, NonConsecutiveIds) {
  LabelImage gt(10, 40), pred(10, 40);
  fill_rect(gt, 0, 0, 10, 10, 5);
  fill_rect(gt, 0, 10, 10, 10, 1000);
  fill_rect(gt, 0, 20, 10, 10, 70000);
  fill_rect(pred, 0, 0, 10, 10, 123456789);
  fill_rect(pred, 0, 10, 10, 10, 3);
  fill_rect(pred, 0, 20, 10, 10, 42);
  const Matching m = match_objects(compute_overlap(gt, pred), 0.5);
  EXPECT_EQ(m.counts.tp, 3);
  EXPECT_EQ(m.counts.fp, 0);
  EXPECT_EQ(m.counts.fn, 0);
  EXPECT_EQ(m.pairs, (std::vector<std::pair<uint32_t, uint32_t>>{{5, 123456789}, {1000, 3}, {70000, 42}}));
  EXPECT_DOUBLE_EQ(m.sum_iou, 3.0);
}

// 1-px-tall strips. GT A=[0,10), B=[10,20); pred P2=[0,4) (label 2), P1=[4,14) (label 1).
// IoU(A,P1)=6/14, IoU(A,P2)=4/10, IoU(B,P1)=4/16=0.25. Greedy by IoU takes A-P1 and leaves B and P2
// unmatched (1 TP); the Hungarian matching takes A-P2 + B-P1 (2 TP).
TEST(Matching, HungarianBeatsGreedyOnLabels) {
  LabelImage gt(1, 20), pred(1, 20);
  fill_rect(gt, 0, 0, 1, 10, 1);
  fill_rect(gt, 0, 10, 1, 10, 2);
  fill_rect(pred, 0, 0, 1, 4, 2);
  fill_rect(pred, 0, 4, 1, 10, 1);
  const OverlapTable t = compute_overlap(gt, pred);
  const Matching m = match_objects(t, 0.25);
  EXPECT_EQ(m.counts.tp, 2);
  EXPECT_EQ(m.pairs, (std::vector<std::pair<uint32_t, uint32_t>>{{1, 2}, {2, 1}}));
  EXPECT_DOUBLE_EQ(m.sum_iou, 0.4 + 0.25);
  // Above 0.25 only A-P1 (0.4286) and A-P2 (0.4) qualify: one TP, the better IoU.
  const Matching m3 = match_objects(t, 0.3);
  EXPECT_EQ(m3.counts.tp, 1);
  EXPECT_EQ(m3.pairs, (std::vector<std::pair<uint32_t, uint32_t>>{{1, 1}}));
}

TEST(Matching, ThresholdIsInclusiveAndValidated) {
  LabelImage gt(10, 20), pred(10, 20);
  fill_rect(gt, 0, 0, 10, 10, 1);
  fill_rect(pred, 0, 0, 10, 5, 1);  // IoU exactly 0.5
  const OverlapTable t = compute_overlap(gt, pred);
  EXPECT_EQ(match_objects(t, 0.5).counts.tp, 1);
  EXPECT_EQ(match_objects(t, 0.55).counts.tp, 0);
  EXPECT_THROW(match_objects(t, 0.0), std::invalid_argument);
  EXPECT_THROW(match_objects(t, 1.5), std::invalid_argument);
}

}  // namespace
}  // namespace ck
