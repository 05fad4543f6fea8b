// Priority-flood watershed with a rank-bucket FIFO queue (see header).
#include "postprocess/watershed.h"

#include <bit>
#include <cmath>
#include <string>
#include <vector>

#include "postprocess/errors.h"
#include "postprocess/sort_keys.h"

namespace ck {
namespace {

// Set of integers 0..n-1 with O(log64 n) insert/erase/min (a van Emde Boas-like 64-ary bitmap tree).
class BucketSet {
 public:
  explicit BucketSet(size_t n) {
    size_t len = n;
    do {
      len = (len + 63) / 64;
      levels_.emplace_back(len, 0);
    } while (len > 1);
  }
  void insert(size_t i) {
    for (auto& lvl : levels_) {
      const uint64_t bit = uint64_t(1) << (i % 64);
      const bool was_empty = lvl[i / 64] == 0;
      lvl[i / 64] |= bit;
      if (!was_empty) return;
      i /= 64;
    }
  }
  void erase(size_t i) {
    for (auto& lvl : levels_) {
      lvl[i / 64] &= ~(uint64_t(1) << (i % 64));
      if (lvl[i / 64] != 0) return;
      i /= 64;
    }
  }
  bool empty() const { return levels_.back()[0] == 0; }
  size_t min() const {  // precondition: !empty()
    size_t i = 0;
    for (size_t l = levels_.size(); l-- > 0;) i = i * 64 + std::countr_zero(levels_[l][i]);
    return i;
  }

 private:
  std::vector<std::vector<uint64_t>> levels_;  // levels_[0] = one bit per bucket
};

}  // namespace

LabelImage watershed(const FloatPlane& elevation, const LabelImage& markers, const Plane<uint8_t>* mask) {
  const int H = elevation.height, W = elevation.width;
  auto shape = [](int h, int w) { return std::to_string(h) + "x" + std::to_string(w); };
  if (markers.height != H || markers.width != W)
    throw PostprocessError("watershed: markers " + shape(markers.height, markers.width) + " vs elevation " + shape(H, W));
  if (mask && (mask->height != H || mask->width != W))
    throw PostprocessError("watershed: mask " + shape(mask->height, mask->width) + " vs elevation " + shape(H, W));
  const size_t n = elevation.size();
  LabelImage out(H, W, 0);
  if (n == 0) return out;
  if (n >= (size_t(1) << 32) - 1) throw PostprocessError("watershed: image too large");
  auto inside = [&](size_t i) { return !mask || mask->data[i] != 0; };

  // Rank the elevations of flood-able pixels (ties share a rank).
  std::vector<float> vals;
  std::vector<uint32_t> pix;
  vals.reserve(n);
  pix.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (!inside(i)) continue;
    if (std::isnan(elevation.data[i])) throw PostprocessError("watershed: NaN elevation inside the mask");
    vals.push_back(elevation.data[i]);
    pix.push_back(static_cast<uint32_t>(i));
  }
  const std::vector<uint32_t> order = detail::argsort_floats(vals.data(), static_cast<uint32_t>(vals.size()), false);
  std::vector<uint32_t> rank(n, 0);
  uint32_t nranks = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    if (k > 0 && vals[order[k]] != vals[order[k - 1]]) ++nranks;
    rank[pix[order[k]]] = nranks;
  }
  ++nranks;

  // One FIFO per rank, threaded through `next` (each pixel is queued at most once).
  constexpr uint32_t kNone = 0xFFFFFFFFu;
  std::vector<uint32_t> head(nranks, kNone), tail(nranks, kNone), next(n, kNone);
  BucketSet nonempty(nranks);
  auto push = [&](uint32_t p) {
    const uint32_t r = rank[p];
    if (head[r] == kNone) {
      head[r] = p;
      nonempty.insert(r);
    } else {
      next[tail[r]] = p;
    }
    tail[r] = p;
  };

  for (size_t i = 0; i < n; ++i)
    if (markers.data[i] && inside(i)) out.data[i] = markers.data[i];
  for (size_t i = 0; i < n; ++i)
    if (out.data[i]) push(static_cast<uint32_t>(i));

  uint32_t* O = out.data.data();
  while (!nonempty.empty()) {
    const size_t r = nonempty.min();
    const uint32_t p = head[r];
    head[r] = next[p];
    if (head[r] == kNone) nonempty.erase(r);
    const int y = static_cast<int>(p / W), x = static_cast<int>(p % W);
    const uint32_t l = O[p];
    auto visit = [&](uint32_t q) {
      if (O[q] || !inside(q)) return;
      O[q] = l;
      push(q);
    };
    if (y > 0) visit(p - W);
    if (x > 0) visit(p - 1);
    if (x + 1 < W) visit(p + 1);
    if (y + 1 < H) visit(p + W);
  }
  return out;
}

}  // namespace ck
