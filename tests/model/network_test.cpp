// NucleusNet: shapes, cost figures, BatchNorm folding.
#include <gtest/gtest.h>

#include "model/network.h"

using namespace ck;

TEST(ModelNetwork, OutputShapeAndRanges) {
  torch::manual_seed(0);
  NucleusNet net(NetConfig{});
  net->eval();
  torch::NoGradGuard ng;
  auto y = net->forward(torch::rand({2, 1, 64, 96}));
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{2, 3, 64, 96}));
  // inner and outer distances are sigmoid outputs in (0, 1)
  EXPECT_GT(y.slice(1, 0, 2).min().item<float>(), 0.0f);
  EXPECT_LT(y.slice(1, 0, 2).max().item<float>(), 1.0f);
}

TEST(ModelNetwork, RejectsSizesThatAreNotMultiples) {
  NucleusNet net(NetConfig{});
  EXPECT_THROW(net->forward(torch::rand({1, 1, 50, 64})), c10::Error);
  EXPECT_THROW(net->forward(torch::rand({1, 2, 64, 64})), c10::Error);
}

TEST(ModelNetwork, CostFigures) {
  NetConfig cfg;  // widths 12,24,48,96,192
  EXPECT_EQ(cfg.multiple(), 16);
  EXPECT_GE(cfg.receptive_field(), 41);  // the seed model's receptive field
  EXPECT_LE(cfg.gflop_per_mp(), 30.0);   // the budget
  NucleusNet net(cfg);
  EXPECT_EQ(net->parameter_count(), 799995);
}

TEST(ModelNetwork, FoldingBatchNormKeepsTheOutput) {
  torch::manual_seed(1);
  NucleusNet net(NetConfig{});
  // Give BatchNorm non-trivial statistics with a few training-mode passes.
  for (int i = 0; i < 3; ++i) net->forward(torch::rand({2, 1, 32, 32}) * 3);
  net->eval();
  torch::NoGradGuard ng;
  auto x = torch::rand({1, 1, 48, 64});
  auto before = net->forward(x);
  net->fold_batchnorm();
  auto after = net->forward(x);
  EXPECT_LT((before - after).abs().max().item<float>(), 1e-4);
}
