#pragma once
// Channel selection: pick one channel of a decoded Raster as a float plane (the model's input channel).
#include "image/plane.h"
#include "image/raster.h"
#include "preprocess/preprocess_error.h"

namespace ck {

/// Channel `channel` (0-based) of `r` as an H×W float32 plane; sample values are converted unchanged
/// (no scaling: a uint16 pixel 4095 becomes 4095.0f).
/// Throws PreprocessError when the channel is out of range, e.g.
/// "channel 3 out of range: image has 1 channel (valid: 0..0)", or when the raster's byte count does not
/// match height×width×channels×sample size.
FloatPlane select_channel(const Raster& r, int channel);

}  // namespace ck
