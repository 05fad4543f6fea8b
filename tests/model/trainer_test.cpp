// Training smoke test on real data: a few steps, checkpoints, model card, resume.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "train/dataset.h"
#include "model/predictor.h"
#include "train/trainer.h"

using namespace ck;
namespace fs = std::filesystem;

TEST(ModelTrainer, FewStepsWriteCheckpointsAndResume) {
  const fs::path out = fs::temp_directory_path() / "ck_trainer_test";
  fs::remove_all(out);
  TrainOptions o;
  o.data_dir = CK_SHARED_DATA "/dsb2018-fluo";
  o.out_dir = out.string();
  o.steps = 4;
  o.batch = 2;
  o.augment.crop = 64;
  o.val_every = 2;
  o.max_train_images = 3;
  o.max_val_images = 2;
  o.widths = {8, 16, 32};
  o.threads = 2;
  const TrainResult r = train_model(o);
  EXPECT_EQ(r.steps_done, 4);
  for (const char* f : {"last.pt", "last-optim.pt", "state.json", "log.tsv", "val.txt"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  // log.tsv: header + one line per validation (steps 2 and 4)
  std::ifstream log(out / "log.tsv");
  int lines = 0;
  for (std::string l; std::getline(log, l);) ++lines;
  EXPECT_EQ(lines, 3);

  // Resume to 6 steps: continues from step 4 (one more validation line at step 6).
  o.steps = 6;
  o.resume = true;
  train_model(o);
  std::ifstream log2(out / "log.tsv");
  lines = 0;
  std::string last;
  for (std::string l; std::getline(log2, l);) ++lines, last = l;
  EXPECT_EQ(lines, 4);
  EXPECT_EQ(last.substr(0, 2), "6\t");
  fs::remove_all(out);
}

TEST(ModelDataset, CropsHaveTheRequestedSizeAndConsistentTargets) {
  const auto names = read_split(CK_SHARED_DATA "/dsb2018-fluo/splits/train.txt");
  ASSERT_EQ(names.size(), 438u);
  const auto data = load_labeled_images(CK_SHARED_DATA "/dsb2018-fluo", {names[0]});
  std::mt19937_64 rng(3);
  AugmentOptions a;
  a.crop = 96;
  for (int i = 0; i < 5; ++i) {
    const TrainingSample s = sample_crop(data[0], a, rng);
    ASSERT_EQ(s.image.height, 96);
    ASSERT_EQ(s.targets.outer.width, 96);
    for (size_t k = 0; k < s.image.size(); ++k) {
      // inner/outer are positive exactly on the foreground
      EXPECT_EQ(s.targets.foreground.data[k] > 0, s.targets.outer.data[k] > 0);
      EXPECT_EQ(s.targets.foreground.data[k] > 0, s.targets.inner.data[k] > 0);
    }
  }
  EXPECT_THROW(read_split("/nonexistent/split.txt"), std::runtime_error);
}
