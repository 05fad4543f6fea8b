#pragma once
// Hand-built label images for the metrics tests.
#include "image/plane.h"

namespace ck::test {

/// Fills the rectangle [y0, y0+h) × [x0, x0+w) of `img` with `id`.
inline void fill_rect(LabelImage& img, int y0, int x0, int h, int w, uint32_t id) {
  for (int y = y0; y < y0 + h; ++y)
    for (int x = x0; x < x0 + w; ++x) img(y, x) = id;
}

}  // namespace ck::test
