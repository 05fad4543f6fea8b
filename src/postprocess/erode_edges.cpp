#include "postprocess/erode_edges.h"

#include <vector>

namespace ck {

LabelImage erode_edges(const LabelImage& labels, int width) {
  LabelImage out = labels;
  const int H = labels.height, W = labels.width;
  std::vector<size_t> boundary;
  for (int it = 0; it < width; ++it) {
    boundary.clear();
    for (int y = 0; y < H; ++y) {
      const uint32_t* r = out.row(y);
      for (int x = 0; x < W; ++x) {
        const uint32_t v = r[x];
        if (!v) continue;
        if ((x > 0 && r[x - 1] != v) || (x + 1 < W && r[x + 1] != v) ||
            (y > 0 && out.row(y - 1)[x] != v) || (y + 1 < H && out.row(y + 1)[x] != v))
          boundary.push_back(static_cast<size_t>(y) * W + x);
      }
    }
    if (boundary.empty()) break;
    for (size_t i : boundary) out.data[i] = 0;
  }
  return out;
}

}  // namespace ck
