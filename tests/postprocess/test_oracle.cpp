// Oracle tests: the C++ post-processing against scikit-image 0.19 (Debian python3-skimage, run
// with /usr/bin/python3) on maps built from real DSB 2018 ground-truth masks. If the oracle python
// is missing the tests FAIL with a message (install it with scripts/install-deps.sh).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "npy_io.h"
#include "postprocess/deep_watershed.h"
#include "postprocess/gaussian_blur.h"
#include "postprocess/h_maxima.h"
#include "postprocess/peak_local_max.h"

namespace fs = std::filesystem;

namespace ck {
namespace {

const std::string kPython = "/usr/bin/python3";
const std::string kOracle = std::string(CK_SOURCE_DIR) + "/tests/oracle/";

class PostprocessOracle : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("ck_postprocess_oracle_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    oracle_ok_ = std::system((kPython + " -c 'import skimage, scipy, numpy' 2>/dev/null").c_str()) == 0;
    if (!oracle_ok_) return;
    std::ifstream split(std::string(CK_SHARED_DATA) + "/dsb2018-fluo/splits/test.txt");
    std::string name, masks;
    while (names_.size() < 5 && std::getline(split, name))
      if (!name.empty()) {
        names_.push_back(name);
        masks += " " + std::string(CK_SHARED_DATA) + "/dsb2018-fluo/masks/" + name + ".png";
      }
    maps_ok_ = names_.size() == 5 &&
               run(kOracle + "skimage_make_maps.py --seed 7 --out-dir " + dir_.string() + masks) == 0;
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  void SetUp() override {
    ASSERT_TRUE(oracle_ok_) << "scikit-image oracle unavailable: " << kPython
                            << " cannot import skimage/scipy/numpy (install python3-skimage via scripts/install-deps.sh)";
    ASSERT_TRUE(maps_ok_) << "could not build oracle maps from the 5 first images of "
                          << CK_SHARED_DATA << "/dsb2018-fluo/splits/test.txt";
  }

  static int run(const std::string& args) { return std::system((kPython + " " + args).c_str()); }
  static std::string path(const std::string& file) { return (dir_ / file).string(); }
  static FloatPlane inner(const std::string& n) { return test::read_npy<float>(path(n + "_inner.npy")); }
  static FloatPlane outer(const std::string& n) { return test::read_npy<float>(path(n + "_outer.npy")); }

  static inline fs::path dir_;
  static inline bool oracle_ok_ = false, maps_ok_ = false;
  static inline std::vector<std::string> names_;
};

// Mean over oracle objects of the IoU with the C++ object of largest overlap.
double mean_matched_iou(const LabelImage& ref, const LabelImage& got) {
  std::map<uint32_t, int64_t> area_ref, area_got;
  std::map<std::pair<uint32_t, uint32_t>, int64_t> inter;
  for (size_t i = 0; i < ref.size(); ++i) {
    if (ref.data[i]) ++area_ref[ref.data[i]];
    if (got.data[i]) ++area_got[got.data[i]];
    if (ref.data[i] && got.data[i]) ++inter[{ref.data[i], got.data[i]}];
  }
  if (area_ref.empty()) return area_got.empty() ? 1.0 : 0.0;
  std::map<uint32_t, std::pair<int64_t, uint32_t>> best;
  for (const auto& [k, v] : inter)
    if (v > best[k.first].first) best[k.first] = {v, k.second};
  double sum = 0;
  for (const auto& [l, a] : area_ref) {
    const auto it = best.find(l);
    if (it == best.end()) continue;
    const double in = static_cast<double>(it->second.first);
    sum += in / (a + area_got[it->second.second] - in);
  }
  return sum / static_cast<double>(area_ref.size());
}

uint32_t max_label(const LabelImage& l) { return l.empty() ? 0 : *std::max_element(l.data.begin(), l.data.end()); }

TEST_F(PostprocessOracle, GaussianBlurMatchesSkimageAndScipy) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-1.f, 2.f);
  FloatPlane noise(37, 53);
  for (float& v : noise.data) v = u(rng);
  FloatPlane tiny(3, 4);
  for (float& v : tiny.data) v = u(rng);
  const std::vector<std::pair<std::string, FloatPlane>> inputs = {
      {"noise", noise}, {"tiny", tiny}, {"dsb", outer(names_[0])}};
  for (const auto& [tag, img] : inputs) {
    test::write_npy(path("g_in.npy"), img);
    for (double sigma : {1.0, 2.5}) {
      for (const std::string mode : {"nearest", "reflect"}) {
        ASSERT_EQ(run(kOracle + "skimage_blocks.py gaussian --in " + path("g_in.npy") + " --out " + path("g_out.npy") +
                      " --sigma " + std::to_string(sigma) + " --mode " + mode), 0);
        const FloatPlane ref = test::read_npy<float>(path("g_out.npy"));
        const FloatPlane got = gaussian_blur(img, sigma, mode == "nearest" ? BorderMode::Nearest : BorderMode::Reflect);
        ASSERT_EQ(ref.height, got.height);
        ASSERT_EQ(ref.width, got.width);
        float diff = 0;
        for (size_t i = 0; i < ref.size(); ++i) diff = std::max(diff, std::fabs(ref.data[i] - got.data[i]));
        EXPECT_LT(diff, 1e-4f) << tag << " sigma " << sigma << " " << mode;
        EXPECT_LT(diff, 1e-6f) << tag << " sigma " << sigma << " " << mode << " (expected float32 rounding only)";
      }
    }
  }
}

