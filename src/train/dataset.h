#pragma once
// Training data for the nuclear model: image/label pairs loaded once, random augmented crops on demand.
#include <random>
#include <string>
#include <vector>

#include "image/plane.h"
#include "train/targets.h"

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
  double blank_fraction = 0;                  ///< share of crops that are background only (see blank_crop)
  double border_weight = 0;                   ///< extra loss weight on seams between touching nuclei (0 = off)
};


/// One augmented crop: image (crop×crop) and its targets computed after the geometric transform.
struct TrainingSample {
  FloatPlane image;
  DistanceTargets targets;
  FloatPlane weight;  ///< per-pixel loss weight (crop×crop): 1, plus AugmentOptions::border_weight where nuclei touch
};

/// Loss weights for touching nuclei (after the border weights of Ronneberger et al. 2015, U-Net): 1 everywhere,
/// 1 + `w` on every pixel whose (2r+1)×(2r+1) neighbourhood holds two different non-zero labels (the thin
/// seams where merges happen). H×W float32, same size as `labels`.
FloatPlane touching_border_weight(const LabelImage& labels, float w, int r = 2);

/// Draws a random augmented crop from `img` (pads with 0 where the crop leaves the image).
/// Labels are resampled nearest-neighbour, so targets are exact for the transformed geometry.
TrainingSample sample_crop(const LabeledImage& img, const AugmentOptions& opt, std::mt19937_64& rng);

/// A background-only crop (crop×crop, all targets 0): a camera-like field (offset, optional smooth gradient,
/// Gaussian read noise of 0.3-10 grey levels, optional blur, rounded to integers), normalized by
/// normalize_percentile exactly as inference normalizes an empty well. Teaches the network that stretched noise
/// is not nuclei (empty wells must give 0 objects).
TrainingSample blank_crop(int crop, std::mt19937_64& rng);

}  // namespace ck
