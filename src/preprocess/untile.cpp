#include "preprocess/untile.h"

#include <algorithm>
#include <string>

namespace ck {

std::vector<uint32_t> blend_ramp(int len, int overlap) {
  std::vector<uint32_t> r(static_cast<size_t>(std::max(len, 0)), 1u);
  if (overlap <= 0) return r;
  for (int i = 0; i < len; ++i) {
    const int64_t d = std::min<int64_t>(std::min(i, len - 1 - i), overlap);
    r[static_cast<size_t>(i)] = static_cast<uint32_t>(1 + (255 * d) / overlap);
  }
  return r;
}

namespace {

/// Max number of [s, s+len) windows (distinct starts) covering one coordinate.
size_t max_coverage(std::vector<int> starts, int len) {
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  size_t best = 0, lo = 0;
  for (size_t hi = 0; hi < starts.size(); ++hi) {  // coverage at starts[hi]: windows with start in (s-len, s]
    while (static_cast<int64_t>(starts[lo]) + len <= starts[hi]) ++lo;
    best = std::max(best, hi - lo + 1);
  }
  return best;
}

}  // namespace

Untiler::Untiler(const TilePlan& plan, int channels) {
  if (channels < 1) throw PreprocessError("Untiler: channels " + std::to_string(channels) + " must be >= 1");
  if (plan.image_h < 1 || plan.image_w < 1 || plan.tile_h < 1 || plan.tile_w < 1 || plan.overlap < 0)
    throw PreprocessError("Untiler: invalid plan (image " + std::to_string(plan.image_h) + "x" +
                          std::to_string(plan.image_w) + ", tile " + std::to_string(plan.tile_h) + "x" +
                          std::to_string(plan.tile_w) + ", overlap " + std::to_string(plan.overlap) + ")");
  std::vector<int> ys, xs;
  for (const TileRect& t : plan.tiles) {
    ys.push_back(t.y0);
    xs.push_back(t.x0);
  }
  const size_t cover = max_coverage(ys, plan.tile_h) * max_coverage(xs, plan.tile_w);
  if (cover > 8191)  // 256²·8191 < 2^29: Σw·value stays exact in float64 for any float value
    throw PreprocessError("Untiler: overlap " + std::to_string(plan.overlap) + " too large: " +
                          std::to_string(cover) + " tiles cover one pixel (max 8191)");
  image_h_ = plan.image_h;
  image_w_ = plan.image_w;
  tile_h_ = plan.tile_h;
  tile_w_ = plan.tile_w;
  channels_ = channels;
  ramp_y_ = blend_ramp(tile_h_, plan.overlap);
  ramp_x_ = blend_ramp(tile_w_, plan.overlap);
  const size_t n = static_cast<size_t>(image_h_) * static_cast<size_t>(image_w_);
  acc_.assign(static_cast<size_t>(channels), std::vector<double>(n, 0.0));
  weight_.assign(n, 0u);
}

void Untiler::add(const TileRect& t, const float* tile) {
  if (finished_) throw PreprocessError("Untiler::add called after finish()");
  if (tile == nullptr) throw PreprocessError("Untiler::add: tile buffer is null");
  if (t.h != tile_h_ || t.w != tile_w_)
    throw PreprocessError("Untiler::add: tile " + std::to_string(t.h) + "x" + std::to_string(t.w) +
                          " does not match the plan's " + std::to_string(tile_h_) + "x" + std::to_string(tile_w_));
  const int64_t y_begin = std::max<int64_t>(t.y0, 0), y_end = std::min<int64_t>(int64_t{t.y0} + t.h, image_h_);
  const int64_t x_begin = std::max<int64_t>(t.x0, 0), x_end = std::min<int64_t>(int64_t{t.x0} + t.w, image_w_);
  if (y_begin >= y_end || x_begin >= x_end)
    throw PreprocessError("Untiler::add: tile at (" + std::to_string(t.y0) + ", " + std::to_string(t.x0) +
                          ") lies outside the " + std::to_string(image_h_) + "x" + std::to_string(image_w_) + " image");
  const size_t tile_px = static_cast<size_t>(tile_h_) * static_cast<size_t>(tile_w_);
  for (int64_t y = y_begin; y < y_end; ++y) {
    const int64_t ty = y - t.y0;
    const uint32_t wy = ramp_y_[static_cast<size_t>(ty)];
    const size_t row = static_cast<size_t>(y) * static_cast<size_t>(image_w_);
    for (int64_t x = x_begin; x < x_end; ++x)
      weight_[row + static_cast<size_t>(x)] += wy * ramp_x_[static_cast<size_t>(x - t.x0)];
    for (int c = 0; c < channels_; ++c) {
      const float* src = tile + static_cast<size_t>(c) * tile_px + static_cast<size_t>(ty) * static_cast<size_t>(tile_w_);
      double* dst = acc_[static_cast<size_t>(c)].data() + row;
      for (int64_t x = x_begin; x < x_end; ++x) {
        const int64_t tx = x - t.x0;
        dst[x] += static_cast<double>(wy * ramp_x_[static_cast<size_t>(tx)]) * static_cast<double>(src[tx]);
      }
    }
  }
}

std::vector<FloatPlane> Untiler::finish() {
  if (finished_) throw PreprocessError("Untiler::finish called twice");
  size_t uncovered = 0;
  for (uint32_t w : weight_) uncovered += (w == 0) ? 1 : 0;
  if (uncovered > 0)
    throw PreprocessError("untile: " + std::to_string(uncovered) + " of " + std::to_string(weight_.size()) +
                          " pixels not covered by any tile");
  finished_ = true;
  std::vector<FloatPlane> out;
  out.reserve(static_cast<size_t>(channels_));
  for (int c = 0; c < channels_; ++c) {
    FloatPlane p(image_h_, image_w_);
    const std::vector<double>& a = acc_[static_cast<size_t>(c)];
    for (size_t i = 0; i < weight_.size(); ++i) p.data[i] = static_cast<float>(a[i] / static_cast<double>(weight_[i]));
    std::vector<double>().swap(acc_[static_cast<size_t>(c)]);  // release this accumulator before the next plane
    out.push_back(std::move(p));
  }
  std::vector<uint32_t>().swap(weight_);
  return out;
}

}  // namespace ck
