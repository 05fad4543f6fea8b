#pragma once
// Model card: the machine-readable manifest shipped beside the weights (models/<name>/model.json).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "postprocess/deep_watershed.h"

namespace ck {

/// Everything needed to run a shipped model reproducibly. Paths are relative to the manifest's folder.
struct ModelManifest {
  std::string name = "nuclear";
  std::string version = "0";
  std::string architecture = "NucleusNet";
  int in_channels = 1;
  std::vector<int> widths = {12, 24, 48, 96, 192};
  std::string weights = "weights.pt";
  std::string normalization = "percentile";  ///< (x - P1) / (P99.8 - P1) per image
  float norm_low_percentile = 1.0f, norm_high_percentile = 99.8f;
  double mpp = 0.65;                          ///< µm/px the model expects (Kiosk default; DSB pixel size unknown)
  int tile_size = 1024, overlap = 64;         ///< px; images up to tile_size run as one tile
  int receptive_field = 0;                    ///< px
  double nucleus_diameter_px = 0;             ///< nominal (median) nucleus diameter in the training data, px
  DeepWatershedParams postprocess;            ///< tuned on the validation split
  nlohmann::json extra;                       ///< training data, command, metrics (free-form, preserved)
  std::string dir;                            ///< folder the manifest was read from (not serialized)

  /// Path of the weights file (dir + "/" + weights).
  std::string weights_path() const;
};

nlohmann::json to_json(const ModelManifest& m);
/// Parses a manifest; throws std::runtime_error naming the missing/invalid field.
ModelManifest manifest_from_json(const nlohmann::json& j);
/// Reads `<path>` (a model.json file or a folder holding one). Throws std::runtime_error naming the file.
ModelManifest read_manifest(const std::string& path);
/// Writes `<dir>/model.json` (pretty-printed).
void write_manifest(const ModelManifest& m, const std::string& dir);
/// Resolves a model by name ("nuclear" -> <models_root>/nuclear/model.json) or by path (a folder or model.json).
/// Search order for names: $CELLKIOSK_MODELS, then the `models/` folder of the source tree, then beside the
/// executable (../share/cellkiosk/models). Throws std::runtime_error listing where it looked.
ModelManifest find_model(const std::string& name_or_path);

}  // namespace ck
