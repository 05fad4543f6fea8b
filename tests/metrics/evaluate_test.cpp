#include "metrics/evaluate.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "image/io.h"
#include "label_fixtures.h"

namespace ck {
namespace {

namespace fs = std::filesystem;
using test::fill_rect;

// A fresh temporary folder per test, removed afterwards.
class EvaluateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() / ("ck_metrics_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "pred");
    fs::create_directories(root_ / "gt");
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string pred(const std::string& f = "") const { return (root_ / "pred" / f).string(); }
  std::string gt(const std::string& f = "") const { return (root_ / "gt" / f).string(); }
  fs::path root_;
};

// Label image as a 16-bit gray PNG.
void write_label_png(const std::string& path, const LabelImage& l) {
  Raster r = Raster::make(l.height, l.width, 1, DType::U16);
  for (int y = 0; y < l.height; ++y)
    for (int x = 0; x < l.width; ++x) r.set(y, x, 0, l(y, x));
  write_png(path, r);
}

LabelImage two_squares() {
  LabelImage l(20, 40);
  fill_rect(l, 2, 2, 10, 10, 1);
  fill_rect(l, 5, 20, 10, 10, 2);
  return l;
}

TEST(LabelImageName, StripsExtensionAndLabelsSuffix) {
  EXPECT_EQ(label_image_name("/a/b/x_labels.tif"), "x");
  EXPECT_EQ(label_image_name("x.png"), "x");
  EXPECT_EQ(label_image_name("c.ome.tif"), "c.ome");
  EXPECT_EQ(label_image_name("_labels.tif"), "_labels");
}

TEST_F(EvaluateTest, PairsByNameAndReportsUnpaired) {
  const LabelImage l = two_squares();
  write_label_tiff(pred("x_labels.tif"), l);
  write_label_tiff(pred("y_labels.tif"), l);
  write_label_png(gt("x.png"), l);
  write_label_png(gt("z.png"), l);
  std::ofstream(gt("notes.txt")) << "not an image";
  const FilePairing p = pair_label_files(pred(), gt());
  ASSERT_EQ(p.pairs.size(), 1u);
  EXPECT_EQ(p.pairs[0].name, "x");
  EXPECT_EQ(fs::path(p.pairs[0].pred_path).filename(), "x_labels.tif");
  EXPECT_EQ(fs::path(p.pairs[0].gt_path).filename(), "x.png");
  ASSERT_EQ(p.unpaired.size(), 2u);
  EXPECT_EQ(p.unpaired[0].side, "gt");
  EXPECT_EQ(fs::path(p.unpaired[0].path).filename(), "z.png");
  EXPECT_EQ(p.unpaired[1].side, "pred");
  EXPECT_EQ(fs::path(p.unpaired[1].path).filename(), "y_labels.tif");

  const EvaluationReport r = evaluate_paths(pred(), gt());
  EXPECT_EQ(r.n_images, 1);
  EXPECT_EQ(r.totals.f1(), 1.0);
  const nlohmann::json j = to_json(r);
  EXPECT_EQ(j["unpaired"].size(), 2u);
  EXPECT_EQ(j["unpaired"][0]["side"], "gt");
  EXPECT_EQ(j["tp"], 2);
}

TEST_F(EvaluateTest, NoPairOrMissingPathThrows) {
  write_label_tiff(pred("a.tif"), two_squares());
  write_label_tiff(gt("b.tif"), two_squares());
  EXPECT_THROW(evaluate_paths(pred(), gt()), std::runtime_error);
  EXPECT_THROW(evaluate_paths(pred(), (root_ / "nope").string()), std::runtime_error);
}

TEST_F(EvaluateTest, SingleFilesArePairedDirectly) {
  LabelImage p = two_squares();
  fill_rect(p, 5, 20, 10, 10, 0);  // drop object 2
  write_label_tiff(pred("anything.tif"), p);
  write_label_png(gt("img.png"), two_squares());
  const EvaluationReport r = evaluate_paths(pred("anything.tif"), gt("img.png"));
  ASSERT_EQ(r.images.size(), 1u);
  EXPECT_EQ(r.images[0].name, "img");
  EXPECT_EQ(r.totals.at50().tp, 1);
  EXPECT_EQ(r.totals.at50().fn, 1);
  EXPECT_DOUBLE_EQ(r.totals.recall(), 0.5);
}

TEST_F(EvaluateTest, ShapeMismatchAndBadFileBecomeErrorEntries) {
  write_label_tiff(pred("good.tif"), two_squares());
  write_label_tiff(gt("good.tif"), two_squares());
  write_label_tiff(pred("small.tif"), LabelImage(5, 5, 1));
  write_label_tiff(gt("small.tif"), two_squares());
  std::ofstream(pred("broken.png")) << "garbage";
  write_label_tiff(gt("broken.tif"), two_squares());
  const EvaluationReport r = evaluate_paths(pred(), gt());
  ASSERT_EQ(r.images.size(), 3u);
  EXPECT_EQ(r.n_images, 1);
  EXPECT_EQ(r.n_errors, 2);
  const nlohmann::json j = to_json(r);
  EXPECT_EQ(j["n_images"], 1);
  EXPECT_EQ(j["f1"], 1.0);
  // sorted by name: broken, good, small
  EXPECT_TRUE(j["per_image"][0].contains("error"));
  EXPECT_FALSE(j["per_image"][1].contains("error"));
  EXPECT_NE(j["per_image"][2]["error"].get<std::string>().find("shapes differ"), std::string::npos);
  EXPECT_NE(to_text(r).find("ERROR"), std::string::npos);
}

TEST(EvaluateJson, HasEveryDocumentedField) {
  LabelImage g = two_squares(), p(20, 40);
  fill_rect(p, 2, 3, 10, 10, 8);  // IoU 9/11 with object 1; object 2 missed
  const EvaluationReport r = evaluate_label_images({"a", "b"}, {g, g}, {p, g});
  const nlohmann::json j = to_json(r);
  for (const char* k : {"f1", "precision", "recall", "mean_ap", "ap", "tp", "fp", "fn", "taxonomy", "dice",
                        "jaccard", "n_images", "unpaired", "per_image", "mean_ap_by_image", "f1_by_image"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["ap"].size(), 10u);
  EXPECT_TRUE(j["ap"].contains("0.50"));
  EXPECT_TRUE(j["ap"].contains("0.95"));
  EXPECT_EQ(j["tp"], 3);
  EXPECT_EQ(j["fn"], 1);
  EXPECT_EQ(j["fp"], 0);
  EXPECT_DOUBLE_EQ(j["f1"].get<double>(), 6.0 / 7.0);  // pooled: 2·3 / (2·3 + 0 + 1)
  EXPECT_DOUBLE_EQ(j["f1_by_image"].get<double>(), (2.0 / 3.0 + 1.0) / 2.0);
  EXPECT_DOUBLE_EQ(j["ap"]["0.80"].get<double>(), 3.0 / 4.0);
  EXPECT_DOUBLE_EQ(j["ap"]["0.85"].get<double>(), 2.0 / 5.0);
  EXPECT_EQ(j["taxonomy"]["correct"], 3);
  EXPECT_EQ(j["taxonomy"]["missed"], 1);
  EXPECT_EQ(j["per_image"][0]["name"], "a");
  EXPECT_EQ(j["per_image"][0]["n_true"], 2);
  EXPECT_EQ(j["per_image"][0]["n_pred"], 1);
  const std::string text = to_text(r);
  EXPECT_NE(text.find("TOTAL (2 images)"), std::string::npos);
}

// Real data: a DSB 2018 mask scored against itself, and against a copy with one nucleus deleted.
TEST_F(EvaluateTest, DsbMaskAgainstItselfAndWithOneNucleusDeleted) {
  const fs::path masks = fs::path(CK_SHARED_DATA) / "dsb2018-fluo" / "masks";
  if (!fs::is_directory(masks)) GTEST_SKIP() << "no DSB masks at " << masks;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(masks)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  const fs::path src = files.front();
  const std::string stem = src.stem().string();
  fs::copy_file(src, gt(stem + ".png"));
  const LabelImage truth = read_label_image(src.string());
  write_label_tiff(pred(stem + "_labels.tif"), truth);

  const EvaluationReport same = evaluate_paths(pred(), gt());
  ASSERT_EQ(same.n_images, 1);
  const int n = same.totals.n_true;
  EXPECT_GT(n, 1);
  EXPECT_EQ(same.totals.f1(), 1.0);
  EXPECT_EQ(same.totals.mean_ap(), 1.0);
  EXPECT_EQ(same.totals.taxonomy.correct, n);

  LabelImage cut = truth;
  const uint32_t victim = *std::max_element(cut.data.begin(), cut.data.end());
  for (auto& v : cut.data)
    if (v == victim) v = 0;
  write_label_tiff(pred(stem + "_labels.tif"), cut);
  const EvaluationReport one_less = evaluate_paths(pred(), gt());
  EXPECT_EQ(one_less.totals.at50().fn, 1);
  EXPECT_EQ(one_less.totals.at50().fp, 0);
  EXPECT_EQ(one_less.totals.at50().tp, n - 1);
  EXPECT_EQ(one_less.totals.taxonomy.missed, 1);
  EXPECT_EQ(one_less.totals.taxonomy.correct, n - 1);
  EXPECT_DOUBLE_EQ(one_less.totals.recall(), (n - 1.0) / n);
}

}  // namespace
}  // namespace ck
