#pragma once
// Object error taxonomy (correct / split / merge / catastrophe / missed / gained) after deepcell-toolbox's
// `ObjectMetrics` (Van Valen lab; schema from Caicedo et al. 2018, "Evaluation of Deep Learning
// Strategies for Nucleus Segmentation in Fluorescence Images"; linking after Jaqaman et al. 2008).
#include "metrics/matching.h"

namespace ck {

/// Counts of each error type for one image (or summed over a data set).
struct ErrorTaxonomy {
  int correct = 0;      ///< one-to-one GT/pred pairs with IoU >= 0.6
  int split = 0;        ///< one GT object linked to >= 2 predicted objects
  int merge = 0;        ///< >= 2 GT objects linked to one predicted object
  int catastrophe = 0;  ///< a linked group with >= 2 GT and >= 2 predicted objects
  int missed = 0;       ///< GT objects with no link (plus both ends of an isolated weak 1-1 link)
  int gained = 0;       ///< predicted objects with no link (plus both ends of an isolated weak 1-1 link)
  ErrorTaxonomy& operator+=(const ErrorTaxonomy& o);
  bool operator==(const ErrorTaxonomy&) const = default;
};

/// Parameters of the taxonomy (deepcell-toolbox defaults).
struct TaxonomyParams {
  double correct_iou = 0.6;   ///< 1 - cutoff1: a pair with IoU >= this is `correct`
  double link_iou = 0.1;      ///< cutoff2: leftover pairs with IoU >= this are linked
  double link_contain = 0.5;  ///< leftover pairs where > this fraction of either object lies in the other are linked
};

/// Classifies every object of `table`:
/// 1. correct: pairs with IoU >= correct_iou (>= 0.5, so these pairs are automatically one-to-one;
///    deepcell finds them by a linear assignment whose unmatched cost is cutoff1 = 0.4, i.e. IoU > 0.6
///    — the tie IoU == 0.6 is counted correct here).
/// 2. The remaining objects form a bipartite graph with an edge for each pair with IoU >= link_iou or
///    with intersection > link_contain × the area of either object (deepcell's "modified IoU" that keeps
///    small objects swallowed by a big one). Per connected component: an isolated GT is missed, an
///    isolated prediction gained; a single GT-pred edge counts one missed and one gained (deepcell);
///    1 GT with n >= 2 preds is one split; n >= 2 GTs with 1 pred is one merge; otherwise one catastrophe.
ErrorTaxonomy classify_errors(const OverlapTable& table, const TaxonomyParams& params = {});

}  // namespace ck
