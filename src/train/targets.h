#pragma once
// Training targets of the deep-watershed nuclear model (Bannon et al. 2021, DeepCell Kiosk; DESIGN §5).
#include "image/plane.h"

namespace ck {

/// Dense training targets for one label image, each H×W float32 in [0, 1].
struct DistanceTargets {
  FloatPlane inner;  ///< 1 / (1 + α·d²), d = distance (px) to the cell's centroid, α = 1/sqrt(area px); 0 outside cells
  FloatPlane outer;  ///< per-cell Euclidean distance to the cell's boundary (px), divided by the cell's maximum; 0 outside
  FloatPlane foreground;  ///< 1 inside any cell, 0 in background
};

/// Computes inner/outer distance and foreground targets from an instance label image (H×W, 0 = background,
/// ids need not be consecutive). Each cell's EDT is computed on its own bounding box (+1 px border), so touching
/// cells are separated. A label made of several pieces is treated as one cell (one centroid).
/// Cost: O(H·W) plus O(area) per cell. Throws nothing for valid input; empty input gives empty planes.
DistanceTargets compute_distance_targets(const LabelImage& labels);

}  // namespace ck
