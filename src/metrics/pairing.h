#pragma once
// Pairs predicted and ground-truth label image files by image name for `cellkiosk evaluate`.
#include <string>
#include <vector>

namespace ck {

/// Image name of a label file: the file name without its extension and without a trailing "_labels"
/// ("dir/a_labels.tif" -> "a", "b.png" -> "b", "c.ome.tif" -> "c.ome").
std::string label_image_name(const std::string& path);

/// One GT/prediction file pair sharing an image name.
struct FilePair {
  std::string name;       ///< image name (see label_image_name)
  std::string pred_path;  ///< predicted label image file
  std::string gt_path;    ///< ground-truth label image file
};

/// A file found on one side only (or a second file with an already used name on its side).
struct UnpairedFile {
  std::string side;  ///< "pred" or "gt"
  std::string path;
};

/// Result of pairing two folders (or files).
struct FilePairing {
  std::vector<FilePair> pairs;  ///< sorted by name
  std::vector<UnpairedFile> unpaired;
};

/// Lists label image files (.tif, .tiff, .png; case-insensitive; hidden files skipped; not recursive)
/// under `pred` and `gt` and pairs them by image name. Each of `pred`, `gt` is a folder or a single file.
/// Two single files are paired with each other whatever their names (the GT file's name is used).
/// Throws std::runtime_error("... does not exist") for a missing path.
FilePairing pair_label_files(const std::string& pred, const std::string& gt);

}  // namespace ck
