#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <ostream>
#include <string>
#include <vector>

#include "preprocess/tiling.h"
#include "preprocess/untile.h"

namespace ck {
namespace {

/// Non-trivial test image: values with full float mantissas (not integers).
FloatPlane pattern(int h, int w) {
  FloatPlane p(h, w);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) p(y, x) = std::sin(0.37f * y + 0.11f * x) * 1.7f + 0.013f * static_cast<float>(x ^ y);
  return p;
}

float max_abs_diff(const FloatPlane& a, const FloatPlane& b) {
  EXPECT_EQ(a.height, b.height);
  EXPECT_EQ(a.width, b.width);
  float m = 0.0f;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) m = std::max(m, std::fabs(a.data[i] - b.data[i]));
  return m;
}

/// Checks that every image pixel is covered, tiles have the plan's size and lie inside the padded image.
void expect_valid_plan(const TilePlan& p, int multiple) {
  ASSERT_FALSE(p.tiles.empty());
  EXPECT_EQ(p.tile_h % multiple, 0);
  EXPECT_EQ(p.tile_w % multiple, 0);
  const int ph = std::max(p.image_h, p.tile_h), pw = std::max(p.image_w, p.tile_w);
  std::vector<int> cover(static_cast<size_t>(p.image_h) * p.image_w, 0);
  for (const TileRect& t : p.tiles) {
    ASSERT_EQ(t.h, p.tile_h);
    ASSERT_EQ(t.w, p.tile_w);
    ASSERT_GE(t.y0, 0);
    ASSERT_GE(t.x0, 0);
    ASSERT_LE(t.y0 + t.h, ph);
    ASSERT_LE(t.x0 + t.w, pw);
    for (int y = t.y0; y < std::min(t.y0 + t.h, p.image_h); ++y)
      for (int x = t.x0; x < std::min(t.x0 + t.w, p.image_w); ++x) ++cover[static_cast<size_t>(y) * p.image_w + x];
  }
  EXPECT_EQ(std::count(cover.begin(), cover.end(), 0), 0) << "uncovered pixels";
}

/// Runs a "model" over every tile of `img` and untiles. model(tile rect, input tile, output C×th×tw).
template <typename Model>
std::vector<FloatPlane> run_tiled(const FloatPlane& img, const TilePlan& plan, int channels, Model model) {
  Untiler u(plan, channels);
  std::vector<float> in(static_cast<size_t>(plan.tile_h) * plan.tile_w);
  std::vector<float> out(in.size() * channels);
  for (const TileRect& t : plan.tiles) {
    extract_tile(img, t, in.data());
    model(t, in, out);
    u.add(t, out.data());
  }
  return u.finish();
}

struct Case {
  int h, w, tile, overlap;
};
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.h << "x" << c.w << " tile " << c.tile << " overlap " << c.overlap;
}

class TilingRoundTrip : public ::testing::TestWithParam<Case> {};

TEST_P(TilingRoundTrip, IdentityModelReproducesInputExactly) {
  const Case c = GetParam();
  const FloatPlane img = pattern(c.h, c.w);
  const TilePlan plan = plan_tiles(c.h, c.w, c.tile, c.overlap, 32);
  expect_valid_plan(plan, 32);
  // two channels: identity and 2·input, to check the channel layout
  const auto out = run_tiled(img, plan, 2, [](const TileRect&, const std::vector<float>& in, std::vector<float>& o) {
    for (size_t i = 0; i < in.size(); ++i) {
      o[i] = in[i];
      o[in.size() + i] = 2.0f * in[i];
    }
  });
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(max_abs_diff(out[0], img), 0.0f);
  FloatPlane twice = img;
  for (float& v : twice.data) v *= 2.0f;
  EXPECT_EQ(max_abs_diff(out[1], twice), 0.0f);
}

