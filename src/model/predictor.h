#pragma once
// Predictor: normalized image in, deep-watershed maps out. The in-process LibTorch implementation lives here;
// a model-server client implements the same interface (DESIGN §1).
#include <memory>
#include <string>

#include "image/plane.h"

namespace ck {

/// Model outputs for one image, each H×W float32 in [0,1] at the model's input resolution: the two maps deep
/// watershed uses. (The network's third head, foreground, only shapes training; it is not blended back.)
struct ModelOutputs {
  FloatPlane inner;  ///< inner distance (cell-centre map, markers come from its h-maxima)
  FloatPlane outer;  ///< outer distance (normalized distance to the cell boundary; watershed relief)
};

/// Runs a segmentation model on one normalized image (H×W float32, any size ≥ 1×1).
/// Implementations are not required to be thread-safe; use one per worker thread.
class Predictor {
 public:
  virtual ~Predictor() = default;
  /// Throws std::runtime_error (with a one-line reason) if the model cannot run.
  virtual ModelOutputs predict(const FloatPlane& normalized) = 0;
};

/// How the in-process predictor runs.
struct TorchPredictorOptions {
  std::string device = "cpu";  ///< "cpu" or "cuda" (needs a CUDA-enabled LibTorch build)
  int tile_size = 0;           ///< px; images larger than this are tiled; 0 = the manifest's
  int overlap = -1;            ///< px of overlap between neighbouring tiles (blended); -1 = the manifest's
  int threads = 0;             ///< intra-op threads for this predictor; 0 = leave LibTorch's setting
};

struct ModelManifest;
/// Loads the weights named by `manifest` (weights path resolved relative to the manifest's folder) into an
/// in-process LibTorch predictor: BatchNorm folded into the convolutions, channels-last, inference mode.
/// Throws std::runtime_error naming the file if the weights are missing or do not fit the architecture,
/// and if `device` is unavailable ("cuda requested but this build of LibTorch has no CUDA").
std::unique_ptr<Predictor> make_torch_predictor(const ModelManifest& manifest, const TorchPredictorOptions& opt);

}  // namespace ck
