#pragma once
// The `evaluate` engine: scores folders (or files) of predicted label images against ground truth and
// renders the report as JSON or as a text table. Used by `cellkiosk evaluate`.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "image/plane.h"
#include "metrics/pairing.h"
#include "metrics/scores.h"

namespace ck {

/// Scores of one GT/prediction pair; `error` is non-empty (and `counts` zero) if it could not be scored.
struct ImageEvaluation {
  std::string name;       ///< image name (file stem without "_labels")
  std::string pred_path;  ///< predicted label image file
  std::string gt_path;    ///< ground-truth label image file
  SegmentationCounts counts;
  std::string error;      ///< one line, e.g. "label image shapes differ: ..."; empty on success
  bool ok() const { return error.empty(); }
};

/// Whole evaluation: per-image results plus data-set totals over the images scored without error.
/// Totals sum TP/FP/FN (and taxonomy and pixel counts) over images before forming ratios (StarDist
/// `matching_dataset(by_image=False)`); `*_by_image` are plain means of the per-image values.
struct EvaluationReport {
  std::vector<ImageEvaluation> images;   ///< sorted by name
  std::vector<UnpairedFile> unpaired;    ///< files without a partner on the other side
  SegmentationCounts totals;             ///< summed over images with ok()
  int n_images = 0;                      ///< images scored without error
  int n_errors = 0;                      ///< images with an error entry
  double mean_ap_by_image = 0.0;         ///< mean over scored images of their mean AP (0 if none)
  double f1_by_image = 0.0;              ///< mean over scored images of their F1 at IoU 0.5 (0 if none)
};

/// Reads page 0 of a label image file (TIFF/PNG, integer samples, channel 0). Throws ImageError for
/// unreadable files, std::invalid_argument for float or multi-page files.
LabelImage read_label_image(const std::string& path);

/// Scores already paired files with `workers` threads (>= 1). A pair that cannot be read or whose shapes
/// differ gets an error entry instead of aborting the run.
EvaluationReport evaluate_file_pairs(const FilePairing& pairing, int workers = 2);

/// Pairs `pred` and `gt` (folders or single files, see pair_label_files) and scores every pair.
/// Throws std::runtime_error with a one-line message if a path does not exist or no pair was found.
EvaluationReport evaluate_paths(const std::string& pred, const std::string& gt);

/// Scores in-memory label images (e.g. from the pipeline); `names`, `gts`, `preds` have equal length,
/// else std::invalid_argument. Shape mismatches become error entries.
EvaluationReport evaluate_label_images(const std::vector<std::string>& names, const std::vector<LabelImage>& gts,
                                       const std::vector<LabelImage>& preds);

/// One JSON object: top-level f1, precision, recall (IoU 0.5), mean_ap, ap {"0.50": .., ..., "0.95": ..},
/// tp, fp, fn (IoU 0.5), taxonomy {correct, split, merge, catastrophe, missed, gained}, dice, jaccard,
/// n_images, n_errors, n_true, n_pred, mean_ap_by_image, f1_by_image, unpaired [{side, path}], and
/// per_image [{name, pred, gt, n_true, n_pred, tp, fp, fn, f1, precision, recall, mean_ap, ap, taxonomy,
/// dice, jaccard} or {name, pred, gt, error}]. Ratios are null when no image could be scored.
nlohmann::json to_json(const EvaluationReport& report);

/// Human-readable table: one line per image (errors included), the unpaired files, totals last.
std::string to_text(const EvaluationReport& report);

}  // namespace ck
