#pragma once
// Blended untiling: accumulate per-tile model outputs into whole-image planes without seams or offsets.
#include <cstdint>
#include <vector>

#include "image/plane.h"
#include "preprocess/preprocess_error.h"
#include "preprocess/tiling.h"

namespace ck {

/// Reassembles C-channel tile predictions (from tiles of a TilePlan) into C image_h×image_w float32 planes,
/// each output pixel the weighted mean of every tile value covering it. Use: construct from the plan, add()
/// each tile's output once, then finish() once.
/// Blending window: separable, w(ty, tx) = r(ty)·r(tx) with a linear (triangular) ramp
/// r(i) = 1 + floor(255·min(d, overlap)/overlap), d = distance of i from the tile's nearest edge (px);
/// r = 1 everywhere when overlap = 0. r is an integer in [1, 256], > 0 everywhere, so image-edge pixels covered
/// by a single tile are reproduced exactly and neighbouring tiles cross-fade over `overlap` px.
/// Exactness: weights are small integers and the sums are kept in float64, so an identity model
/// (tile output = extract_tile input) or any model whose tiles agree reproduces the input bit-exactly.
/// Memory: C float64 accumulator planes + one uint32 weight plane (image-size); no per-tile whole-image
/// copies. finish() converts channel by channel, releasing each accumulator.
/// Reference: — (counterpart of plan_tiles / extract_tile, preprocess/tiling.h).
class Untiler {
 public:
  /// Allocates the accumulators for the image and tile size of `plan`.
  /// Parameters:
  ///   plan      — TilePlan (from plan_tiles): image_h×image_w and tile_h×tile_w >= 1 px, overlap >= 0 px
  ///   channels  — C, channels per tile output, >= 1
  /// Returns: — (constructor).
  /// Throws: PreprocessError if channels < 1, the plan is empty/invalid (image or tile size < 1, overlap < 0), or
  ///   its overlap is so large that more than 8191 tiles cover one pixel (the exactness bound of the float64
  ///   sums). A plan whose tile list is empty passes (finish() then reports every pixel uncovered).
  /// Reference: —
  Untiler(const TilePlan& plan, int channels);

  /// Adds one tile's output, weighted by the blending window.
  /// Parameters:
  ///   t     — the tile's window, px; t.h, t.w must equal the plan's tile size; parts of the window outside the
  ///           image are ignored
  ///   tile  — C×tile_h×tile_w float32 values (channel-major, then row-major), non-null
  /// Returns: nothing. Each tile of the plan should be added exactly once (not checked).
  /// Throws: PreprocessError on a size mismatch, a window that misses the image, tile == nullptr, or after
  ///   finish().
  /// Reference: —
  void add(const TileRect& t, const float* tile);

  /// The blended planes: per pixel Σ w·value / Σ w over the added tiles (float64, rounded to float32).
  /// Parameters: none.
  /// Returns: C planes, each image_h×image_w float32; the accumulators are released.
  /// Throws: PreprocessError if some pixel was covered by no added tile ("untile: N of M pixels not covered by
  ///   any tile"; the Untiler then stays usable) or if called twice.
  /// Reference: —
  std::vector<FloatPlane> finish();

  int channels() const { return channels_; }

 private:
  int image_h_ = 0, image_w_ = 0, tile_h_ = 0, tile_w_ = 0, channels_ = 0;
  std::vector<uint32_t> ramp_y_, ramp_x_;  // per-axis window, tile_h and tile_w entries
  std::vector<std::vector<double>> acc_;   // C planes, Σ w·value
  std::vector<uint32_t> weight_;           // Σ w
  bool finished_ = false;
};

/// The 1-D blending ramp used by Untiler: r(i) = 1 + floor(255·min(d, overlap)/overlap), d = distance of i
/// from the nearer end (px).
/// Parameters:
///   len      — ramp length, px (tile_h or tile_w)
///   overlap  — px; <= 0 gives all ones
/// Returns: len uint32 weights, integers in [1, 256]; empty for len <= 0.
/// Throws: nothing for valid input.
/// Reference: —
std::vector<uint32_t> blend_ramp(int len, int overlap);

}  // namespace ck