TEST_F(PostprocessOracle, HMaximaIdenticalToSkimage) {
  std::mt19937 rng(5);
  std::normal_distribution<float> nd(0.f, 0.3f);
  FloatPlane noise(64, 64);
  for (float& v : noise.data) v = nd(rng);
  std::vector<std::pair<std::string, FloatPlane>> inputs = {{"noise", noise}};
  for (const auto& n : names_) inputs.push_back({n, inner(n)});
  for (const auto& [tag, img] : inputs) {
    test::write_npy(path("h_in.npy"), img);
    for (const auto& [h, radius] : std::vector<std::pair<double, int>>{{0.1, 10}, {0.05, 3}, {0.3, 1}}) {
      ASSERT_EQ(run(kOracle + "skimage_blocks.py h_maxima --in " + path("h_in.npy") + " --out " + path("h_out.npy") +
                    " --h " + std::to_string(h) + " --radius " + std::to_string(radius)), 0);
      const Plane<uint8_t> ref = test::read_npy<uint8_t>(path("h_out.npy"));
      const Plane<uint8_t> got = h_maxima(img, h, radius);
      int64_t marked = std::count(ref.data.begin(), ref.data.end(), 1);
      EXPECT_GT(marked, 0) << tag;
      EXPECT_TRUE(ref == got) << tag << " h " << h << " radius " << radius << ": masks differ";
    }
  }
}

TEST_F(PostprocessOracle, PeakLocalMaxIdenticalToSkimage) {
  for (const auto& n : names_) {
    const FloatPlane img = inner(n);
    test::write_npy(path("p_in.npy"), img);
    ASSERT_EQ(run(kOracle + "skimage_blocks.py peak_local_max --in " + path("p_in.npy") + " --out " +
                  path("p_out.npy") + " --h 0.1 --radius 10"), 0);
    const Plane<uint8_t> ref = test::read_npy<uint8_t>(path("p_out.npy"));
    EXPECT_TRUE(ref == peak_local_max_mask(img, 10, 0.1f)) << n;
  }
}

struct Case {
  std::string tag, args;
  DeepWatershedParams params;
};

TEST_F(PostprocessOracle, DeepWatershedMatchesSkimage) {
  std::vector<Case> cases;
  cases.push_back({"defaults", "", {}});
  DeepWatershedParams opt;
  opt.maxima_smooth = 1.0f;
  opt.label_erosion = 1;
  opt.small_objects_threshold = 20;
  opt.fill_holes_threshold = 15;
  cases.push_back({"options", "--maxima-smooth 1 --label-erosion 1 --small-objects-threshold 20 --fill-holes-threshold 15", opt});
  DeepWatershedParams plm;
  plm.maxima_algorithm = "peak_local_max";
  cases.push_back({"peak_local_max", "--maxima-algorithm peak_local_max", plm});
  for (const Case& c : cases) {
    for (const auto& n : names_) {
      ASSERT_EQ(run(kOracle + "skimage_deep_watershed.py --inner " + path(n + "_inner.npy") + " --outer " +
                    path(n + "_outer.npy") + " --out " + path("dw_out.npy") + " " + c.args), 0);
      const LabelImage ref = test::read_npy<uint32_t>(path("dw_out.npy"));
      const LabelImage got = deep_watershed(inner(n), outer(n), c.params);
      ASSERT_EQ(ref.height, got.height);
      ASSERT_EQ(ref.width, got.width);
      EXPECT_GT(max_label(ref), 0u) << n;
      EXPECT_EQ(max_label(got), max_label(ref)) << c.tag << " " << n << ": object count";
      const double iou = mean_matched_iou(ref, got);
      EXPECT_GE(iou, 0.99) << c.tag << " " << n;
      size_t same = 0;
      for (size_t i = 0; i < ref.size(); ++i) same += ref.data[i] == got.data[i];
      RecordProperty(c.tag + "_" + n.substr(0, 8) + "_identical_px", std::to_string(same) + "/" + std::to_string(ref.size()));
      EXPECT_EQ(same, ref.size()) << c.tag << " " << n << ": label images not identical (IoU " << iou << ")";
    }
  }
}

}  // namespace
}  // namespace ck
