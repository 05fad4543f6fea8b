#include "preprocess/tiling.h"

#include <cstring>
#include <string>

namespace ck {

namespace {

struct AxisPlan {
  int len = 0;
  std::vector<int> starts;
};

AxisPlan plan_axis(int n, int tile, int overlap, int multiple) {
  AxisPlan a;
  if (n <= tile) {
    const int64_t len = (static_cast<int64_t>(n) + multiple - 1) / multiple * multiple;
    a.len = static_cast<int>(len);  // <= tile, since tile is a multiple of `multiple`
    a.starts = {0};
    return a;
  }
  a.len = tile;
  const int64_t d = static_cast<int64_t>(n) - tile;
  const int64_t stride = tile - overlap;
  const int64_t k = (d + stride - 1) / stride;
  a.starts.reserve(static_cast<size_t>(k + 1));
  for (int64_t i = 0; i <= k; ++i) a.starts.push_back(static_cast<int>(i * d / k));
  return a;
}

}  // namespace

TilePlan plan_tiles(int image_h, int image_w, int tile_size, int overlap, int multiple) {
  if (image_h < 1 || image_w < 1)
    throw PreprocessError("plan_tiles: image size " + std::to_string(image_h) + "x" + std::to_string(image_w) +
                          " must be at least 1x1");
  if (multiple < 1) throw PreprocessError("plan_tiles: multiple " + std::to_string(multiple) + " must be >= 1");
  if (tile_size < 1 || tile_size % multiple != 0)
    throw PreprocessError("plan_tiles: tile size " + std::to_string(tile_size) + " must be a positive multiple of " +
                          std::to_string(multiple));
  if (overlap < 0 || overlap >= tile_size)
    throw PreprocessError("plan_tiles: overlap " + std::to_string(overlap) + " must be in [0, " +
                          std::to_string(tile_size) + ")");
  const AxisPlan ay = plan_axis(image_h, tile_size, overlap, multiple);
  const AxisPlan ax = plan_axis(image_w, tile_size, overlap, multiple);
  TilePlan p;
  p.image_h = image_h;
  p.image_w = image_w;
  p.tile_h = ay.len;
  p.tile_w = ax.len;
  p.overlap = overlap;
  p.tiles.reserve(ay.starts.size() * ax.starts.size());
  for (int y0 : ay.starts)
    for (int x0 : ax.starts) p.tiles.push_back(TileRect{y0, x0, ay.len, ax.len});
  return p;
}

int reflect_index(int64_t i, int n) {
  if (n <= 1) return 0;
  const int64_t period = 2 * (static_cast<int64_t>(n) - 1);
  i %= period;
  if (i < 0) i += period;
  if (i >= n) i = period - i;
  return static_cast<int>(i);
}

void extract_tile(const FloatPlane& image, const TileRect& t, float* dst) {
  if (image.height < 1 || image.width < 1)
    throw PreprocessError("extract_tile: empty image (" + std::to_string(image.height) + "x" +
                          std::to_string(image.width) + ")");
  if (t.h < 1 || t.w < 1)
    throw PreprocessError("extract_tile: tile size " + std::to_string(t.h) + "x" + std::to_string(t.w) +
                          " must be at least 1x1");
  if (dst == nullptr) throw PreprocessError("extract_tile: destination buffer is null");
  const int W = image.width;
  const bool x_inside = t.x0 >= 0 && static_cast<int64_t>(t.x0) + t.w <= W;
  std::vector<int> xmap;
  if (!x_inside) {
    xmap.resize(static_cast<size_t>(t.w));
    for (int tx = 0; tx < t.w; ++tx) xmap[static_cast<size_t>(tx)] = reflect_index(static_cast<int64_t>(t.x0) + tx, W);
  }
  for (int ty = 0; ty < t.h; ++ty) {
    const float* src = image.row(reflect_index(static_cast<int64_t>(t.y0) + ty, image.height));
    float* d = dst + static_cast<size_t>(ty) * static_cast<size_t>(t.w);
    if (x_inside) {
      std::memcpy(d, src + t.x0, static_cast<size_t>(t.w) * sizeof(float));
    } else {
      for (int tx = 0; tx < t.w; ++tx) d[tx] = src[xmap[static_cast<size_t>(tx)]];
    }
  }
}

}  // namespace ck
