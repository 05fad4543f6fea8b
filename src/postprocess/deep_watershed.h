#pragma once
// Deep watershed: inner/outer distance predictions -> instance label image.
#include <string>

#include "image/plane.h"

namespace ck {

/// Parameters of deep_watershed; defaults = the DeepCell Kiosk's (deepcell-toolbox deep_watershed).
struct DeepWatershedParams {
  std::string maxima_algorithm = "h_maxima";  ///< "h_maxima" or "peak_local_max"
  float maxima_threshold = 0.1f;  ///< h of h-maxima (or threshold_abs of peak_local_max), inner-distance units
  int radius = 10;                ///< px: disk footprint radius for h-maxima / min_distance for peak_local_max
  float maxima_smooth = 0.0f;     ///< Gaussian sigma (px) on the inner-distance map before markers (0 = off)
  float interior_threshold = 0.01f;  ///< watershed mask: smoothed outer distance > this
  float interior_smooth = 1.0f;      ///< Gaussian sigma (px) on the outer-distance map (0 = off)
  int small_objects_threshold = 0;   ///< remove objects with area < this (px), skimage remove_small_objects; 0 = off
  int fill_holes_threshold = 0;      ///< fill background holes inside an object with area < this (px); 0 = off
  int label_erosion = 0;             ///< px to erode label edges (0 = off)
};

/// Deep watershed post-processing: H×W inner- and outer-distance maps -> H×W instance label image.
///   maxima   = inner, Gaussian-smoothed (σ = maxima_smooth, scipy 'reflect' border) if > 0
///   interior = outer, Gaussian-smoothed (σ = interior_smooth, scipy 'reflect' border) if > 0
///   markers  = label_components(h_maxima(maxima, maxima_threshold, disk(radius)), 8-connected)
///              [or peak_local_max(maxima, min_distance=radius, threshold_abs=maxima_threshold)]
///   labels   = watershed(-interior, markers, mask = interior > interior_threshold)
///   then erode_edges(label_erosion), remove_small_objects(small_objects_threshold),
///   fill_holes(fill_holes_threshold), relabel_sequential -> labels 1..N ordered like skimage
///   (by the raster position of each object's marker's first pixel).
/// Parameters:
///   inner  — H×W float32 inner-distance (cell-centre) map, any finite values (the model's maps are in [0, 1])
///   outer  — H×W float32 outer-distance map, same shape as inner, any finite values
///   p      — DeepWatershedParams (units per field above); default {} = the DeepCell Kiosk's defaults. With
///            h_maxima, maxima_threshold is compared as the shortest decimal of the float (0.1f acts as Python's
///            0.1); peak_local_max receives the float32 value unchanged.
/// Returns: H×W uint32 LabelImage (0 = background, objects 1..N sequential); no marker gives all 0. Empty maps
///   (0 px) give an empty image of the same shape.
/// Throws: PostprocessError (a std::invalid_argument) on inner/outer shape mismatch, NaN/Inf in a map, an unknown
///   maxima_algorithm, radius < 0, or a negative or NaN sigma; for non-empty maps also on an infinite sigma, on
///   maxima_threshold <= 0 / NaN / Inf with h_maxima, or radius == 0 with peak_local_max. interior_threshold is
///   not checked; negative small_objects_threshold / fill_holes_threshold / label_erosion act as 0 (off).
/// Reference: Bannon et al. 2021 (DeepCell Kiosk); deepcell-toolbox 0.12 `deep_watershed`; building blocks after
///   scipy.ndimage.gaussian_filter and skimage 0.19 (h_maxima, peak_local_max, watershed, relabel_sequential).
LabelImage deep_watershed(const FloatPlane& inner, const FloatPlane& outer, const DeepWatershedParams& p = {});

}  // namespace ck
