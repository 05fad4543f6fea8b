#pragma once
#include "image/plane.h"

namespace ck {

/// Erodes every object of an H×W label image by `width` px: `width` times, zero each labelled
/// pixel that has a 4-neighbour (inside the image) with a different value — i.e.
/// deepcell_toolbox.utils.erode_edges = repeated skimage find_boundaries(mode='inner').
/// Separates touching objects by a background gap. width <= 0 returns a copy.
LabelImage erode_edges(const LabelImage& labels, int width);

}  // namespace ck
