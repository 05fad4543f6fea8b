#pragma once
#include <cstdint>

#include "image/plane.h"

namespace ck {

/// Sets to 0 every object of an H×W label image whose area (px, counted per label value, not per
/// connected piece) is < min_size — skimage.morphology.remove_small_objects(labels, min_size)
/// semantics: an object of exactly min_size px is kept. min_size <= 0 returns a copy.
LabelImage remove_small_objects(const LabelImage& labels, int64_t min_size);

}  // namespace ck
