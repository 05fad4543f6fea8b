#pragma once
// Per-image and data-set segmentation scores: precision / recall / F1 at IoU 0.5, average precision
// AP(t) = TP / (TP + FP + FN) at t = 0.50:0.05:0.95 and its mean (Data Science Bowl 2018 / StarDist
// convention), the deepcell error taxonomy, and pixel Dice / Jaccard of the foreground masks.
//
// Empty-image convention: a ratio whose denominator is 0 is 1.0 when the image (or data set) has no
// GT object and no predicted object (nothing to find, nothing found: perfect), and 0.0 otherwise
// (StarDist returns 0 in every 0/0 case). Same for Dice/Jaccard when both foregrounds are empty.
#include <array>
#include <cstdint>
#include <vector>

#include "metrics/matching.h"
#include "metrics/taxonomy.h"

namespace ck {

/// Foreground pixel counts (px).
struct PixelCounts {
  uint64_t fg_true = 0;
  uint64_t fg_pred = 0;
  uint64_t intersection = 0;
  PixelCounts& operator+=(const PixelCounts& o) {
    fg_true += o.fg_true;
    fg_pred += o.fg_pred;
    intersection += o.intersection;
    return *this;
  }
  /// 2|A∩B| / (|A| + |B|); 1.0 when both masks are empty.
  double dice() const;
  /// |A∩B| / |A∪B|; 1.0 when both masks are empty.
  double jaccard() const;
};

/// TP/(TP+FP); see the empty-image convention above.
double precision(const MatchCounts& c);
/// TP/(TP+FN).
double recall(const MatchCounts& c);
/// 2TP/(2TP+FP+FN).
double f1_score(const MatchCounts& c);
/// TP/(TP+FP+FN) (DSB 2018 "average precision" at one threshold).
double average_precision(const MatchCounts& c);

/// Counts behind every score of one image, or summed over a data set.
struct SegmentationCounts {
  int n_true = 0;                            ///< GT objects
  int n_pred = 0;                            ///< predicted objects
  std::array<MatchCounts, 10> at{};          ///< matching counts at kApThresholds[i]; at[0] is IoU 0.5
  ErrorTaxonomy taxonomy;
  PixelCounts pixels;

  SegmentationCounts& operator+=(const SegmentationCounts& o);
  const MatchCounts& at50() const { return at[0]; }
  double precision() const { return ck::precision(at[0]); }
  double recall() const { return ck::recall(at[0]); }
  double f1() const { return f1_score(at[0]); }
  /// AP at kApThresholds[i].
  double ap(int i) const { return average_precision(at.at(i)); }
  /// Mean of AP over the 10 thresholds.
  double mean_ap() const;
};

/// All counts for one GT/predicted label image pair (H×W each). Throws std::invalid_argument on a shape
/// mismatch. Runs the Hungarian matching once per AP threshold and the taxonomy once.
SegmentationCounts score_label_images(const LabelImage& gt, const LabelImage& pred);
/// Same, from an already computed overlap table.
SegmentationCounts score_overlap(const OverlapTable& table);

}  // namespace ck
