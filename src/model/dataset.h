#pragma once
// Training data for the nuclear model: image/label pairs loaded once, random augmented crops on demand.
#include <random>
#include <string>
#include <vector>

#include "image/plane.h"
#include "model/targets.h"

namespace ck {

/// One training image: percentile-normalized intensities (H×W float32, ~[0,1]) and its instance label image.
struct LabeledImage {
  std::string name;
  FloatPlane image;
  LabelImage labels;
};

/// Loads `<dir>/images/<name>.png` and `<dir>/masks/<name>.png` for every name (DSB layout), channel 0,
/// normalized with normalize_percentile(1, 99.8). Throws ImageError / std::runtime_error naming the file.
std::vector<LabeledImage> load_labeled_images(const std::string& dir, const std::vector<std::string>& names);

/// Reads a split file (one image id per line; blank lines ignored). Throws std::runtime_error if unreadable.
std::vector<std::string> read_split(const std::string& path);

/// Augmentation ranges (Bannon et al. 2021 style: flips, 90° rotations, scale, intensity).
struct AugmentOptions {
  int crop = 256;                 ///< output crop size, px
  double scale_min = 0.75, scale_max = 1.33;  ///< isotropic zoom, drawn log-uniformly
  double gain_min = 0.8, gain_max = 1.25;     ///< multiplicative intensity gain
  double gamma_min = 0.7, gamma_max = 1.4;    ///< gamma on the clipped [0,1] intensities
  double noise_max = 0.03;                    ///< std of additive Gaussian noise, drawn in [0, noise_max]
};

/// One augmented crop: image (crop×crop) and its targets computed after the geometric transform.
struct TrainingSample {
  FloatPlane image;
  DistanceTargets targets;
};

/// Draws a random augmented crop from `img` (pads with 0 where the crop leaves the image).
/// Labels are resampled nearest-neighbour, so targets are exact for the transformed geometry.
TrainingSample sample_crop(const LabeledImage& img, const AugmentOptions& opt, std::mt19937_64& rng);

}  // namespace ck
