// Priority-flood watershed with a (elevation, age) min-heap over the flooding front (see header).
#include "postprocess/watershed.h"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "postprocess/errors.h"

namespace ck {
namespace {

// Maps a float to a uint32 whose unsigned order is the float order; -0.0 and +0.0 share a key
// (they compare equal, so only the push age orders them, as in skimage's heap).
inline uint32_t order_key(float f) {
  if (f == 0.0f) f = 0.0f;
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

// 4-ary min-heap of distinct 64-bit keys. Slots past the end hold UINT64_MAX so every node has four
// children to compare without bounds checks; pop walks the smallest-child path to a leaf, then sifts
// the displaced last key up from there (Floyd's bottom-up variant: few unpredictable branches).
class MinHeap {
 public:
  MinHeap() : v_(kPad, kMax) {}
  bool empty() const { return n_ == 0; }
  void push(uint64_t k) {
    if (n_ + kPad >= v_.size()) v_.resize(2 * v_.size(), kMax);
    sift_up(n_++, k);
  }
  uint64_t pop() {  // precondition: !empty()
    const uint64_t top = v_[0];
    const uint64_t k = v_[--n_];
    v_[n_] = kMax;
    size_t i = 0;
    for (;;) {
      const size_t c = 4 * i + 1;
      if (c >= n_) break;
      const uint64_t* ch = &v_[c];
      const size_t a = ch[1] < ch[0] ? 1 : 0, b = ch[3] < ch[2] ? 3 : 2;
      const size_t m = ch[b] < ch[a] ? b : a;
      v_[i] = ch[m];
      i = c + m;
    }
    sift_up(i, k);
    return top;
  }

 private:
  static constexpr uint64_t kMax = ~uint64_t(0);
  static constexpr size_t kPad = 8;
  void sift_up(size_t i, uint64_t k) {
    while (i > 0) {
      const size_t parent = (i - 1) / 4;
      if (v_[parent] <= k) break;
      v_[i] = v_[parent];
      i = parent;
    }
    v_[i] = k;
  }
  std::vector<uint64_t> v_;
  size_t n_ = 0;
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
  if (n >= (size_t(1) << 31)) throw PostprocessError("watershed: image too large (>= 2^31 px)");
  const float* E = elevation.data.data();
  const uint8_t* K = mask ? mask->data.data() : nullptr;
  bool nan_inside = false;
  for (size_t i = 0; i < n; ++i) nan_inside |= std::isnan(E[i]) && (!K || K[i]);
  if (nan_inside) throw PostprocessError("watershed: NaN elevation inside the mask");

  // Mask components (4-connected) flood independently, so each one is flooded on its own, in
  // cache. The order within a component is the global one: heap key = elevation order << 32 | age,
  // where a marker's age is its raster index (markers first, in raster order, as when they are all
  // queued up front) and a flooded pixel's age is n + its push count.
  uint32_t* O = out.data.data();
  const uint32_t* L = markers.data.data();
  std::vector<uint8_t> seen(n, 0);
  std::vector<uint32_t> stack, comp_markers, order;
  MinHeap heap;
  for (size_t s = 0; s < n; ++s) {
    if (!L[s] || (K && !K[s]) || seen[s]) continue;
    // Collect the markers of the mask component of s (depth-first walk).
    comp_markers.clear();
    stack.assign(1, static_cast<uint32_t>(s));
    seen[s] = 1;
    while (!stack.empty()) {
      const uint32_t p = stack.back();
      stack.pop_back();
      if (L[p]) comp_markers.push_back(p);
      const int y = static_cast<int>(p / W), x = static_cast<int>(p % W);
      auto walk = [&](uint32_t q) {
        if (seen[q] || (K && !K[q])) return;
        seen[q] = 1;
        stack.push_back(q);
      };
      if (y > 0) walk(p - W);
      if (x > 0) walk(p - 1);
      if (x + 1 < W) walk(p + 1);
      if (y + 1 < H) walk(p + W);
    }
    for (uint32_t m : comp_markers) {
      O[m] = L[m];
      heap.push((static_cast<uint64_t>(order_key(E[m])) << 32) | m);
    }
    while (!heap.empty()) {
      const uint32_t age = static_cast<uint32_t>(heap.pop());
      const uint32_t p = age < n ? age : order[age - n];
      const int y = static_cast<int>(p / W), x = static_cast<int>(p % W);
      const uint32_t l = O[p];
      auto visit = [&](uint32_t q) {
        if (O[q] || (K && !K[q])) return;
        O[q] = l;
        heap.push((static_cast<uint64_t>(order_key(E[q])) << 32) | (n + order.size()));
        order.push_back(q);
      };
      if (y > 0) visit(p - W);
      if (x > 0) visit(p - 1);
      if (x + 1 < W) visit(p + 1);
      if (y + 1 < H) visit(p + W);
    }
  }
  return out;
}

}  // namespace ck
