// Hand-built cases for the post-processing building blocks (expected values checked against
// scikit-image 0.19 by hand).
#include <gtest/gtest.h>

#include <cmath>
#include <queue>
#include <random>
#include <tuple>
#include <vector>

#include "postprocess/erode_edges.h"
#include "postprocess/errors.h"
#include "postprocess/fill_holes.h"
#include "postprocess/gaussian_blur.h"
#include "postprocess/grey_reconstruct.h"
#include "postprocess/h_maxima.h"
#include "postprocess/label_components.h"
#include "postprocess/peak_local_max.h"
#include "postprocess/relabel_sequential.h"
#include "postprocess/remove_small_objects.h"
#include "postprocess/watershed.h"

namespace ck {
namespace {

template <typename T>
Plane<T> make(int h, int w, std::vector<T> v) {
  Plane<T> p(h, w);
  p.data = std::move(v);
  return p;
}

TEST(PostprocessLabelComponents, EightAndFourConnectivityRasterOrder) {
  const auto m = make<uint8_t>(4, 4, {1, 1, 0, 0,  //
                                      0, 0, 0, 1,  //
                                      0, 1, 0, 1,  //
                                      1, 0, 0, 0});
  EXPECT_EQ(label_components(m, 8).data, (std::vector<uint32_t>{1, 1, 0, 0, 0, 0, 0, 2, 0, 3, 0, 2, 3, 0, 0, 0}));
  EXPECT_EQ(label_components(m, 4).data, (std::vector<uint32_t>{1, 1, 0, 0, 0, 0, 0, 2, 0, 3, 0, 2, 4, 0, 0, 0}));
  EXPECT_THROW(label_components(m, 6), PostprocessError);
}

TEST(PostprocessLabelComponents, UShapeMergesIntoOneLabel) {
  const auto m = make<uint8_t>(3, 3, {1, 0, 1, 1, 0, 1, 1, 1, 1});
  EXPECT_EQ(label_components(m, 4).data, (std::vector<uint32_t>{1, 0, 1, 1, 0, 1, 1, 1, 1}));
}

TEST(PostprocessReconstruct, ByDilationMatchesSkimage) {
  const auto seed = make<float>(1, 5, {0, 0, 0.5f, 0, 0});
  const auto mask = make<float>(1, 5, {1, 0.2f, 1, 0.7f, 1});
  const FloatPlane rec = reconstruct_by_dilation(seed, mask, Plane<uint8_t>(3, 3, 1));
  EXPECT_EQ(rec.data, (std::vector<float>{0.2f, 0.2f, 0.5f, 0.5f, 0.5f}));
  EXPECT_THROW(reconstruct_by_dilation(mask, seed, Plane<uint8_t>(3, 3, 1)), PostprocessError);
  EXPECT_THROW(reconstruct_by_dilation(seed, mask, Plane<uint8_t>(2, 3, 1)), PostprocessError);
}

// Definition-level reference: raise q = p + o to min(R(p), mask(q)) until nothing changes.
FloatPlane naive_reconstruct(const FloatPlane& seed, const FloatPlane& mask, const Plane<uint8_t>& fp) {
  FloatPlane r = seed;
  const int cy = fp.height / 2, cx = fp.width / 2;
  for (bool changed = true; changed;) {
    changed = false;
    for (int y = 0; y < r.height; ++y)
      for (int x = 0; x < r.width; ++x)
        for (int a = 0; a < fp.height; ++a)
          for (int b = 0; b < fp.width; ++b) {
            const int qy = y + a - cy, qx = x + b - cx;
            if (!fp(a, b) || (a == cy && b == cx) || qy < 0 || qy >= r.height || qx < 0 || qx >= r.width) continue;
            const float c = std::min(r(y, x), mask(qy, qx));
            if (c > r(qy, qx)) {
              r(qy, qx) = c;
              changed = true;
            }
          }
  }
  return r;
}

TEST(PostprocessReconstruct, MatchesFixedPointForAnyFootprint) {
  // Random maps (with plateaus) and random, mostly asymmetric footprints: the hybrid scans + queue
  // must give exactly the fixed point (skimage's result; checked against skimage 0.19 separately).
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  int cases = 0, asymmetric = 0;
  for (int it = 0; it < 400; ++it) {
    const int h = 1 + static_cast<int>(rng() % 24), w = 1 + static_cast<int>(rng() % 24);
    FloatPlane mask(h, w), seed(h, w);
    const int levels = 1 + static_cast<int>(rng() % 5);
    for (float& v : mask.data) v = rng() % 3 == 0 ? static_cast<float>(rng() % levels) / levels : u(rng);
    for (size_t i = 0; i < mask.size(); ++i)
      seed.data[i] = it % 2 ? mask.data[i] - 0.1f : (rng() % 8 == 0 ? mask.data[i] : mask.data[i] * u(rng));
    Plane<uint8_t> fp(1 + 2 * static_cast<int>(rng() % 4), 1 + 2 * static_cast<int>(rng() % 4));
    for (uint8_t& v : fp.data) v = rng() % 3 != 0;
    if (it % 5 == 0) fp = disk_footprint(static_cast<int>(rng() % 5));
    bool sym = true;
    for (int a = 0; a < fp.height; ++a)
      for (int b = 0; b < fp.width; ++b) sym &= fp(a, b) == fp(fp.height - 1 - a, fp.width - 1 - b);
    asymmetric += !sym;
    ++cases;
    ASSERT_EQ(reconstruct_by_dilation(seed, mask, fp).data, naive_reconstruct(seed, mask, fp).data) << "case " << it;
  }
  EXPECT_EQ(cases, 400);
  EXPECT_GT(asymmetric, 200);
}

TEST(PostprocessHMaxima, DynamicAndFootprint) {
  const auto a = make<float>(1, 7, {0, 0.5f, 0.3f, 0.45f, 0, 0, 0});
  EXPECT_EQ(h_maxima(a, 0.1, 1).data, (std::vector<uint8_t>{0, 1, 0, 1, 0, 0, 0}));
  EXPECT_EQ(h_maxima(a, 0.2, 1).data, (std::vector<uint8_t>{0, 1, 0, 0, 0, 0, 0}));
  // disk(2) reaches over the 0.3 valley: 0.45 joins the higher maximum.
  EXPECT_EQ(h_maxima(a, 0.1, 2).data, (std::vector<uint8_t>{0, 1, 0, 0, 0, 0, 0}));
  EXPECT_EQ(h_maxima(a, 0.6, 1).data, (std::vector<uint8_t>(7, 0)));  // h > max-min
  EXPECT_THROW(h_maxima(a, 0.0, 1), PostprocessError);
  EXPECT_EQ(disk_footprint(1).data, (std::vector<uint8_t>{0, 1, 0, 1, 1, 1, 0, 1, 0}));
}

TEST(PostprocessWatershed, FloodOrderAndMask) {
  const auto elev = make<float>(1, 5, {0, 1, 2, 1, 0.5f});
  const auto markers = make<uint32_t>(1, 5, {1, 0, 0, 0, 2});
  EXPECT_EQ(watershed(elev, markers).data, (std::vector<uint32_t>{1, 1, 1, 2, 2}));
  const auto mask = make<uint8_t>(1, 5, {1, 1, 0, 1, 1});
  EXPECT_EQ(watershed(FloatPlane(1, 5, 0.f), make<uint32_t>(1, 5, {1, 0, 0, 0, 0}), &mask).data,
            (std::vector<uint32_t>{1, 1, 0, 0, 0}));
  EXPECT_THROW(watershed(elev, LabelImage(2, 5)), PostprocessError);
}

TEST(PostprocessWatershed, PlateauSplitsBetweenMarkers) {
  // Flat 1×7 plateau: the age tie-break splits it down the middle.
  const auto markers = make<uint32_t>(1, 7, {1, 0, 0, 0, 0, 0, 2});
  EXPECT_EQ(watershed(FloatPlane(1, 7, 0.f), markers).data, (std::vector<uint32_t>{1, 1, 1, 1, 2, 2, 2}));
}

// Reference: one global priority queue over (elevation, push age), markers queued first in raster order.
LabelImage reference_watershed(const FloatPlane& e, const LabelImage& markers, const Plane<uint8_t>& mask) {
  LabelImage out(e.height, e.width, 0);
  using Item = std::tuple<float, uint64_t, size_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> q;
  uint64_t age = 0;
  for (size_t i = 0; i < e.size(); ++i)
    if (markers.data[i] && mask.data[i]) {
      out.data[i] = markers.data[i];
      q.emplace(e.data[i], age++, i);
    }
  while (!q.empty()) {
    const size_t p = std::get<2>(q.top());
    q.pop();
    const int y = static_cast<int>(p / e.width), x = static_cast<int>(p % e.width);
    const int ny[4] = {y - 1, y, y, y + 1}, nx[4] = {x, x - 1, x + 1, x};
    for (int k = 0; k < 4; ++k) {
      if (ny[k] < 0 || ny[k] >= e.height || nx[k] < 0 || nx[k] >= e.width) continue;
      const size_t qi = static_cast<size_t>(ny[k]) * e.width + nx[k];
      if (out.data[qi] || !mask.data[qi]) continue;
      out.data[qi] = out.data[p];
      q.emplace(e.data[qi], age++, qi);
    }
  }
  return out;
}

TEST(PostprocessWatershed, PerComponentFloodMatchesGlobalQueue) {
  // Coarse elevations (many ties) and masks with several components: flooding each mask component
  // on its own must reproduce the single global (elevation, age) queue exactly.
  std::mt19937 rng(4);
  for (int it = 0; it < 300; ++it) {
    const int h = 1 + static_cast<int>(rng() % 30), w = 1 + static_cast<int>(rng() % 30);
    FloatPlane e(h, w);
    for (float& v : e.data) v = static_cast<float>(rng() % (1 + it % 6));
    LabelImage markers(h, w);
    for (uint32_t& v : markers.data) v = rng() % 12 == 0 ? 1 + rng() % 5 : 0;
    Plane<uint8_t> mask(h, w);
    for (uint8_t& v : mask.data) v = rng() % 4 != 0;
    ASSERT_EQ(watershed(e, markers, &mask).data, reference_watershed(e, markers, mask).data) << "case " << it;
  }
}

TEST(PostprocessLabelOps, RelabelRemoveErode) {
  EXPECT_EQ(relabel_sequential(make<uint32_t>(1, 5, {0, 7, 3, 7, 100})).data, (std::vector<uint32_t>{0, 2, 1, 2, 3}));
  EXPECT_EQ(relabel_sequential(make<uint32_t>(1, 3, {0, 4000000000u, 5})).data, (std::vector<uint32_t>{0, 2, 1}));
  const auto l = make<uint32_t>(1, 7, {1, 0, 2, 2, 3, 3, 3});
  EXPECT_EQ(remove_small_objects(l, 2).data, (std::vector<uint32_t>{0, 0, 2, 2, 3, 3, 3}));
  EXPECT_EQ(remove_small_objects(l, 0).data, l.data);
  const auto t = make<uint32_t>(2, 4, {1, 1, 2, 2, 1, 1, 2, 2});
  EXPECT_EQ(erode_edges(t, 1).data, (std::vector<uint32_t>{1, 0, 0, 2, 1, 0, 0, 2}));
  LabelImage sq(7, 7, 0);
  for (int y = 1; y < 6; ++y)
    for (int x = 1; x < 6; ++x) sq(y, x) = 5;
  const LabelImage e = erode_edges(sq, 1);
  int count = 0;
  for (int y = 0; y < 7; ++y)
    for (int x = 0; x < 7; ++x) count += e(y, x) == 5 && y >= 2 && y <= 4 && x >= 2 && x <= 4;
  EXPECT_EQ(count, 9);
  EXPECT_EQ(std::count(e.data.begin(), e.data.end(), 5u), 9);
}

TEST(PostprocessLabelOps, FillHolesBySize) {
  LabelImage ring(7, 7, 0);
  for (int y = 1; y < 6; ++y)
    for (int x = 1; x < 6; ++x) ring(y, x) = 4;
  ring(3, 3) = 0;  // 1-px hole
  EXPECT_EQ(fill_holes(ring, 2)(3, 3), 4u);
  EXPECT_EQ(fill_holes(ring, 1)(3, 3), 0u);  // area 1 is not < 1
  for (int y = 2; y < 5; ++y)
    for (int x = 2; x < 5; ++x) ring(y, x) = 0;  // 9-px hole
  EXPECT_EQ(fill_holes(ring, 9)(3, 3), 0u);
  EXPECT_EQ(fill_holes(ring, 10)(3, 3), 4u);
  EXPECT_EQ(fill_holes(ring, 10)(0, 0), 0u);  // outside the bounding box untouched
}

TEST(PostprocessGaussian, ConstantStaysConstantAndSumPreserved) {
  const FloatPlane c(5, 6, 0.25f);
  for (const FloatPlane& b : {gaussian_blur(c, 1.5), gaussian_blur(c, 1.5, BorderMode::Reflect)})
    for (float v : b.data) EXPECT_NEAR(v, 0.25f, 1e-7);
  FloatPlane impulse(21, 21, 0.f);
  impulse(10, 10) = 1.f;
  const FloatPlane b = gaussian_blur(impulse, 1.0);
  double sum = 0;
  for (float v : b.data) sum += v;
  EXPECT_NEAR(sum, 1.0, 1e-6);
  EXPECT_NEAR(b(10, 10), std::pow(1.0 / (1 + 2 * std::exp(-0.5) + 2 * std::exp(-2.0) + 2 * std::exp(-4.5) + 2 * std::exp(-8.0)), 2), 1e-7);
  EXPECT_THROW(gaussian_blur(c, -1.0), PostprocessError);
  EXPECT_EQ(gaussian_blur(c, 0.0), c);
}

TEST(PostprocessPeakLocalMax, SpacingAndThreshold) {
  FloatPlane a(1, 9, 0.f);
  a(0, 1) = 0.9f;
  a(0, 3) = 0.8f;  // within min_distance 3 of the stronger peak: rejected (and not a window max)
  a(0, 7) = 0.5f;
  EXPECT_EQ(peak_local_max_mask(a, 3, 0.1f).data, (std::vector<uint8_t>{0, 1, 0, 0, 0, 0, 0, 1, 0}));
  EXPECT_EQ(peak_local_max_mask(a, 3, 0.6f).data, (std::vector<uint8_t>{0, 1, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(peak_local_max_mask(FloatPlane(4, 4, 1.f), 2, 0.1f).data, std::vector<uint8_t>(16, 0));  // flat
}

}  // namespace
}  // namespace ck
