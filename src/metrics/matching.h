#pragma once
// Object-level matching of a predicted instance label image against a ground-truth label image:
// the sparse overlap table (intersection and IoU of every overlapping GT/pred pair) and the optimal
// one-to-one matching at an IoU threshold (StarDist `matching` convention, Schmidt et al., MICCAI 2018;
// Weigert et al., WACV 2020).
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "image/plane.h"

namespace ck {

/// Sparse overlap table between a GT and a predicted label image (0 = background, ids need not be
/// consecutive). Objects are indexed 0..n-1 in increasing label-id order.
struct OverlapTable {
  std::vector<uint32_t> true_ids;   ///< GT label ids, sorted ascending
  std::vector<uint32_t> pred_ids;   ///< predicted label ids, sorted ascending
  std::vector<uint64_t> true_area;  ///< px per GT object (same order as true_ids)
  std::vector<uint64_t> pred_area;  ///< px per predicted object
  /// One GT/pred pair with at least one shared pixel.
  struct Pair {
    int t = 0;                  ///< index into true_ids
    int p = 0;                  ///< index into pred_ids
    uint64_t intersection = 0;  ///< shared px
    double iou = 0.0;           ///< intersection / union
  };
  std::vector<Pair> pairs;  ///< sorted by (t, p)
  uint64_t fg_true = 0;     ///< foreground px in GT (label != 0)
  uint64_t fg_pred = 0;     ///< foreground px in prediction
  uint64_t fg_both = 0;     ///< px that are foreground in both

  int n_true() const { return static_cast<int>(true_ids.size()); }
  int n_pred() const { return static_cast<int>(pred_ids.size()); }
};

/// Builds the sparse GT/prediction overlap table in one pass over the pixels.
/// Parameters:
///   gt    — H×W uint32 ground-truth label image (0 = background, ids need not be consecutive)
///   pred  — H×W uint32 predicted label image, same shape
/// Returns: OverlapTable (areas and intersections in px, IoU = intersection/union as double); images without
///   objects (including empty ones) give a table with no objects, no pairs and zero foreground counts.
/// Throws: std::invalid_argument naming both shapes if they differ.
/// Reference: StarDist `matching` (its label-overlap / IoU matrix, stored sparsely here).
OverlapTable compute_overlap(const LabelImage& gt, const LabelImage& pred);

/// TP/FP/FN counts of one matching.
struct MatchCounts {
  int tp = 0;  ///< matched pairs with IoU >= threshold
  int fp = 0;  ///< predicted objects left unmatched (n_pred - tp)
  int fn = 0;  ///< GT objects left unmatched (n_true - tp)
  MatchCounts& operator+=(const MatchCounts& o) {
    tp += o.tp;
    fp += o.fp;
    fn += o.fn;
    return *this;
  }
};

/// Result of matching at one IoU threshold.
struct Matching {
  double threshold = 0.5;
  MatchCounts counts;
  std::vector<std::pair<uint32_t, uint32_t>> pairs;  ///< matched (GT id, pred id), sorted by GT id
  double sum_iou = 0.0;                              ///< total IoU of the matched pairs
};

/// Optimal one-to-one matching of GT and predicted objects among pairs with IoU >= `threshold`.
/// Solved exactly with the Hungarian algorithm (see hungarian.h). Objective, as in StarDist's
/// `matching` (cost = -(IoU >= t) - IoU / (2·min(n_true, n_pred))): first the largest number of
/// pairs, then among those the largest total IoU. For t >= 0.5 every object has at most one candidate
/// partner with IoU > 0.5, so this is the same as maximizing total IoU. Thresholds are compared exactly
/// (IoU = intersection/union as a correctly rounded double against the double `threshold`).
/// Parameters:
///   table      — OverlapTable from compute_overlap
///   threshold  — IoU threshold t, double, in (0, 1]
/// Returns: Matching: threshold; counts tp, fp = n_pred - tp, fn = n_true - tp; the matched (GT id, pred id)
///   pairs sorted by GT id; sum_iou of the matched pairs. A table without objects gives all zeros.
/// Throws: std::invalid_argument if threshold is not in (0, 1] (NaN included).
/// Reference: StarDist `matching` for the F1/AP conventions (Schmidt et al., MICCAI 2018; Weigert et al.,
///   WACV 2020); Kuhn 1955 / Munkres 1957, as scipy `linear_sum_assignment`.
Matching match_objects(const OverlapTable& table, double threshold);

/// The 10 IoU thresholds of the DSB 2018 / StarDist average precision: 0.50, 0.55, ..., 0.95.
inline constexpr std::array<double, 10> kApThresholds = {0.50, 0.55, 0.60, 0.65, 0.70,
                                                        0.75, 0.80, 0.85, 0.90, 0.95};

}  // namespace ck
