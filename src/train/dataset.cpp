#include "train/dataset.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "image/io.h"
#include "preprocess/normalize.h"

namespace ck {

std::vector<std::string> read_split(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot read split file");
  std::vector<std::string> names;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  return names;
}

std::vector<LabeledImage> load_labeled_images(const std::string& dir, const std::vector<std::string>& names) {
  std::vector<LabeledImage> out;
  out.reserve(names.size());
  for (const auto& n : names) {
    LabeledImage li;
    li.name = n;
    const auto img = decode_image_file(dir + "/images/" + n + ".png");
    const auto mask = decode_image_file(dir + "/masks/" + n + ".png");
    li.image = normalize_percentile(img.at(0).channel(0));
    li.labels = to_label_image(mask.at(0));
    if (li.image.height != li.labels.height || li.image.width != li.labels.width)
      throw std::runtime_error(n + ": image and mask sizes differ");
    out.push_back(std::move(li));
  }
  return out;
}

namespace {
// Rotates/flips a square crop in place: k quarter turns, then optional horizontal flip.
template <typename T>
void orient(Plane<T>& p, int k, bool flip) {
  const int n = p.height;
  for (int r = 0; r < k; ++r) {
    Plane<T> q(n, n);
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x) q(x, n - 1 - y) = p(y, x);
    p = std::move(q);
  }
  if (flip)
    for (int y = 0; y < n; ++y) std::reverse(p.row(y), p.row(y) + n);
}
}  // namespace

FloatPlane touching_border_weight(const LabelImage& labels, float w, int r) {
  const int H = labels.height, W = labels.width;
  FloatPlane out(H, W, 1.f);
  if (w <= 0) return out;
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      uint32_t first = 0;
      bool two = false;
      for (int dy = -r; dy <= r && !two; ++dy) {
        const int yy = y + dy;
        if (yy < 0 || yy >= H) continue;
        for (int dx = -r; dx <= r; ++dx) {
          const int xx = x + dx;
          if (xx < 0 || xx >= W) continue;
          const uint32_t l = labels(yy, xx);
          if (l == 0) continue;
          if (first == 0) first = l;
          else if (l != first) { two = true; break; }
        }
      }
      if (two) out(y, x) = 1.f + w;
    }
  return out;
}

TrainingSample blank_crop(int C, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> U(0.0, 1.0);
  std::normal_distribution<double> N(0.0, 1.0);
  const double offset = 2 + U(rng) * 400;                 // grey levels
  const double sigma = std::exp(std::log(0.3) + U(rng) * (std::log(10.0) - std::log(0.3)));
  const double gy = (U(rng) - 0.5) * 4 * sigma / C, gx = (U(rng) - 0.5) * 4 * sigma / C;  // shading, per px
  cv::Mat raw(C, C, CV_32F);
  for (int y = 0; y < C; ++y)
    for (int x = 0; x < C; ++x) raw.at<float>(y, x) = static_cast<float>(offset + gy * y + gx * x + sigma * N(rng));
  if (U(rng) < 0.5) cv::GaussianBlur(raw, raw, cv::Size(0, 0), 0.5 + U(rng) * 2.0);
  FloatPlane p(C, C);
  for (int y = 0; y < C; ++y)
    for (int x = 0; x < C; ++x) p(y, x) = std::round(std::max(0.f, raw.at<float>(y, x)));
  TrainingSample s;
  s.image = normalize_percentile(p);
  s.targets = compute_distance_targets(LabelImage(C, C));
  s.weight = FloatPlane(C, C, 1.f);
  return s;
}

TrainingSample sample_crop(const LabeledImage& img, const AugmentOptions& opt, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> U(0.0, 1.0);
  if (opt.blank_fraction > 0 && U(rng) < opt.blank_fraction) return blank_crop(opt.crop, rng);
  const double scale = std::exp(std::log(opt.scale_min) + U(rng) * (std::log(opt.scale_max) - std::log(opt.scale_min)));
  const int C = opt.crop;
  const int src = std::max(1, static_cast<int>(std::lround(C / scale)));  // source window, px
  const int H = img.image.height, W = img.image.width;
  const int y0 = H > src ? static_cast<int>(U(rng) * (H - src + 1)) : -static_cast<int>(U(rng) * (src - H + 1));
  const int x0 = W > src ? static_cast<int>(U(rng) * (W - src + 1)) : -static_cast<int>(U(rng) * (src - W + 1));

  // Source window with zero padding outside the image.
  cv::Mat win(src, src, CV_32F, cv::Scalar(0)), lwin(src, src, CV_32S, cv::Scalar(0));
  for (int y = std::max(0, y0); y < std::min(H, y0 + src); ++y)
    for (int x = std::max(0, x0); x < std::min(W, x0 + src); ++x) {
      win.at<float>(y - y0, x - x0) = img.image(y, x);
      lwin.at<int32_t>(y - y0, x - x0) = static_cast<int32_t>(img.labels(y, x));
    }
  cv::Mat rimg, rlab;
  cv::resize(win, rimg, cv::Size(C, C), 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  cv::resize(lwin, rlab, cv::Size(C, C), 0, 0, cv::INTER_NEAREST);

  TrainingSample s;
  s.image = FloatPlane(C, C);
  LabelImage lab(C, C);
  for (int y = 0; y < C; ++y)
    for (int x = 0; x < C; ++x) {
      s.image(y, x) = rimg.at<float>(y, x);
      lab(y, x) = static_cast<uint32_t>(rlab.at<int32_t>(y, x));
    }
  const int k = static_cast<int>(U(rng) * 4) % 4;
  const bool flip = U(rng) < 0.5;
  orient(s.image, k, flip);
  orient(lab, k, flip);

  // Intensity: gain, gamma on clipped values, additive noise.
  const double gain = opt.gain_min + U(rng) * (opt.gain_max - opt.gain_min);
  const double gamma = std::exp(std::log(opt.gamma_min) + U(rng) * (std::log(opt.gamma_max) - std::log(opt.gamma_min)));
  const double sigma = U(rng) * opt.noise_max;
  std::normal_distribution<float> N(0.f, 1.f);
  for (auto& v : s.image.data) {
    const double c = std::clamp(static_cast<double>(v), 0.0, 1.0);
    const double over = v - c;  // keep values beyond [0,1] (bright outliers) linear
    v = static_cast<float>(gain * (std::pow(c, gamma) + over) + sigma * N(rng));
  }
  s.targets = compute_distance_targets(lab);
  s.weight = touching_border_weight(lab, static_cast<float>(opt.border_weight));
  return s;
}

}  // namespace ck
