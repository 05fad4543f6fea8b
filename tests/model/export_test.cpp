// Serving exports of the shipped model (scripts/export_model.py): the TorchScript file must compute the same
// N×3×H×W maps as the C++ NucleusNet with the shipped weights, and model.json must name the exported files.
// A failure after new weights land usually means the exports are stale: rerun
//   /usr/bin/python3 scripts/export_model.py models/nuclear
#include <gtest/gtest.h>
#include <torch/script.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "image/io.h"
#include "model/manifest.h"
#include "model/network.h"
#include "preprocess/channel.h"
#include "preprocess/normalize.h"

using namespace ck;
namespace fs = std::filesystem;

namespace {

const std::string kTorchScript = CK_SOURCE_DIR "/models/nuclear/nuclear.torchscript.pt";

/// The shipped C++ network in eval mode.
NucleusNet shipped_net(const ModelManifest& m) {
  NucleusNet net(NetConfig{m.in_channels, m.widths});
  torch::load(net, m.weights_path());
  net->eval();
  return net;
}

/// First DSB 2018 test image, percentile-normalized as the model card says, cropped to 128×160: 1×1×128×160.
torch::Tensor dsb_input(const ModelManifest& m) {
  const std::string path = CK_SHARED_DATA
      "/dsb2018-fluo/images/00071198d059ba7f5914a526d124d28e6d010c92466da21d4a04cd5413362552.png";
  auto img = normalize_percentile(select_channel(decode_image_file(path).at(0), 0), m.norm_low_percentile,
                                  m.norm_high_percentile);
  EXPECT_GE(img.height, 128);
  EXPECT_GE(img.width, 160);
  auto t = torch::from_blob(img.data.data(), {1, 1, img.height, img.width}, torch::kFloat32).clone();
  return t.slice(2, 0, 128).slice(3, 0, 160).contiguous();
}

/// Max |a - b| per output channel (inner, outer, foreground logit).
std::vector<float> channel_max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  std::vector<float> d;
  for (int c = 0; c < kNumOutputs; ++c) d.push_back((a.select(1, c) - b.select(1, c)).abs().max().item<float>());
  return d;
}

}  // namespace

TEST(ModelExport, ManifestNamesExistingExportFiles) {
  const ModelManifest m = find_model("nuclear");
  ASSERT_TRUE(m.extra.contains("exports")) << "model.json has no \"exports\"; run scripts/export_model.py";
  const auto& e = m.extra["exports"];
  EXPECT_EQ(e.at("torchscript").get<std::string>(), "nuclear.torchscript.pt");
  EXPECT_EQ(e.at("onnx").get<std::string>(), "nuclear.onnx");
  EXPECT_EQ(e.at("opset").get<int>(), 13);
  EXPECT_TRUE(fs::is_regular_file(fs::path(m.dir) / e.at("torchscript").get<std::string>()));
  EXPECT_TRUE(fs::is_regular_file(fs::path(m.dir) / e.at("onnx").get<std::string>()));
  EXPECT_GT(fs::file_size(fs::path(m.dir) / e.at("onnx").get<std::string>()), 1000000u);  // weights inside
}

TEST(ModelExport, TorchScriptMatchesCppNetOnDsbImage) {
  const ModelManifest m = find_model("nuclear");
  auto net = shipped_net(m);
  auto ts = torch::jit::load(kTorchScript, torch::kCPU);
  ts.eval();
  torch::NoGradGuard ng;
  const auto x = dsb_input(m);
  const auto ref = net->forward(x);
  const auto got = ts.forward({x}).toTensor();
  ASSERT_EQ(got.sizes(), (std::vector<int64_t>{1, 3, 128, 160}));
  const auto d = channel_max_abs_diff(got, ref);
  std::printf("max |torchscript - C++|: inner %.3g, outer %.3g, foreground logit %.3g\n", d[0], d[1], d[2]);
  EXPECT_LT(d[kInner], 1e-4f);
  EXPECT_LT(d[kOuter], 1e-4f);
  EXPECT_LT(d[kForeground], 1e-4f);  // both are logits: no sigmoid on the foreground channel
  // The real image produces a non-trivial foreground (the comparison is not between two constant maps).
  EXPECT_GT(ref.select(1, kForeground).max().item<float>() - ref.select(1, kForeground).min().item<float>(), 1.0f);
}

TEST(ModelExport, TorchScriptHasDynamicBatchAndSize) {
  const ModelManifest m = find_model("nuclear");
  auto net = shipped_net(m);
  auto ts = torch::jit::load(kTorchScript, torch::kCPU);
  ts.eval();
  torch::NoGradGuard ng;
  torch::manual_seed(3);
  const auto x = torch::rand({2, 1, 64, 96}) * 1.2;
  const auto got = ts.forward({x}).toTensor();
  ASSERT_EQ(got.sizes(), (std::vector<int64_t>{2, 3, 64, 96}));
  for (float d : channel_max_abs_diff(got, net->forward(x))) EXPECT_LT(d, 1e-4f);
  // Same shape contract as the C++ net: H, W multiples of 16.
  EXPECT_ANY_THROW(ts.forward({torch::rand({1, 1, 50, 64})}));
}

TEST(ModelExport, TorchScriptEmbedsTheModelCard) {
  torch::jit::ExtraFilesMap extra{{"model.json", ""}};
  torch::jit::load(kTorchScript, torch::kCPU, extra);
  const auto card = nlohmann::json::parse(extra.at("model.json"));
  EXPECT_EQ(card.at("name").get<std::string>(), "nuclear");
  EXPECT_EQ(card.at("widths").get<std::vector<int>>(), find_model("nuclear").widths);
  EXPECT_EQ(card.at("exports").at("torchscript").get<std::string>(), "nuclear.torchscript.pt");
}
