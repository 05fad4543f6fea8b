#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>

#include "preprocess/rescale.h"

namespace ck {
namespace {

TEST(Rescale, PlanHalvesFor0325To065) {
  const ScalePlan p = plan_rescale(1040, 1388, 0.325, 0.65);
  EXPECT_DOUBLE_EQ(p.factor, 0.5);
  EXPECT_EQ(p.height, 520);
  EXPECT_EQ(p.width, 694);
}

TEST(Rescale, PlanRoundsAndKeepsAtLeastOnePixel) {
  const ScalePlan up = plan_rescale(255, 3, 1.3, 0.65);  // factor 2
  EXPECT_EQ(up.height, 510);
  EXPECT_EQ(up.width, 6);
  const ScalePlan tiny = plan_rescale(1, 1, 0.01, 0.65);
  EXPECT_EQ(tiny.height, 1);
  EXPECT_EQ(tiny.width, 1);
  const ScalePlan r = plan_rescale(101, 99, 0.5, 0.65);  // 77.69 -> 78, 76.15 -> 76
  EXPECT_EQ(r.height, 78);
  EXPECT_EQ(r.width, 76);
}

TEST(Rescale, PlanRejectsBadMpp) {
  EXPECT_THROW(plan_rescale(10, 10, 0.0, 0.65), PreprocessError);
  EXPECT_THROW(plan_rescale(10, 10, -0.3, 0.65), PreprocessError);
  EXPECT_THROW(plan_rescale(10, 10, 0.5, 0.0), PreprocessError);
  EXPECT_THROW(plan_rescale(10, 10, std::nan(""), 0.65), PreprocessError);
  EXPECT_THROW(plan_rescale(10, 10, 0.5, std::numeric_limits<double>::infinity()), PreprocessError);
  EXPECT_THROW(plan_rescale(0, 10, 0.5, 0.65), PreprocessError);
}

TEST(Rescale, BilinearSizesAndConstantPreserved) {
  const FloatPlane c(100, 60, 3.5f);
  for (auto [h, w] : {std::pair{50, 30}, {200, 120}, {13, 7}, {1, 1}, {100, 60}}) {
    const FloatPlane r = resize_bilinear(c, h, w);
    ASSERT_EQ(r.height, h);
    ASSERT_EQ(r.width, w);
    for (float v : r.data) ASSERT_NEAR(v, 3.5f, 1e-5f);
  }
  EXPECT_THROW(resize_bilinear(c, 0, 5), PreprocessError);
  EXPECT_THROW(resize_bilinear(FloatPlane(), 5, 5), PreprocessError);
}

TEST(Rescale, BilinearHalfOfRampAveragesPairs) {
  FloatPlane r(4, 4);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) r(y, x) = static_cast<float>(x);
  const FloatPlane h = resize_bilinear(r, 2, 2);  // pixel-centre aligned: x' = 0 -> mean(0, 1)
  EXPECT_FLOAT_EQ(h(0, 0), 0.5f);
  EXPECT_FLOAT_EQ(h(1, 1), 2.5f);
}

LabelImage sample_labels() {
  LabelImage l(5, 7, 0u);
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 7; ++x) l(y, x) = (x < 3 ? 0u : 70000u) + (y >= 2 ? 4000000000u : 0u) + (x == 6 ? 5u : 0u);
  return l;
}

TEST(Rescale, LabelsUpscaleKeepsLabelSetAndRoundTrips) {
  const LabelImage l = sample_labels();
  const LabelImage up = resize_labels_nearest(l, 10, 14);
  ASSERT_EQ(up.height, 10);
  ASSERT_EQ(up.width, 14);
  const std::set<uint32_t> a(l.data.begin(), l.data.end()), b(up.data.begin(), up.data.end());
  EXPECT_EQ(a, b);
  for (int y = 0; y < 10; ++y)
    for (int x = 0; x < 14; ++x) ASSERT_EQ(up(y, x), l(y / 2, x / 2));
  EXPECT_EQ(resize_labels_nearest(up, 5, 7), l);
}

TEST(Rescale, LabelsNonIntegerScaleUsesPixelCentres) {
  LabelImage l(1, 3, 0u);
  l.data = {1u, 2u, 3u};
  const LabelImage r = resize_labels_nearest(l, 1, 2);  // centres 0.75, 2.25 -> src 0, 2
  EXPECT_EQ(r.data, (std::vector<uint32_t>{1u, 3u}));
  const LabelImage one = resize_labels_nearest(l, 1, 1);  // centre 1.5 -> src 1
  EXPECT_EQ(one.data, (std::vector<uint32_t>{2u}));
  EXPECT_THROW(resize_labels_nearest(l, 0, 1), PreprocessError);
}

}  // namespace
}  // namespace ck