TEST_P(TilingRoundTrip, CoordinateModelReproducesCoordinatesExactly) {
  const Case c = GetParam();
  const FloatPlane img(c.h, c.w, 0.0f);
  const TilePlan plan = plan_tiles(c.h, c.w, c.tile, c.overlap, 32);
  const int W = c.w;
  const auto out = run_tiled(img, plan, 1, [W](const TileRect& t, const std::vector<float>&, std::vector<float>& o) {
    for (int ty = 0; ty < t.h; ++ty)
      for (int tx = 0; tx < t.w; ++tx)
        o[static_cast<size_t>(ty) * t.w + tx] = static_cast<float>((t.y0 + ty) * W + (t.x0 + tx));
  });
  FloatPlane expect(c.h, c.w);
  for (int y = 0; y < c.h; ++y)
    for (int x = 0; x < c.w; ++x) expect(y, x) = static_cast<float>(y * W + x);
  EXPECT_EQ(max_abs_diff(out[0], expect), 0.0f);
}

INSTANTIATE_TEST_SUITE_P(
    Sizes, TilingRoundTrip,
    ::testing::Values(Case{1, 1, 256, 32}, Case{17, 300, 256, 32}, Case{255, 257, 256, 32}, Case{256, 256, 256, 32},
                      Case{257, 263, 256, 32}, Case{1000, 1000, 256, 32}, Case{1, 1, 256, 0}, Case{17, 300, 256, 0},
                      Case{255, 257, 256, 0}, Case{256, 256, 256, 0}, Case{257, 263, 256, 0},
                      Case{1000, 1000, 256, 0}, Case{17, 300, 512, 64}, Case{257, 263, 512, 64},
                      Case{1000, 1000, 1024, 64}, Case{300, 700, 64, 48}),
    [](const ::testing::TestParamInfo<Case>& i) {
      return std::to_string(i.param.h) + "x" + std::to_string(i.param.w) + "_tile" + std::to_string(i.param.tile) +
             "_ov" + std::to_string(i.param.overlap);
    });

TEST(PlanTiles, Count1000x1000) {
  const TilePlan p = plan_tiles(1000, 1000, 256, 32, 32);
  EXPECT_EQ(p.tile_h, 256);
  EXPECT_EQ(p.tile_w, 256);
  ASSERT_EQ(p.tiles.size(), 25u);  // per axis: ceil((1000-256)/224) + 1 = 5
  EXPECT_EQ(p.tiles[0].y0, 0);
  EXPECT_EQ(p.tiles[4].x0, 1000 - 256);  // last tile flush with the image edge
  EXPECT_EQ(p.tiles[1].x0, 186);          // floor(744/4)
  for (size_t i = 1; i < 5; ++i) EXPECT_GE(p.tiles[i - 1].x0 + 256 - p.tiles[i].x0, 32) << "overlap at " << i;
  expect_valid_plan(p, 32);
  EXPECT_EQ(plan_tiles(1000, 1000, 256, 0, 32).tiles.size(), 16u);  // ceil(744/256) + 1 = 4
}

TEST(PlanTiles, SmallImageGetsOneTileRoundedUpToMultiple) {
  const TilePlan p = plan_tiles(17, 300, 256, 32, 32);
  EXPECT_EQ(p.tile_h, 32);   // 17 -> 32, not 256
  EXPECT_EQ(p.tile_w, 256);  // 300 > 256: full tiles
  EXPECT_EQ(p.tiles.size(), 2u);
  const TilePlan one = plan_tiles(1, 1, 256, 32, 32);
  EXPECT_EQ(one.tile_h, 32);
  EXPECT_EQ(one.tile_w, 32);
  ASSERT_EQ(one.tiles.size(), 1u);
  const TilePlan exact = plan_tiles(256, 256, 256, 32, 32);
  EXPECT_EQ(exact.tiles.size(), 1u);
  EXPECT_EQ(exact.tile_h, 256);
  const TilePlan big = plan_tiles(257, 263, 1024, 64, 32);
  EXPECT_EQ(big.tiles.size(), 1u);
  EXPECT_EQ(big.tile_h, 288);
  EXPECT_EQ(big.tile_w, 288);
}

