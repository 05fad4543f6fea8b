// region_props on hand-built label images (exact values, checked against scikit-image 0.19 by hand) and,
// on real ground-truth masks, against the scikit-image oracle (tests/postprocess/skimage_regionprops.py, run
// with Debian's /usr/bin/python3 + python3-skimage; the test FAILS with a message when that python is missing,
// like tests/postprocess/test_oracle.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "image/io.h"
#include "npy_io.h"

#include "postprocess/errors.h"
#include "postprocess/region_props.h"

namespace ck {
namespace {

TEST(PostprocessRegionProps, ExactValuesSortedByLabel) {
  LabelImage l(4, 5, 0);
  l.data = {0, 1, 1, 0, 0,  //
            0, 1, 1, 0, 3,  //
            0, 0, 0, 0, 3,  //
            7, 0, 0, 0, 3};
  FloatPlane in(4, 5);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 5; ++x) in(y, x) = static_cast<float>(10 * y + x);
  const auto p = region_props(l, &in);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].label, 1u);
  EXPECT_EQ(p[0].area_px, 4);
  EXPECT_DOUBLE_EQ(p[0].centroid_y, 0.5);
  EXPECT_DOUBLE_EQ(p[0].centroid_x, 1.5);
  EXPECT_EQ(p[0].bbox_min_y, 0); EXPECT_EQ(p[0].bbox_min_x, 1);
  EXPECT_EQ(p[0].bbox_max_y, 2); EXPECT_EQ(p[0].bbox_max_x, 3);
  EXPECT_DOUBLE_EQ(p[0].mean_intensity, 6.5);
  EXPECT_EQ(p[1].label, 3u);
  EXPECT_EQ(p[1].area_px, 3);
  EXPECT_DOUBLE_EQ(p[1].centroid_y, 2.0);
  EXPECT_DOUBLE_EQ(p[1].centroid_x, 4.0);
  EXPECT_EQ(p[1].bbox_min_y, 1); EXPECT_EQ(p[1].bbox_min_x, 4);
  EXPECT_EQ(p[1].bbox_max_y, 4); EXPECT_EQ(p[1].bbox_max_x, 5);
  EXPECT_DOUBLE_EQ(p[1].mean_intensity, 24.0);
  EXPECT_EQ(p[2].label, 7u);
  EXPECT_EQ(p[2].area_px, 1);
  EXPECT_EQ(p[2].bbox_min_y, 3); EXPECT_EQ(p[2].bbox_max_x, 1);
  EXPECT_DOUBLE_EQ(p[2].mean_intensity, 30.0);

  // shape measurements (skimage 0.19 values: perimeter 4, 1, 0; eccentricity 0, 1, 0; solidity 1)
  EXPECT_DOUBLE_EQ(p[0].max_intensity, 12.0);
  EXPECT_DOUBLE_EQ(p[1].max_intensity, 34.0);
  EXPECT_DOUBLE_EQ(p[2].max_intensity, 30.0);
  EXPECT_DOUBLE_EQ(p[0].perimeter_px, 4.0);
  EXPECT_DOUBLE_EQ(p[1].perimeter_px, 1.0);  // skimage: the two end pixels of a line weigh 0
  EXPECT_DOUBLE_EQ(p[2].perimeter_px, 0.0);
  EXPECT_DOUBLE_EQ(p[0].eccentricity, 0.0);
  EXPECT_DOUBLE_EQ(p[1].eccentricity, 1.0);
  EXPECT_DOUBLE_EQ(p[2].eccentricity, 0.0);
  for (const auto& o : p) EXPECT_DOUBLE_EQ(o.solidity, 1.0) << o.label;
  EXPECT_DOUBLE_EQ(p[0].equivalent_diameter_px, 2.256758334191025);
  EXPECT_DOUBLE_EQ(p[2].equivalent_diameter_px, 1.1283791670955126);

  const auto q = region_props(l);
  ASSERT_EQ(q.size(), 3u);
  EXPECT_TRUE(std::isnan(q[0].mean_intensity));
  EXPECT_TRUE(std::isnan(q[0].max_intensity));
  EXPECT_EQ(q[2].area_px, 1);
  EXPECT_DOUBLE_EQ(q[0].perimeter_px, 4.0);
}

