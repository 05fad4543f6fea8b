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
  const float* S = seed.data.data();
  const float* M = mask.data.data();
  float* R = rec.data.data();

  // Seed events: only pixels whose seed is >= the seed of each 4-neighbour in the footprint. Any
  // other pixel has a neighbour that is expanded at a level above its seed, so it is reached first.
  const int cy = footprint.height / 2, cx = footprint.width / 2;
  const bool up = cy >= 1 && footprint(cy - 1, cx), down = cy >= 1 && footprint(cy + 1, cx);
  const bool left = cx >= 1 && footprint(cy, cx - 1), right = cx >= 1 && footprint(cy, cx + 1);
  std::vector<float> cand_val;
  std::vector<uint32_t> cand_pix;
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const size_t p = static_cast<size_t>(y) * W + x;
      const float v = S[p];
      if ((up && y > 0 && S[p - W] > v) || (down && y + 1 < H && S[p + W] > v) ||
          (left && x > 0 && S[p - 1] > v) || (right && x + 1 < W && S[p + 1] > v))
        continue;
      cand_val.push_back(v);
      cand_pix.push_back(static_cast<uint32_t>(p));
    }
  const uint32_t NS = static_cast<uint32_t>(cand_pix.size());
  // Descending orders; key_* hold ~order_key (ascending), so key_mask[j] <= key_seed[i] <=> mask >= seed.
  std::vector<uint32_t> key_seed, key_mask;
  std::vector<uint32_t> by_seed = detail::argsort_floats(cand_val.data(), NS, true, &key_seed);
  for (uint32_t& k : by_seed) k = cand_pix[k];
  const std::vector<uint32_t> by_mask = detail::argsort_floats(M, N, true, &key_mask);
  std::vector<uint32_t> mask_rank(n);
  for (uint32_t j = 0; j < N; ++j) mask_rank[by_mask[j]] = j;

  // open[y] bit x == 1  <=>  pixel (y, x) has no final value yet.
  const int words = (W + 63) / 64;
  std::vector<uint64_t> open(static_cast<size_t>(H) * words, ~uint64_t(0));
  auto close = [&](uint32_t p) { open[(p / W) * size_t(words) + (p % W) / 64] &= ~(uint64_t(1) << ((p % W) % 64)); };
  auto is_open = [&](uint32_t p) { return (open[(p / W) * size_t(words) + (p % W) / 64] >> ((p % W) % 64)) & 1u; };
  // pending bit at mask rank r: pixel by_mask[r] is final at mask value (< the level that reached it)
  // and waits for the level to come down to its mask value to be expanded.
  std::vector<uint64_t> pending((n + 63) / 64, 0);
  uint32_t next_pending = N;  // smallest pending rank (N = none)
  std::vector<uint32_t> fifo;  // final value = current level, not yet expanded

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
            const uint32_t r = mask_rank[q];
            pending[r / 64] |= uint64_t(1) << (r % 64);
            if (r < next_pending) next_pending = r;
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
  auto find_pending = [&](uint32_t from) -> uint32_t {
    size_t wi = from / 64;
    if (wi >= pending.size()) return N;
    uint64_t bits = pending[wi] & (~uint64_t(0) << (from % 64));
    while (!bits) {
      if (++wi >= pending.size()) return N;
      bits = pending[wi];
    }
    return static_cast<uint32_t>(wi * 64 + std::countr_zero(bits));
  };

  size_t i = 0;
  while (i < NS || next_pending < N) {
    if (next_pending < N && (i >= NS || key_mask[next_pending] <= key_seed[i])) {
      const uint32_t r = next_pending;
      pending[r / 64] &= ~(uint64_t(1) << (r % 64));
      next_pending = N;  // expansions below may set a smaller rank (>= r)
      const uint32_t q = by_mask[r];
      expand(q, M[q]);
      drain(M[q]);
      next_pending = std::min(next_pending, find_pending(r + 1));
    } else {
      const uint32_t p = by_seed[i++];
      if (is_open(p)) {
        close(p);
        R[p] = S[p];
        expand(p, R[p]);
        drain(R[p]);
      }
    }
  }
  // Every pixel is final: reached, or a seed event of its own.
  return rec;
}

}  // namespace ck
