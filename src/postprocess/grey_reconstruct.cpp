// Reconstruction by dilation: Vincent's (1993) fast hybrid algorithm with row-run window maxima.
#include "postprocess/grey_reconstruct.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "postprocess/errors.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

constexpr float kInf = std::numeric_limits<float>::infinity();

struct Run { int dy, dx0, len; };  // footprint offsets (dy, dx0 .. dx0 + len - 1)

// The footprint without its centre, as row runs split by raster order relative to the centre.
struct Neighbourhood {
  std::vector<Run> all, before, after;  // before: dy < 0, or dy == 0 and dx < 0; after: the rest
  int pad = 0;    // max |dx|
  int reach = 0;  // max |dy|
};

Neighbourhood neighbourhood(const Plane<uint8_t>& fp) {
  Neighbourhood nb;
  const int cy = fp.height / 2, cx = fp.width / 2;
  nb.pad = cx;
  nb.reach = cy;
  auto add = [&](int dy, int x0, int x1) {  // x0..x1 inclusive, offsets
    if (x0 > x1) return;
    const Run r{dy, x0, x1 - x0 + 1};
    nb.all.push_back(r);
    (dy < 0 || (dy == 0 && x1 < 0) ? nb.before : nb.after).push_back(r);
  };
  for (int y = 0; y < fp.height; ++y) {
    int x = 0;
    while (x < fp.width) {
      if (!fp(y, x)) { ++x; continue; }
      const int x0 = x;
      while (x < fp.width && fp(y, x)) ++x;
      const int dy = y - cy, d0 = x0 - cx, d1 = x - 1 - cx;
      if (dy != 0) {
        add(dy, d0, d1);
      } else {  // the centre row: split around the (ignored) centre
        add(0, d0, std::min(d1, -1));
        add(0, std::max(d0, 1), d1);
      }
    }
  }
  return nb;
}

struct MaxOp { static float id() { return -kInf; } static float f(float a, float b) { return std::max(a, b); } };
struct MinOp { static float id() { return kInf; } static float f(float a, float b) { return std::min(a, b); } };

// Sliding extrema of one padded row: ext(L)[i] = Op over buf[i .. i+L-1], for the run lengths of a
// footprint, by doubling (van Herk-style: an L-window is two overlapping power-of-two windows).
template <class Op>
class RowWindows {
 public:
  RowWindows(int n, const std::vector<Run>& runs) : n_(n) {
    int maxlen = 1;
    for (const Run& r : runs) maxlen = std::max(maxlen, r.len);
    int levels = 1;
    while ((1 << levels) <= maxlen) ++levels;
    pow2_.assign(levels, std::vector<float>(n, Op::id()));
    slot_.assign(maxlen + 1, -1);
    for (const Run& r : runs)
      if (slot_[r.len] < 0) {
        slot_[r.len] = static_cast<int>(ext_.size());
        ext_.emplace_back(n, Op::id());
      }
  }
  float* row() { return pow2_[0].data(); }  // fill [pad, pad + W) before compute(); pads stay Op::id()
  void compute() {
    for (size_t k = 1; k < pow2_.size(); ++k) {
      const float* a = pow2_[k - 1].data();
      float* o = pow2_[k].data();
      const int s = 1 << (k - 1), end = n_ - (1 << k);
      for (int i = 0; i <= end; ++i) o[i] = Op::f(a[i], a[i + s]);
    }
    for (size_t L = 1; L < slot_.size(); ++L) {
      if (slot_[L] < 0) continue;
      int k = 0;
      while ((2 << k) <= static_cast<int>(L)) ++k;
      const float* a = pow2_[k].data();
      float* o = ext_[slot_[L]].data();
      const int s = static_cast<int>(L) - (1 << k), end = n_ - static_cast<int>(L);
      for (int i = 0; i <= end; ++i) o[i] = Op::f(a[i], a[i + s]);
    }
  }
  const float* ext(int len) const { return ext_[slot_[len]].data(); }

 private:
  int n_;
  std::vector<std::vector<float>> pow2_, ext_;
  std::vector<int> slot_;
};

// acc[x] = Op(acc[x], ext(run.len)[pad + x + run.dx0]) for x in [0, W): one run's contribution.
template <class Op>
void accumulate(float* acc, const RowWindows<Op>& win, const Run& r, int pad, int W) {
  const float* e = win.ext(r.len) + pad + r.dx0;
  for (int x = 0; x < W; ++x) acc[x] = Op::f(acc[x], e[x]);
}

