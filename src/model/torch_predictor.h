#pragma once
// The in-process predictor built from a network held in memory (training's validation): no weights file is
// written or read. The file-based factory is in model/predictor.h.
#include <memory>

#include "model/manifest.h"
#include "model/network.h"
#include "model/predictor.h"

namespace ck {

/// A TorchPredictor running a copy of `net` (BatchNorm folded in the copy; `net` itself is not changed), tiled as
/// `manifest` says. Throws std::runtime_error as make_torch_predictor.
std::unique_ptr<Predictor> make_torch_predictor(const NucleusNet& net, const ModelManifest& manifest,
                                                const TorchPredictorOptions& opt);

}  // namespace ck
