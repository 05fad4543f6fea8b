#pragma once
// Files written per image by `cellkiosk segment` and the consumers.
#include <string>
#include <vector>

#include "pipeline/segmenter.h"

namespace ck {

/// Which optional outputs to write besides the label image.
struct OutputOptions {
  bool objects_csv = true;  ///< <name>_objects.csv
  bool overlay = false;     ///< <name>_overlay.png (outlines on the normalized image)
};

/// Writes `<dir>/<name>_labels.tif` (uint16 if the labels fit, else uint32; deflate), `<name>_objects.csv` and,
/// if asked, `<name>_overlay.png`, each atomically. Returns the paths written. Throws ImageError / std::runtime_error
/// naming the file on I/O failure.
std::vector<std::string> write_segmentation(const std::string& dir, const std::string& name, const Segmentation& seg,
                                            const OutputOptions& opt);

/// Per-object table as CSV text, one row per label: label, area (px), centroid y/x (px), bounding box
/// min_row/min_col/max_row/max_col (px, max exclusive) and mean intensity (raw units of the selected channel).
std::string objects_csv(const std::vector<ObjectProps>& objects);

}  // namespace ck
