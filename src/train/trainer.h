#pragma once
// `cellkiosk train`: trains NucleusNet on a DSB-layout data set with the project's own targets and augmentation.
#include <functional>
#include <string>
#include <vector>

#include "train/dataset.h"
#include "model/manifest.h"

namespace ck {

/// Training run settings. Every run writes into `out_dir`: last.pt / last-optim.pt / state.json (resume),
/// best/ (model.json + weights.pt of the best validation F1), log.tsv (step, loss, val F1).
struct TrainOptions {
  std::string data_dir;           ///< folder with images/, masks/, splits/train.txt
  std::string out_dir = "runs/nuclear";
  std::string name = "nuclear", version = "1";
  int steps = 4000;               ///< optimizer steps in total (a resumed run continues to this count)
  int batch = 8;                  ///< crops per step
  AugmentOptions augment;         ///< crop size and augmentation ranges
  double lr = 2e-3;               ///< peak learning rate (Adam), cosine-decayed to lr/100 after a 100-step warm-up
  double weight_decay = 1e-5;
  double val_fraction = 0.1;      ///< share of the train split held out for validation (fixed by seed)
  int val_every = 250;            ///< steps between validations/checkpoints
  int max_train_images = 0;       ///< 0 = all (smoke tests use a few)
  int max_val_images = 0;         ///< 0 = all
  uint64_t seed = 1;
  int threads = 0;                ///< LibTorch intra-op threads; 0 = hardware concurrency
  bool resume = false;            ///< continue from out_dir/last.pt if present
  std::string init_weights;       ///< start from these weights (fine-tuning; e.g. models/nuclear/weights.pt); "" = random
  double ema_decay = 0;           ///< exponential moving average of the weights (e.g. 0.999); 0 = off. Validation,
                                  ///< best/ and the exported model use the averaged weights when on
  int warmup = 100;               ///< linear warm-up steps before the cosine decay
  std::vector<int> widths = {12, 24, 48, 96, 192};
  std::string command_line;       ///< recorded in the model card
};

/// Result of a training run.
struct TrainResult {
  int steps_done = 0;
  double best_val_f1 = 0;
  int best_step = 0;
  std::string best_dir;  ///< folder with model.json + weights.pt
};

/// Runs (or resumes) training; prints progress (step, loss, steps/s, ETA) to stderr. Validation F1 (IoU 0.5)
/// uses the default deep-watershed parameters on the held-out images. Throws std::runtime_error on bad data.
TrainResult train_model(const TrainOptions& opt);

}  // namespace ck