// In-row part of one raster scan. Pixels are visited in order j = 0..W-1 (x = j, or W-1-j when
// `reverse`); each takes r = max(t, min(m, max of r over `offsets` steps back)), offsets > 0.
// When the offsets are 1..a the window max is split into the suffix max of the previous block of
// a pixels and a running max of the current block (3 operations per pixel instead of a).
void scan_row(const float* t, const float* m, float* out, int W, bool reverse, const std::vector<int>& offsets,
              std::vector<float>& q, std::vector<float>& suffix) {
  if (offsets.empty()) {
    for (int x = 0; x < W; ++x) out[x] = t[x];
    return;
  }
  q.assign(W, -kInf);
  auto X = [&](int j) { return reverse ? W - 1 - j : j; };
  const int a = offsets.back();
  bool contiguous = offsets.front() == 1 && static_cast<int>(offsets.size()) == a;
  if (!contiguous) {
    for (int j = 0; j < W; ++j) {
      float p = -kInf;
      for (int d : offsets)
        if (j - d >= 0) p = std::max(p, q[j - d]);
      const int x = X(j);
      q[j] = out[x] = std::max(t[x], std::min(m[x], p));
    }
    return;
  }
  suffix.assign(W, -kInf);  // suffix[j] = max q[j .. end of j's block]
  for (int s = 0; s < W; s += a) {
    const int e = std::min(W, s + a);
    float run = -kInf;  // max q[s .. j-1]
    for (int j = s; j < e; ++j) {
      const float prev = j - a >= 0 ? suffix[j - a] : -kInf;  // max q[j-a .. s-1]
      const float p = std::max(prev, run);
      const int x = X(j);
      const float r = std::max(t[x], std::min(m[x], p));
      q[j] = out[x] = r;
      run = std::max(run, r);
    }
    float sm = -kInf;
    for (int j = e - 1; j >= s; --j) suffix[j] = sm = std::max(sm, q[j]);
  }
}