TEST(PlanTiles, RejectsBadArguments) {
  EXPECT_THROW(plan_tiles(0, 10, 256, 32, 32), PreprocessError);
  EXPECT_THROW(plan_tiles(10, 10, 250, 32, 32), PreprocessError);
  EXPECT_THROW(plan_tiles(10, 10, 256, 256, 32), PreprocessError);
  EXPECT_THROW(plan_tiles(10, 10, 256, -1, 32), PreprocessError);
  EXPECT_THROW(plan_tiles(10, 10, 256, 32, 0), PreprocessError);
}

TEST(ExtractTile, ReflectsLikeNumpy) {
  // numpy.pad([0,1,2], (4, 5), 'reflect') -> [2 1 2 1 | 0 1 2 | 1 0 1 2 1]; 'reflect' of one value repeats it.
  std::vector<int> got;
  for (int i = -4; i < 8; ++i) got.push_back(reflect_index(i, 3));
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1}));
  EXPECT_EQ(reflect_index(-7, 1), 0);
  FloatPlane img(2, 3);
  img.data = {0, 1, 2, 3, 4, 5};
  std::vector<float> t(4 * 5);
  extract_tile(img, TileRect{0, 0, 4, 5}, t.data());
  EXPECT_EQ(t, (std::vector<float>{0, 1, 2, 1, 0, 3, 4, 5, 4, 3, 0, 1, 2, 1, 0, 3, 4, 5, 4, 3}));
  const FloatPlane one(1, 1, 7.0f);
  std::vector<float> c(32 * 32);
  extract_tile(one, TileRect{0, 0, 32, 32}, c.data());
  EXPECT_TRUE(std::all_of(c.begin(), c.end(), [](float v) { return v == 7.0f; }));
  EXPECT_THROW(extract_tile(one, TileRect{0, 0, 0, 4}, c.data()), PreprocessError);
  EXPECT_THROW(extract_tile(one, TileRect{0, 0, 4, 4}, nullptr), PreprocessError);
}

TEST(Untiler, BlendsDisagreeingTilesWithoutSeams) {
  // Tiles predicting a per-tile constant: the result must be a convex combination, continuous across overlaps.
  const TilePlan plan = plan_tiles(100, 300, 128, 64, 32);
  Untiler u(plan, 1);
  std::vector<float> tile(static_cast<size_t>(plan.tile_h) * plan.tile_w);
  float v = 0.0f;
  for (const TileRect& t : plan.tiles) {
    std::fill(tile.begin(), tile.end(), v);
    u.add(t, tile.data());
    v += 1.0f;
  }
  const FloatPlane out = u.finish()[0];
  const float last = v - 1.0f;
  float max_step = 0.0f;
  for (int x = 0; x < 300; ++x) {
    ASSERT_GE(out(50, x), 0.0f);
    ASSERT_LE(out(50, x), last);
    if (x > 0) max_step = std::max(max_step, std::fabs(out(50, x) - out(50, x - 1)));
  }
  EXPECT_EQ(out(50, 0), 0.0f);
  EXPECT_EQ(out(50, 299), last);
  EXPECT_LT(max_step, 0.1f);  // a hard seam would jump by 1
}

TEST(Untiler, ErrorsOnMissingTilesAndMisuse) {
  const TilePlan plan = plan_tiles(300, 300, 256, 32, 32);
  Untiler u(plan, 1);
  std::vector<float> tile(256 * 256, 1.0f);
  u.add(plan.tiles[0], tile.data());
  try {
    u.finish();
    FAIL() << "expected PreprocessError";
  } catch (const PreprocessError& e) {
    EXPECT_STREQ(e.what(), "untile: 24464 of 90000 pixels not covered by any tile");  // 300² - 256²
  }
  EXPECT_THROW(u.add(TileRect{0, 0, 128, 256}, tile.data()), PreprocessError);
  EXPECT_THROW(u.add(plan.tiles[1], nullptr), PreprocessError);
  EXPECT_THROW(u.add(TileRect{400, 0, 256, 256}, tile.data()), PreprocessError);
  EXPECT_THROW(Untiler(plan, 0), PreprocessError);
}

}  // namespace
}  // namespace ck