// A 5×5 square with its centre and one corner removed: a hole, a concave corner, diagonal border steps.
TEST(PostprocessRegionProps, ShapeOfARingWithANotch) {
  LabelImage l(7, 7, 0);
  for (int y = 1; y < 6; ++y)
    for (int x = 1; x < 6; ++x) l(y, x) = 5;
  l(3, 3) = 0;
  l(1, 5) = 0;
  const auto p = region_props(l);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].area_px, 23);
  // skimage 0.19: perimeter 15.414213562373096, eccentricity 0.4086031347641992, solidity 23/24
  EXPECT_NEAR(p[0].perimeter_px, 15.414213562373096, 1e-12);
  EXPECT_NEAR(p[0].eccentricity, 0.4086031347641992, 1e-12);
  EXPECT_DOUBLE_EQ(p[0].solidity, 23.0 / 24.0);
}

TEST(PostprocessRegionProps, EmptyAndErrors) {
  EXPECT_TRUE(region_props(LabelImage(3, 3, 0)).empty());
  EXPECT_TRUE(region_props(LabelImage()).empty());
  FloatPlane wrong(2, 2);
  EXPECT_THROW(region_props(LabelImage(3, 3, 1), &wrong), PostprocessError);
}

namespace fs = std::filesystem;

// Every measurement against skimage.measure.regionprops on the bundled ground-truth masks (real nuclei: 5 images,
// hundreds of objects) with the sample image's first channel as intensity.
TEST(PostprocessRegionProps, MatchesSkimageOnRealMasks) {
  const std::string py = "/usr/bin/python3";
  ASSERT_EQ(std::system((py + " -c 'import skimage, numpy' 2>/dev/null").c_str()), 0)
      << "scikit-image oracle unavailable: " << py
      << " cannot import skimage/numpy (install python3-skimage via scripts/install-deps.sh --tests)";
  const fs::path dir = fs::temp_directory_path() / ("ck_regionprops_oracle_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path masks = fs::path(CK_SOURCE_DIR) / "data/samples/masks";
  size_t n_files = 0, n_objects = 0;
  for (const auto& e : fs::directory_iterator(masks)) {
    if (e.path().extension() != ".png") continue;
    const LabelImage labels = to_label_image(decode_image_file(e.path().string()).at(0));
    const FloatPlane inten =
        decode_image_file((fs::path(CK_SOURCE_DIR) / "data/samples/images" / e.path().filename()).string()).at(0).channel(0);
    ASSERT_EQ(inten.height, labels.height);
    test::write_npy((dir / "l.npy").string(), labels);
    test::write_npy((dir / "i.npy").string(), inten);
    ASSERT_EQ(std::system((py + " " + CK_SOURCE_DIR + "/tests/postprocess/skimage_regionprops.py " + (dir / "l.npy").string() +
                           " " + (dir / "i.npy").string() + " " + (dir / "r.csv").string()).c_str()), 0);
    const auto got = region_props(labels, &inten);
    std::ifstream f(dir / "r.csv");
    std::string line;
    std::getline(f, line);  // header
    size_t i = 0;
    while (std::getline(f, line)) {
      std::vector<double> v;
      std::stringstream ss(line);
      for (std::string cell; std::getline(ss, cell, ',');) v.push_back(std::stod(cell));
      ASSERT_EQ(v.size(), 10u);
      ASSERT_LT(i, got.size());
      const ObjectProps& o = got[i++];
      const std::string where = e.path().filename().string() + " label " + std::to_string(o.label);
      ASSERT_EQ(o.label, static_cast<uint32_t>(v[0])) << where;
      EXPECT_EQ(o.area_px, static_cast<int64_t>(v[1])) << where;
      EXPECT_NEAR(o.centroid_y, v[2], 1e-9) << where;
      EXPECT_NEAR(o.centroid_x, v[3], 1e-9) << where;
      EXPECT_NEAR(o.perimeter_px, v[4], 1e-9) << where;
      EXPECT_NEAR(o.eccentricity, v[5], 1e-9) << where;
      EXPECT_NEAR(o.solidity, v[6], 1e-12) << where;
      EXPECT_NEAR(o.equivalent_diameter_px, v[7], 1e-9) << where;
      EXPECT_NEAR(o.mean_intensity, v[8], 1e-4 * std::max(1.0, std::fabs(v[8]))) << where;
      EXPECT_DOUBLE_EQ(o.max_intensity, v[9]) << where;
    }
    EXPECT_EQ(i, got.size()) << e.path();
    ++n_files;
    n_objects += got.size();
  }
  fs::remove_all(dir);
  EXPECT_EQ(n_files, 5u);
  EXPECT_GT(n_objects, 100u);
  std::printf("regionprops oracle: %zu objects in %zu masks\n", n_objects, n_files);
}

}  // namespace
}  // namespace ck
