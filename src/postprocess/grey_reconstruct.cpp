// Reconstruction by dilation: priority flood with first-touch finalisation (see header).
#include "postprocess/grey_reconstruct.h"

#include <bit>
#include <cmath>
#include <string>
#include <vector>

#include "postprocess/errors.h"
#include "postprocess/sort_keys.h"

namespace ck {

Plane<uint8_t> disk_footprint(int radius) {
  if (radius < 0) throw PostprocessError("disk_footprint: radius must be >= 0, got " + std::to_string(radius));
  const int n = 2 * radius + 1;
  Plane<uint8_t> fp(n, n, 0);
  for (int dy = -radius; dy <= radius; ++dy)
    for (int dx = -radius; dx <= radius; ++dx)
      fp(dy + radius, dx + radius) = (dy * dy + dx * dx <= radius * radius) ? 1 : 0;
  return fp;
}

namespace {

struct Run { int dy, dx0, dx1; };  // footprint row segment dx0..dx1 (inclusive) at row offset dy

std::vector<Run> footprint_runs(const Plane<uint8_t>& fp) {
  std::vector<Run> runs;
  const int cy = fp.height / 2, cx = fp.width / 2;
  for (int y = 0; y < fp.height; ++y) {
    int x = 0;
    while (x < fp.width) {
      if (!fp(y, x)) { ++x; continue; }
      int x0 = x;
      while (x < fp.width && fp(y, x)) ++x;
      runs.push_back({y - cy, x0 - cx, x - 1 - cx});
    }
  }
  return runs;
}

}  // namespace

FloatPlane reconstruct_by_dilation(const FloatPlane& seed, const FloatPlane& mask,
                                   const Plane<uint8_t>& footprint) {
  if (seed.height != mask.height || seed.width != mask.width)
    throw PostprocessError("reconstruct_by_dilation: seed " + std::to_string(seed.height) + "x" +
                           std::to_string(seed.width) + " and mask " + std::to_string(mask.height) + "x" +
                           std::to_string(mask.width) + " differ in shape");
  if (footprint.height % 2 == 0 || footprint.width % 2 == 0)
    throw PostprocessError("reconstruct_by_dilation: footprint dimensions must be odd");
  const int H = seed.height, W = seed.width;
  const size_t n = seed.size();
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(seed.data[i]) || std::isnan(mask.data[i]))
      throw PostprocessError("reconstruct_by_dilation: NaN in seed or mask");
    if (seed.data[i] > mask.data[i])
      throw PostprocessError("reconstruct_by_dilation: seed must be <= mask everywhere");
  }
  FloatPlane rec(H, W);
  if (n == 0) return rec;
  if (n >= (size_t(1) << 32) - 1) throw PostprocessError("reconstruct_by_dilation: image too large");

  const std::vector<Run> runs = footprint_runs(footprint);
  const uint32_t N = static_cast<uint32_t>(n);
  const std::vector<uint32_t> by_seed = detail::argsort_floats(seed.data.data(), N, true);
  const std::vector<uint32_t> by_mask = detail::argsort_floats(mask.data.data(), N, true);

  // open[y] bit x == 1  <=>  pixel (y, x) has no final value yet.
  const int words = (W + 63) / 64;
  std::vector<uint64_t> open(static_cast<size_t>(H) * words, ~uint64_t(0));
  auto close = [&](uint32_t p) { open[(p / W) * size_t(words) + (p % W) / 64] &= ~(uint64_t(1) << ((p % W) % 64)); };
  auto is_open = [&](uint32_t p) { return (open[(p / W) * size_t(words) + (p % W) / 64] >> ((p % W) % 64)) & 1u; };
  std::vector<uint8_t> pending(n, 0);  // final value = mask(p) < level at which it was reached
  std::vector<uint32_t> fifo;          // final value = current level, not yet expanded
  const float* M = mask.data.data();
  float* R = rec.data.data();

  // Reach every open footprint neighbour of p from level v: its final value is min(v, mask).
  auto expand = [&](uint32_t p, float v) {
    const int py = static_cast<int>(p / W), px = static_cast<int>(p % W);
    for (const Run& run : runs) {
      const int y = py + run.dy;
      if (y < 0 || y >= H) continue;
      const int x0 = std::max(0, px + run.dx0), x1 = std::min(W - 1, px + run.dx1);
      if (x0 > x1) continue;
      uint64_t* row = &open[static_cast<size_t>(y) * words];
      for (int wi = x0 / 64; wi <= x1 / 64; ++wi) {
        uint64_t bits = row[wi];
        if (wi == x0 / 64) bits &= ~uint64_t(0) << (x0 % 64);
        if (wi == x1 / 64 && x1 % 64 != 63) bits &= (uint64_t(1) << (x1 % 64 + 1)) - 1;
        if (!bits) continue;
        row[wi] &= ~bits;
        while (bits) {
          const int b = std::countr_zero(bits);
          bits &= bits - 1;
          const uint32_t q = static_cast<uint32_t>(y) * W + wi * 64 + b;
          if (M[q] >= v) {
            R[q] = v;
            fifo.push_back(q);
          } else {
            R[q] = M[q];
            pending[q] = 1;
          }
        }
      }
    }
  };
  auto drain = [&](float v) {
    while (!fifo.empty()) {
      const uint32_t q = fifo.back();
      fifo.pop_back();
      expand(q, v);
    }
  };

  size_t i = 0, j = 0;
  while (i < n || j < n) {
    const bool take_mask = j < n && (i >= n || M[by_mask[j]] >= seed.data[by_seed[i]]);
    if (take_mask) {
      const uint32_t q = by_mask[j++];
      if (pending[q]) {
        pending[q] = 0;
        expand(q, M[q]);
        drain(M[q]);
      }
    } else {
      const uint32_t p = by_seed[i++];
      if (is_open(p)) {
        close(p);
        R[p] = seed.data[p];
        expand(p, R[p]);
        drain(R[p]);
      }
    }
  }
  return rec;
}

}  // namespace ck
