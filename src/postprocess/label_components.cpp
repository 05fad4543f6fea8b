// Two-pass union-find connected-component labelling.
#include "postprocess/label_components.h"

#include <string>
#include <vector>

#include "postprocess/errors.h"

namespace ck {
namespace {

uint32_t find_root(std::vector<uint32_t>& parent, uint32_t a) {
  while (parent[a] != a) {
    parent[a] = parent[parent[a]];
    a = parent[a];
  }
  return a;
}

uint32_t unite(std::vector<uint32_t>& parent, uint32_t a, uint32_t b) {
  a = find_root(parent, a);
  b = find_root(parent, b);
  if (a == b) return a;
  if (a < b) { parent[b] = a; return a; }
  parent[a] = b;
  return b;
}

}  // namespace

LabelImage label_components(const Plane<uint8_t>& mask, int connectivity) {
  if (connectivity != 4 && connectivity != 8)
    throw PostprocessError("label_components: connectivity must be 4 or 8, got " + std::to_string(connectivity));
  const int H = mask.height, W = mask.width;
  LabelImage out(H, W, 0);
  std::vector<uint32_t> parent{0};  // provisional label 0 unused
  for (int y = 0; y < H; ++y) {
    const uint8_t* m = mask.row(y);
    uint32_t* o = out.row(y);
    const uint32_t* up = y > 0 ? out.row(y - 1) : nullptr;
    for (int x = 0; x < W; ++x) {
      if (!m[x]) continue;
      uint32_t l = 0;
      auto take = [&](uint32_t nb) {
        if (!nb) return;
        l = l ? unite(parent, l, nb) : find_root(parent, nb);
      };
      if (x > 0) take(o[x - 1]);
      if (up) {
        if (connectivity == 8 && x > 0) take(up[x - 1]);
        take(up[x]);
        if (connectivity == 8 && x + 1 < W) take(up[x + 1]);
      }
      if (!l) {
        l = static_cast<uint32_t>(parent.size());
        parent.push_back(l);
      }
      o[x] = l;
    }
  }
  // Roots are each component's smallest provisional label = the one created at its first pixel.
  std::vector<uint32_t> final_id(parent.size(), 0);
  uint32_t next = 0;
  for (uint32_t l = 1; l < parent.size(); ++l) {
    const uint32_t r = find_root(parent, l);
    final_id[l] = (r == l) ? ++next : final_id[r];
  }
  for (uint32_t& v : out.data) v = final_id[v];
  return out;
}

}  // namespace ck
