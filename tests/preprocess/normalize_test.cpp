#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "preprocess/normalize.h"

namespace ck {
namespace {

FloatPlane ramp(int h, int w) {  // values 0, 1, ..., h*w-1 in row-major order
  FloatPlane p(h, w);
  for (size_t i = 0; i < p.size(); ++i) p.data[i] = static_cast<float>(i);
  return p;
}

TEST(Normalize, PercentilesOfRampMatchNumpyLinear) {
  const FloatPlane r = ramp(25, 40);  // 1000 values 0..999, shuffled order does not matter
  // numpy.percentile(arange(1000), [1, 99.8, 50, 0, 100]) = 9.99, 997.002, 499.5, 0, 999
  EXPECT_NEAR(percentile(r, 1.0f), 9.99f, 1e-4);
  EXPECT_NEAR(percentile(r, 99.8f), 997.002f, 1e-3);
  EXPECT_EQ(percentile(r, 50.0f), 499.5f);
  EXPECT_EQ(percentile(r, 0.0f), 0.0f);
  EXPECT_EQ(percentile(r, 100.0f), 999.0f);
}

TEST(Normalize, RampMapsPercentilesToZeroAndOne) {
  FloatPlane r = ramp(10, 10);  // 0..99; reverse it so nth_element has work to do
  std::reverse(r.data.begin(), r.data.end());
  NormalizationStats s;
  const FloatPlane n = normalize_percentile(r, 1.0f, 99.0f, &s);
  // numpy.percentile(arange(100), [1, 99]) = 0.99, 98.01
  EXPECT_NEAR(s.low, 0.99f, 1e-5);
  EXPECT_NEAR(s.high, 98.01f, 1e-4);
  ASSERT_EQ(n.height, 10);
  ASSERT_EQ(n.width, 10);
  EXPECT_NEAR(n.data[0], (99.0f - 0.99f) / (98.01f - 0.99f), 1e-6);  // value 99
  EXPECT_NEAR(n.data[99], (0.0f - 0.99f) / (98.01f - 0.99f), 1e-6);  // value 0
  EXPECT_NEAR(n.data[50], (49.0f - 0.99f) / (98.01f - 0.99f), 1e-6);
}

TEST(Normalize, ConstantImageGivesZerosNoNaN) {
  const FloatPlane c(7, 9, 1234.5f);
  NormalizationStats s;
  const FloatPlane n = normalize_percentile(c, 1.0f, 99.8f, &s);
  EXPECT_EQ(s.low, 1234.5f);
  EXPECT_EQ(s.high, 1234.5f);
  EXPECT_EQ(n, FloatPlane(7, 9, 0.0f));
}

TEST(Normalize, AllZeroImageGivesZeros) {
  const FloatPlane z(5, 5, 0.0f);
  EXPECT_EQ(normalize_percentile(z), FloatPlane(5, 5, 0.0f));
}

TEST(Normalize, OneByOneGivesZero) {
  EXPECT_EQ(normalize_percentile(FloatPlane(1, 1, 42.0f)), FloatPlane(1, 1, 0.0f));
}

TEST(Normalize, NaNPixelThrows) {
  FloatPlane p = ramp(4, 4);
  p(2, 3) = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(normalize_percentile(p), PreprocessError);
  try {
    check_finite(p);
    FAIL() << "expected PreprocessError";
  } catch (const PreprocessError& e) {
    EXPECT_STREQ(e.what(), "image contains NaN/Inf pixels (1 of 16)");
  }
}

TEST(Normalize, InfPixelThrows) {
  FloatPlane p = ramp(4, 4);
  p(0, 0) = std::numeric_limits<float>::infinity();
  p(1, 1) = -std::numeric_limits<float>::infinity();
  EXPECT_THROW(normalize_percentile(p), PreprocessError);
  try {
    check_finite(p);
    FAIL() << "expected PreprocessError";
  } catch (const PreprocessError& e) {
    EXPECT_STREQ(e.what(), "image contains NaN/Inf pixels (2 of 16)");
  }
}

TEST(Normalize, BadPercentilesAndEmptyImageThrow) {
  const FloatPlane r = ramp(4, 4);
  EXPECT_THROW(normalize_percentile(r, 50.0f, 10.0f), PreprocessError);
  EXPECT_THROW(normalize_percentile(r, -1.0f, 99.0f), PreprocessError);
  EXPECT_THROW(normalize_percentile(r, 1.0f, 100.5f), PreprocessError);
  EXPECT_THROW(normalize_percentile(FloatPlane()), PreprocessError);
}

TEST(Normalize, LargeImageUsesSubsampleWithinTolerance) {
  const FloatPlane r = ramp(2100, 2100);  // 4.41 MP > kPercentileMaxSamples: stride-2 subsample
  const float p1 = percentile(r, 1.0f);
  const float exact = 0.01f * (2100.0f * 2100.0f - 1.0f);
  EXPECT_NEAR(p1, exact, 2.0f);
}

}  // namespace
}  // namespace ck
