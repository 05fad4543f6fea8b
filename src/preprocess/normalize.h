#pragma once
// Percentile intensity normalization (the DeepCell / CSBDeep "percentile normalization"):
// x' = (x - P_low) / (P_high - P_low), with P_low, P_high the p_low-th and p_high-th intensity percentiles.
#include <cstddef>

#include "image/plane.h"
#include "preprocess/preprocess_error.h"

namespace ck {

/// Images with more than this many pixels have their percentiles computed on a regular subsample
/// (every k-th pixel in row-major order, k = ceil(N / kPercentileMaxSamples)), bounding the copy to 16 MiB.
inline constexpr size_t kPercentileMaxSamples = size_t{1} << 22;  // 4,194,304 px (4 MP)

/// The intensity range used by normalize_percentile (in input intensity units); record it in a model card.
struct NormalizationStats {
  float low = 0.0f;   ///< P_low: value mapped to 0
  float high = 0.0f;  ///< P_high: value mapped to 1
};

/// Throws PreprocessError("image contains NaN/Inf pixels (N of M)") if any pixel of `img` is not finite.
void check_finite(const FloatPlane& img);

/// The p-th percentile (p in [0, 100]) of `img`, with numpy's default "linear" definition:
/// position p/100·(n-1) in the sorted values, linearly interpolated between the two neighbours.
/// Computed exactly with std::nth_element on a copy (subsampled above kPercentileMaxSamples pixels).
/// Throws PreprocessError on an empty image, p outside [0, 100] or NaN/Inf pixels.
float percentile(const FloatPlane& img, float p);

/// P_low and P_high of `img` (one copy, two nth_element passes). Same rules and errors as percentile();
/// additionally requires p_low < p_high.
NormalizationStats percentile_stats(const FloatPlane& img, float p_low = 1.0f, float p_high = 99.8f);

/// Applies x' = (x - low)/(high - low) to every pixel (H×W float32 -> H×W float32).
/// If high - low < 1e-6·max(1, |high|) (constant or all-zero image) returns an all-zero plane: never divides
/// by zero, never produces NaN. Throws PreprocessError on NaN/Inf pixels or non-finite stats.
FloatPlane apply_normalization(const FloatPlane& img, const NormalizationStats& stats);

/// Percentile normalization: apply_normalization(img, percentile_stats(img, p_low, p_high)).
/// Input H×W float32 in any intensity unit; output H×W float32, ~[0, 1] between the percentiles (values
/// outside are not clipped). Defaults p_low = 1, p_high = 99.8 (percent). If `stats` is non-null the
/// percentiles used are written there. Throws PreprocessError on an empty image, NaN/Inf pixels, or
/// percentiles outside 0 <= p_low < p_high <= 100.
FloatPlane normalize_percentile(const FloatPlane& img, float p_low = 1.0f, float p_high = 99.8f,
                                NormalizationStats* stats = nullptr);

}  // namespace ck
