#pragma once
#include <cstdint>

#include "image/plane.h"

namespace ck {

/// Fills small holes inside objects of an H×W label image — deepcell_toolbox.utils.fill_holes
/// (size, connectivity=1) semantics: for each label in ascending order whose Euler number
/// (8-connected foreground, Gray 1971 bit-quad count) is < 1, take its bounding box in the current
/// output, find the 4-connected components of "not this label" inside the box, and paint every
/// such component with area < `size` px with the label (skimage remove_small_holes). As in
/// deepcell, a component touching the box edge also counts as a hole if it is small enough.
/// size <= 0 returns a copy.
LabelImage fill_holes(const LabelImage& labels, int64_t size);

}  // namespace ck
