#include "metrics/scores.h"

namespace ck {

namespace {
// num/den with the empty convention: 0/0 is 1 when nothing exists on either side, else 0.
double ratio(double num, double den, bool both_empty) {
  if (den == 0.0) return both_empty ? 1.0 : 0.0;
  return num / den;
}
bool none(const MatchCounts& c) { return c.tp == 0 && c.fp == 0 && c.fn == 0; }
}  // namespace

double PixelCounts::dice() const {
  const bool empty = fg_true == 0 && fg_pred == 0;
  return ratio(2.0 * intersection, static_cast<double>(fg_true + fg_pred), empty);
}
double PixelCounts::jaccard() const {
  const bool empty = fg_true == 0 && fg_pred == 0;
  return ratio(static_cast<double>(intersection), static_cast<double>(fg_true + fg_pred - intersection), empty);
}

double precision(const MatchCounts& c) { return ratio(c.tp, c.tp + c.fp, none(c)); }
double recall(const MatchCounts& c) { return ratio(c.tp, c.tp + c.fn, none(c)); }
double f1_score(const MatchCounts& c) { return ratio(2.0 * c.tp, 2.0 * c.tp + c.fp + c.fn, none(c)); }
double average_precision(const MatchCounts& c) { return ratio(c.tp, c.tp + c.fp + c.fn, none(c)); }

SegmentationCounts& SegmentationCounts::operator+=(const SegmentationCounts& o) {
  n_true += o.n_true;
  n_pred += o.n_pred;
  for (size_t i = 0; i < at.size(); ++i) at[i] += o.at[i];
  taxonomy += o.taxonomy;
  pixels += o.pixels;
  return *this;
}

double SegmentationCounts::mean_ap() const {
  double s = 0.0;
  for (size_t i = 0; i < at.size(); ++i) s += average_precision(at[i]);
  return s / static_cast<double>(at.size());
}

SegmentationCounts score_overlap(const OverlapTable& table) {
  SegmentationCounts c;
  c.n_true = table.n_true();
  c.n_pred = table.n_pred();
  for (size_t i = 0; i < kApThresholds.size(); ++i) c.at[i] = match_objects(table, kApThresholds[i]).counts;
  c.taxonomy = classify_errors(table);
  c.pixels = {table.fg_true, table.fg_pred, table.fg_both};
  return c;
}

SegmentationCounts score_label_images(const LabelImage& gt, const LabelImage& pred) {
  return score_overlap(compute_overlap(gt, pred));
}

}  // namespace ck
