// peak_local_max: separable max filter + greedy spacing by descending intensity.
#include "postprocess/peak_local_max.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "postprocess/errors.h"

namespace ck {

Plane<uint8_t> peak_local_max_mask(const FloatPlane& plane, int min_distance, float threshold_abs) {
  if (min_distance < 1)
    throw PostprocessError("peak_local_max_mask: min_distance must be >= 1, got " + std::to_string(min_distance));
  const int H = plane.height, W = plane.width, r = min_distance;
  Plane<uint8_t> out(H, W, 0);
  if (plane.empty()) return out;
  for (float v : plane.data)
    if (std::isnan(v)) throw PostprocessError("peak_local_max_mask: NaN in input map");

  std::vector<uint32_t> cand;
  if (plane.size() == 1) {  // skimage: image.size == 1 -> image > threshold
    if (plane.data[0] > threshold_abs) cand.push_back(0);
  } else {
    // Square max filter with zero padding: rows then columns.
    FloatPlane rowmax(H, W), winmax(H, W);
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        float m = (x - r < 0 || x + r >= W) ? 0.0f : plane(y, x);
        for (int k = std::max(0, x - r); k <= std::min(W - 1, x + r); ++k) m = std::max(m, plane(y, k));
        rowmax(y, x) = m;
      }
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        float m = (y - r < 0 || y + r >= H) ? 0.0f : rowmax(y, x);
        for (int k = std::max(0, y - r); k <= std::min(H - 1, y + r); ++k) m = std::max(m, rowmax(k, x));
        winmax(y, x) = m;
      }
    bool trivial = true;
    for (size_t i = 0; i < plane.size(); ++i)
      if (plane.data[i] != winmax.data[i]) { trivial = false; break; }
    if (trivial) return out;
    for (size_t i = 0; i < plane.size(); ++i)
      if (plane.data[i] == winmax.data[i] && plane.data[i] > threshold_abs) cand.push_back(static_cast<uint32_t>(i));
  }
  std::stable_sort(cand.begin(), cand.end(), [&](uint32_t a, uint32_t b) { return plane.data[a] > plane.data[b]; });

  // Greedy spacing: grid of accepted peaks lets each candidate check only nearby cells.
  const int cell = std::max(1, r);
  const int gh = (H + cell - 1) / cell, gw = (W + cell - 1) / cell;
  std::vector<std::vector<uint32_t>> grid(static_cast<size_t>(gh) * gw);
  for (uint32_t p : cand) {
    const int y = static_cast<int>(p / W), x = static_cast<int>(p % W);
    bool ok = true;
    for (int gy = std::max(0, y / cell - 1); ok && gy <= std::min(gh - 1, y / cell + 1); ++gy)
      for (int gx = std::max(0, x / cell - 1); ok && gx <= std::min(gw - 1, x / cell + 1); ++gx)
        for (uint32_t a : grid[static_cast<size_t>(gy) * gw + gx]) {
          const int ay = static_cast<int>(a / W), ax = static_cast<int>(a % W);
          if (std::max(std::abs(ay - y), std::abs(ax - x)) < r) { ok = false; break; }
        }
    if (!ok) continue;
    grid[static_cast<size_t>(y / cell) * gw + x / cell].push_back(p);
    out.data[p] = 1;
  }
  return out;
}

}  // namespace ck
