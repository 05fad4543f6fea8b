#include "postprocess/fill_holes.h"

#include <vector>

#include "postprocess/region_props.h"

namespace ck {
namespace {

// Euler number (8-connectivity) of the pixels equal to `l` inside [y0,y1)×[x0,x1): bit-quad count
// over the zero-padded box, E = (Q1 - Q3 - 2·QD) / 4.
int64_t euler_number8(const LabelImage& img, uint32_t l, int y0, int x0, int y1, int x1) {
  auto at = [&](int y, int x) -> int {
    return (y >= y0 && y < y1 && x >= x0 && x < x1 && img(y, x) == l) ? 1 : 0;
  };
  int64_t q1 = 0, q3 = 0, qd = 0;
  for (int y = y0 - 1; y < y1; ++y)
    for (int x = x0 - 1; x < x1; ++x) {
      const int a = at(y, x), b = at(y, x + 1), c = at(y + 1, x), d = at(y + 1, x + 1);
      const int s = a + b + c + d;
      if (s == 1) ++q1;
      else if (s == 3) ++q3;
      else if (s == 2 && a == d) ++qd;
    }
  return (q1 - q3 - 2 * qd) / 4;
}

}  // namespace

LabelImage fill_holes(const LabelImage& labels, int64_t size) {
  LabelImage out = labels;
  if (size <= 0) return out;
  std::vector<int> comp;      // component id per box pixel (-1 = object / unvisited)
  std::vector<int> stack;
  std::vector<int> members;
  for (const ObjectProps& p : region_props(labels)) {
    const int y0 = p.bbox_min_y, x0 = p.bbox_min_x, y1 = p.bbox_max_y, x1 = p.bbox_max_x;
    if (euler_number8(labels, p.label, y0, x0, y1, x1) >= 1) continue;
    const int bh = y1 - y0, bw = x1 - x0;
    comp.assign(static_cast<size_t>(bh) * bw, 0);  // 0 = unvisited background, 1 = done
    for (int s = 0; s < bh * bw; ++s) {
      if (comp[s] || out(y0 + s / bw, x0 + s % bw) == p.label) continue;
      members.clear();
      stack.assign(1, s);
      comp[s] = 1;
      while (!stack.empty()) {
        const int c = stack.back();
        stack.pop_back();
        members.push_back(c);
        const int cy = c / bw, cx = c % bw;
        const int nb[4][2] = {{cy - 1, cx}, {cy + 1, cx}, {cy, cx - 1}, {cy, cx + 1}};
        for (const auto& q : nb) {
          if (q[0] < 0 || q[0] >= bh || q[1] < 0 || q[1] >= bw) continue;
          const int qi = q[0] * bw + q[1];
          if (comp[qi] || out(y0 + q[0], x0 + q[1]) == p.label) continue;
          comp[qi] = 1;
          stack.push_back(qi);
        }
      }
      if (static_cast<int64_t>(members.size()) < size)
        for (int c : members) out(y0 + c / bw, x0 + c % bw) = p.label;
    }
  }
  return out;
}

}  // namespace ck
