#pragma once
// Post-processing tuning: picks deep-watershed thresholds that maximize F1 (IoU 0.5) on a validation set.
// Run on the validation split carved from train, never on test.
#include <vector>

#include "image/plane.h"
#include "model/predictor.h"
#include "postprocess/deep_watershed.h"

namespace ck {

/// Candidate values; every combination is tried (grid search). Units as in DeepWatershedParams.
struct TuningGrid {
  std::vector<float> maxima_thresholds = {0.05f, 0.1f, 0.2f};    ///< h of the h-maxima
  std::vector<int> radii = {2, 3, 5, 8};                         ///< marker footprint radius, px
  std::vector<float> interior_thresholds = {0.05f, 0.1f, 0.2f, 0.3f, 0.4f};  ///< watershed mask on outer distance
};

/// One evaluated combination.
struct TuningTrial {
  DeepWatershedParams params;
  double f1 = 0;  ///< F1 at IoU 0.5, TP/FP/FN summed over the images
};

/// Grid-search result: the best parameters (ties keep the first in grid order) and every trial.
struct TuningResult {
  DeepWatershedParams best;
  double best_f1 = 0;
  std::vector<TuningTrial> trials;
};

/// Evaluates every grid combination on precomputed model outputs (one per image) against ground-truth label
/// images (same sizes). `base` supplies the parameters the grid does not vary. Uses `threads` worker threads.
/// Throws std::invalid_argument if the lists differ in length or an image's size differs from its outputs.
TuningResult tune_postprocess(const std::vector<ModelOutputs>& maps, const std::vector<LabelImage>& truth,
                              const DeepWatershedParams& base, const TuningGrid& grid, int threads = 2);

}  // namespace ck
