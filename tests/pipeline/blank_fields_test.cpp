// Blank fields (empty wells) give 0 objects: 24 background-only images made from numbers (8 and 16 bit, offsets
// from 2 to 1000 grey levels, Gaussian read noise 0.5-30 levels, Poisson noise, uniform integer noise, shading),
// segmented with the shipped model and default options.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "model/manifest.h"
#include "pipeline/segment_file.h"
#include "preprocess/normalize.h"

using namespace ck;

namespace {

Raster field(int h, int w, DType t, const std::function<double(int, int, std::mt19937_64&)>& value, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Raster r = Raster::make(h, w, 1, t);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const double v = std::max(0.0, std::round(value(y, x, rng)));
      const size_t i = static_cast<size_t>(y) * w + x;
      if (t == DType::U8) r.bytes[i] = static_cast<uint8_t>(std::min(255.0, v));
      else reinterpret_cast<uint16_t*>(r.bytes.data())[i] = static_cast<uint16_t>(std::min(65535.0, v));
    }
  return r;
}

std::vector<std::pair<std::string, Raster>> blank_set() {
  std::vector<std::pair<std::string, Raster>> v;
  uint64_t seed = 1;
  for (DType t : {DType::U8, DType::U16})
    for (double offset : {2.0, 10.0, 100.0})
      for (double sigma : {0.5, 1.0, 3.0}) {
        auto g = [offset, sigma](int, int, std::mt19937_64& r) { return offset + sigma * std::normal_distribution<>(0, 1)(r); };
        v.emplace_back("gauss " + std::string(t == DType::U8 ? "u8" : "u16") + " offset " + std::to_string(int(offset)) +
                           " sigma " + std::to_string(sigma),
                       field(256, 256, t, g, seed++));
      }
  v.emplace_back("randint(9, 13) u8", field(256, 256, DType::U8, [](int, int, std::mt19937_64& r) {
                   return 9.0 + std::uniform_int_distribution<>(0, 3)(r); }, seed++));
  for (double lambda : {0.5, 2.0, 10.0})
    v.emplace_back("poisson " + std::to_string(lambda), field(256, 256, DType::U8, [lambda](int, int, std::mt19937_64& r) {
                     return static_cast<double>(std::poisson_distribution<>(lambda)(r)); }, seed++));
  v.emplace_back("u16 offset 1000 sigma 30", field(300, 200, DType::U16, [](int, int, std::mt19937_64& r) {
                   return 1000 + 30 * std::normal_distribution<>(0, 1)(r); }, seed++));
  v.emplace_back("u16 shading + noise", field(256, 256, DType::U16, [](int y, int x, std::mt19937_64& r) {
                   return 500 + 0.2 * x + 0.1 * y + 5 * std::normal_distribution<>(0, 1)(r); }, seed++));
  return v;
}

}  // namespace

TEST(BlankFields, BackgroundOnlyImagesGiveNoObjects) {
  const ModelManifest m = find_model("nuclear");
  TorchPredictorOptions po;
  po.threads = 2;
  Segmenter seg(m, make_torch_predictor(m, po));
  const auto set = blank_set();
  ASSERT_GE(set.size(), 20u);
  int64_t total = 0, without_floor = 0;
  for (const auto& [name, img] : set) {
    SegmentOptions opt;
    PageWork w = prepare_page(img, "blank", opt, seg);
    // flat fields are refused by the signal floor; a shaded one (range from the gradient, not from nuclei) passes
    // the floor and is left to the model, which must find nothing in it either
    const bool shaded = name.find("shading") != std::string::npos;
    EXPECT_EQ(w.prepared.no_signal, !shaded) << name << ": range/noise " << w.prepared.range_to_noise;
    if (!shaded) {
      EXPECT_NE(w.warning.find("no signal above the noise"), std::string::npos) << name;
    }
    predict_page(w, seg);
    const PageResult r = finish_page(std::move(w), opt, OutputChoice{}, seg);
    total += r.n_objects;
    // what the model alone makes of it (the floor off): printed for the record, not asserted (version 1 of the model
    // found 1047 "nuclei" in this set, version 2, trained with background-only crops, 0)
    SegmentOptions off;
    off.min_snr = 0;
    PageWork w2 = prepare_page(img, "blank", off, seg);
    predict_page(w2, seg);
    without_floor += finish_page(std::move(w2), off, OutputChoice{}, seg).n_objects;
  }
  std::printf("blank set: %zu images, %lld objects with the signal floor, %lld without it\n", set.size(),
              static_cast<long long>(total), static_cast<long long>(without_floor));
  EXPECT_EQ(total, 0);
}

TEST(BlankFields, NoiseEstimateOnKnownFields) {
  // Gaussian noise sigma 10 on a ramp: the difference-based MAD estimate ignores the ramp.
  std::mt19937_64 rng(7);
  FloatPlane p(200, 300);
  for (int y = 0; y < 200; ++y)
    for (int x = 0; x < 300; ++x) p(y, x) = static_cast<float>(1000 + 3 * x + 10 * std::normal_distribution<>(0, 1)(rng));
  EXPECT_NEAR(noise_sigma(p), 10.0, 0.5);
  EXPECT_EQ(noise_sigma(FloatPlane(10, 10, 5.f)), 0.0);
  EXPECT_EQ(range_to_noise(FloatPlane(10, 10, 5.f), NormalizationStats{5.f, 5.f}), 0.0);
}
