#pragma once
// Blended untiling: accumulate per-tile model outputs into whole-image planes without seams or offsets.
#include <cstdint>
#include <vector>

#include "image/plane.h"
#include "preprocess/preprocess_error.h"
#include "preprocess/tiling.h"

namespace ck {

/// Reassembles C-channel tile predictions (from tiles of a TilePlan) into C image_h×image_w float32 planes,
/// each output pixel the weighted mean of every tile value covering it.
///
/// Blending window: separable, w(ty, tx) = r(ty)·r(tx) with a linear (triangular) ramp
/// r(i) = 1 + floor(255·min(d, overlap)/overlap), d = distance of i from the tile's nearest edge (px);
/// r = 1 everywhere when overlap = 0. r is an integer in [1, 256], > 0 everywhere, so image-edge pixels covered
/// by a single tile are reproduced exactly and neighbouring tiles cross-fade over `overlap` px.
///
/// Exactness: weights are small integers and the sums are kept in float64, so an identity model
/// (tile output = extract_tile input) or any model whose tiles agree reproduces the input bit-exactly.
///
/// Memory: C float64 accumulator planes + one uint32 weight plane (image-size); no per-tile whole-image
/// copies. finish() converts channel by channel, releasing each accumulator.
class Untiler {
 public:
  /// Throws PreprocessError if channels < 1, the plan is empty/invalid, or its overlap is so large that more
  /// than 8191 tiles cover one pixel (the exactness bound of the float64 sums).
  Untiler(const TilePlan& plan, int channels);

  /// Adds one tile's output: `tile` holds C×tile_h×tile_w floats (channel-major, then row-major) for the
  /// window `t` (t.h, t.w must equal the plan's tile size). Parts of the window outside the image are ignored.
  /// Each tile of the plan should be added exactly once. Throws PreprocessError on a size mismatch, a window
  /// that misses the image, tile == nullptr, or after finish().
  void add(const TileRect& t, const float* tile);

  /// The C blended image_h×image_w planes. Throws PreprocessError if some pixel was covered by no added tile
  /// ("untile: N of M pixels not covered by any tile") or if called twice.
  std::vector<FloatPlane> finish();

  int channels() const { return channels_; }

 private:
  int image_h_ = 0, image_w_ = 0, tile_h_ = 0, tile_w_ = 0, channels_ = 0;
  std::vector<uint32_t> ramp_y_, ramp_x_;  // per-axis window, tile_h and tile_w entries
  std::vector<std::vector<double>> acc_;   // C planes, Σ w·value
  std::vector<uint32_t> weight_;           // Σ w
  bool finished_ = false;
};

/// The 1-D blending ramp used by Untiler for a tile of `len` px and the given overlap (px): integers in [1, 256].
std::vector<uint32_t> blend_ramp(int len, int overlap);

}  // namespace ck
