#pragma once
// Tiling with overlap: split an image of any size (1×1 .. very large) into fixed-size model input tiles.
// The counterpart (blended untiling of the model's tile outputs) is preprocess/untile.h.
#include <cstdint>
#include <vector>

#include "image/plane.h"
#include "preprocess/preprocess_error.h"

namespace ck {

/// One tile's window in image coordinates (px). It may extend past the image (only when the image is smaller
/// than the tile along that axis); those pixels are filled by reflection in extract_tile.
struct TileRect {
  int y0 = 0, x0 = 0;  ///< top-left corner, px (>= 0)
  int h = 0, w = 0;    ///< size, px (== the plan's tile_h, tile_w)
};

/// A tiling of an image_h×image_w image into tiles of one fixed size tile_h×tile_w, row-major order.
struct TilePlan {
  int image_h = 0, image_w = 0;  ///< image size, px
  int tile_h = 0, tile_w = 0;    ///< tile size, px (multiples of `multiple`)
  int overlap = 0;               ///< requested minimum overlap between neighbouring tiles, px
  std::vector<TileRect> tiles;   ///< row-major (y outer, x inner)
};

/// Plans fixed-size model input tiles covering every pixel of an image_h×image_w image (row-major order).
/// Per axis (n = image size, T = tile_size):
///  - n <= T: ONE tile of size n rounded up to `multiple` (not the full T), starting at 0;
///  - n > T: tiles of size T, k+1 of them with k = ceil((n - T)/(T - overlap)), start_i = floor(i·(n - T)/k):
///    evenly spread, the first flush with the image start and the last with its end, so every tile lies inside
///    the image and neighbours overlap by at least `overlap` px.
/// Parameters:
///   image_h, image_w  — image size, px, >= 1 (1×1 .. very large)
///   tile_size         — px, >= 1 and a multiple of `multiple`; the model's input tile edge
///   overlap           — px, in [0, tile_size); requested minimum overlap between neighbouring tiles
///   multiple          — px, >= 1; the network's total stride (e.g. 32 for 5 stride-2 stages)
/// Returns: TilePlan; tile_h and tile_w are planned per axis (they may differ), each <= tile_size and a multiple of
///   `multiple`. Example: 1000×1000, tile 256, overlap 32, multiple 32 -> 5×5 = 25 tiles of 256×256.
/// Throws: PreprocessError if image_h/image_w < 1, multiple < 1, tile_size < 1 or not a multiple of
///   `multiple`, or overlap outside [0, tile_size).
/// Reference: —
TilePlan plan_tiles(int image_h, int image_w, int tile_size, int overlap, int multiple);

/// Index into [0, n) for a possibly out-of-range coordinate i, reflecting about the edge pixels without
/// repeating them, like numpy.pad(mode='reflect') (..., 2, 1 | 0, 1, 2, ..., n-1 | n-2, ...), applied
/// periodically so any pad width works.
/// Parameters:
///   i  — coordinate, px, any int64 value
///   n  — axis length, px
/// Returns: index in [0, n); n == 1 always gives 0 (as does n <= 0).
/// Throws: nothing.
/// Reference: numpy.pad(mode='reflect').
int reflect_index(int64_t i, int n);

/// Copies tile `t` of `image` into a caller-allocated buffer; pixels outside the image are filled by reflection.
/// Parameters:
///   image  — H×W float32, at least 1×1
///   t      — TileRect, px; t.h, t.w >= 1; may extend past the image (filled via reflect_index)
///   dst    — t.h×t.w float32 values, row-major, caller-allocated, non-null
/// Returns: nothing; dst holds the tile. A 1×1 image gives a constant tile.
/// Throws: PreprocessError on an empty image, t.h/t.w < 1 or dst == nullptr.
/// Reference: numpy.pad(mode='reflect') for the pixels outside the image.
void extract_tile(const FloatPlane& image, const TileRect& t, float* dst);

}  // namespace ck
