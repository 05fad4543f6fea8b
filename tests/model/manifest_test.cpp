// Model card: JSON round trip, errors, lookup by name.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "model/manifest.h"

using namespace ck;
namespace fs = std::filesystem;

TEST(ModelManifest, JsonRoundTripKeepsEveryField) {
  ModelManifest m;
  m.name = "nuclear";
  m.version = "7";
  m.widths = {8, 16, 32};
  m.mpp = 0.5;
  m.tile_size = 256;
  m.overlap = 32;
  m.receptive_field = 77;
  m.nucleus_diameter_px = 14.5;
  m.postprocess.maxima_threshold = 0.07f;
  m.postprocess.radius = 4;
  m.postprocess.interior_threshold = 0.2f;
  m.extra["metrics"] = {{"test", {{"f1", 0.9}}}};
  const auto back = manifest_from_json(to_json(m));
  EXPECT_EQ(back.version, "7");
  EXPECT_EQ(back.widths, (std::vector<int>{8, 16, 32}));
  EXPECT_DOUBLE_EQ(back.mpp, 0.5);
  EXPECT_EQ(back.tile_size, 256);
  EXPECT_EQ(back.overlap, 32);
  EXPECT_EQ(back.receptive_field, 77);
  EXPECT_FLOAT_EQ(back.postprocess.maxima_threshold, 0.07f);
  EXPECT_EQ(back.postprocess.radius, 4);
  EXPECT_FLOAT_EQ(back.postprocess.interior_threshold, 0.2f);
  EXPECT_DOUBLE_EQ(back.extra["metrics"]["test"]["f1"].get<double>(), 0.9);
  EXPECT_EQ(to_json(back), to_json(m));
}

TEST(ModelManifest, ErrorsNameTheFileAndField) {
  const fs::path dir = fs::temp_directory_path() / "ck_manifest_test";
  fs::create_directories(dir);
  std::ofstream(dir / "model.json") << R"({"name": "x", "version": "1"})";
  try {
    read_manifest(dir.string());
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("model.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("widths"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "model.json") << "{not json";
  EXPECT_THROW(read_manifest(dir.string()), std::runtime_error);
  EXPECT_THROW(find_model("no-such-model-name"), std::runtime_error);
  fs::remove_all(dir);
}

TEST(ModelManifest, ShippedModelIsFoundByName) {
  const ModelManifest m = find_model("nuclear");
  EXPECT_EQ(m.name, "nuclear");
  EXPECT_TRUE(fs::exists(m.weights_path())) << m.weights_path();
  EXPECT_GT(m.receptive_field, 41);
}