// r[x] = max(r[x], min(v, m[x])) for x in [x0, x1); calls raised(x) for each x whose value rose.
// (Equivalent to Vincent's test r < v && r != m, given r <= m.) SSE: four pixels per step.
template <class F>
inline void raise_run(float* r, const float* m, int x0, int x1, float v, F&& raised) {
  int x = x0;
#if defined(__SSE2__)
  const __m128 vv = _mm_set1_ps(v);
  for (; x + 4 <= x1; x += 4) {
    const __m128 old = _mm_loadu_ps(r + x);
    const __m128 cand = _mm_min_ps(vv, _mm_loadu_ps(m + x));
    int up = _mm_movemask_ps(_mm_cmplt_ps(old, cand));
    if (!up) continue;
    _mm_storeu_ps(r + x, _mm_max_ps(cand, old));  // ties keep `old`
    while (up) {
      raised(x + std::countr_zero(static_cast<unsigned>(up)));
      up &= up - 1;
    }
  }
#endif
  for (; x < x1; ++x) {
    const float cand = std::min(v, m[x]);
    if (r[x] < cand) {
      r[x] = cand;
      raised(x);
    }
  }
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
  bool bad_order = false, has_nan = false;
  for (size_t i = 0; i < n; ++i) {
    has_nan |= std::isnan(seed.data[i]) | std::isnan(mask.data[i]);
    bad_order |= seed.data[i] > mask.data[i];
  }
  if (has_nan) throw PostprocessError("reconstruct_by_dilation: NaN in seed or mask");
  if (bad_order) throw PostprocessError("reconstruct_by_dilation: seed must be <= mask everywhere");
  FloatPlane rec = seed;
  if (n == 0) return rec;
  if (n >= (size_t(1) << 32) - 1) throw PostprocessError("reconstruct_by_dilation: image too large");

  // Pixel p raises p + o for each footprint offset o (skimage's convention), so p itself is raised
  // from p - o: the scans pull over the reflected footprint, the queue pushes over the footprint.
  Plane<uint8_t> reflected(footprint.height, footprint.width);
  for (int y = 0; y < footprint.height; ++y)
    for (int x = 0; x < footprint.width; ++x)
      reflected(y, x) = footprint(footprint.height - 1 - y, footprint.width - 1 - x);
  const Neighbourhood nb = neighbourhood(reflected), push = neighbourhood(footprint);
  const int P = nb.pad, ring = nb.reach + 1, npad = W + 2 * P;
  const float* M = mask.data.data();
  float* R = rec.data.data();
  std::vector<int> left, right;  // in-row offsets of the centre row, as positive step counts
  std::vector<Run> up, down, after_rows;
  for (const Run& r : nb.before)
    if (r.dy == 0) for (int d = r.dx0; d < r.dx0 + r.len; ++d) left.push_back(-d);
    else up.push_back(r);
  for (const Run& r : nb.after)
    if (r.dy == 0) for (int d = r.dx0; d < r.dx0 + r.len; ++d) right.push_back(d);
    else down.push_back(r);
  std::sort(left.begin(), left.end());
  std::sort(right.begin(), right.end());

  std::vector<float> acc(static_cast<size_t>(ring) * W), t(W), q, suffix;
  auto acc_row = [&](int y) { return &acc[static_cast<size_t>(y % ring) * W]; };

  // Forward scan: R(p) = max(R(p), min(M(p), max R over the footprint offsets before p)).
  {
    RowWindows<MaxOp> win(npad, up);
    std::fill(acc.begin(), acc.end(), -kInf);
    for (int y = 0; y < H; ++y) {
      float* u = acc_row(y);
      float* r = R + static_cast<size_t>(y) * W;
      const float* m = M + static_cast<size_t>(y) * W;
      for (int x = 0; x < W; ++x) t[x] = std::max(r[x], std::min(m[x], u[x]));
      scan_row(t.data(), m, r, W, false, left, q, suffix);
      std::fill(u, u + W, -kInf);
      std::copy(r, r + W, win.row() + P);
      win.compute();
      for (const Run& run : up)
        if (y - run.dy < H) accumulate(acc_row(y - run.dy), win, run, P, W);
    }
  }
  // Backward scan, and Vincent's queue initialisation: p is queued when some q after it in the
  // footprint has R(q) < min(R(p), M(q)), i.e. min over those q of Z(q) < R(p), Z = R where R < M.
  std::vector<uint32_t> fifo;
  {
    RowWindows<MaxOp> win(npad, down);
    RowWindows<MinOp> zwin(npad, push.after);
    std::vector<float> zacc(static_cast<size_t>(ring) * W, kInf);
    auto zacc_row = [&](int y) { return &zacc[static_cast<size_t>(y % ring) * W]; };
    std::fill(acc.begin(), acc.end(), -kInf);
    for (int y = H - 1; y >= 0; --y) {
      float* u = acc_row(y);
      float* r = R + static_cast<size_t>(y) * W;
      const float* m = M + static_cast<size_t>(y) * W;
      for (int x = 0; x < W; ++x) t[x] = std::max(r[x], std::min(m[x], u[x]));
      scan_row(t.data(), m, r, W, true, right, q, suffix);
      std::fill(u, u + W, -kInf);
      std::copy(r, r + W, win.row() + P);
      win.compute();
      for (const Run& run : down)
        if (y - run.dy >= 0) accumulate(acc_row(y - run.dy), win, run, P, W);
      float* z = zwin.row() + P;
      for (int x = 0; x < W; ++x) z[x] = r[x] < m[x] ? r[x] : kInf;
      zwin.compute();
      for (const Run& run : push.after)
        if (y - run.dy >= 0) accumulate(zacc_row(y - run.dy), zwin, run, P, W);
      float* zr = zacc_row(y);
      for (int x = 0; x < W; ++x)
        if (zr[x] < r[x]) fifo.push_back(static_cast<uint32_t>(y) * W + x);
      std::fill(zr, zr + W, kInf);
    }
  }
  // FIFO propagation until stability: a popped p raises each q = p + o to min(R(p), M(q)) where
  // that is higher (Vincent's queue phase). A pixel waits in the queue at most once at a time.
  std::vector<uint8_t> queued(n, 0);
  for (uint32_t p : fifo) queued[p] = 1;
  for (size_t head = 0; head < fifo.size(); ++head) {
    const uint32_t p = fifo[head];
    queued[p] = 0;
    const float v = R[p];
    const int py = static_cast<int>(p / W), px = static_cast<int>(p % W);
    for (const Run& run : push.all) {
      const int y = py + run.dy;
      if (y < 0 || y >= H) continue;
      const int x0 = std::max(0, px + run.dx0), x1 = std::min(W - 1, px + run.dx0 + run.len - 1);
      const uint32_t base = static_cast<uint32_t>(y) * W;
      raise_run(R + base, M + base, x0, x1 + 1, v, [&](int x) {
        if (!queued[base + x]) {
          queued[base + x] = 1;
          fifo.push_back(base + x);
        }
      });
    }
    if (head >= (size_t(1) << 20) && 2 * head >= fifo.size()) {  // drop the consumed prefix
      fifo.erase(fifo.begin(), fifo.begin() + static_cast<std::ptrdiff_t>(head) + 1);
      head = static_cast<size_t>(-1);
    }
  }
  return rec;
}

}  // namespace ck
