#include "model/network.h"

namespace ck {

namespace F = torch::nn::functional;

int NetConfig::receptive_field() const {
  // Each 3×3 conv at level k adds 2·2^k px; each 2×2 pool at level k adds 2^k (stride 2^k, kernel 2).
  int rf = 1;
  const int L = static_cast<int>(widths.size());
  for (int k = 0; k < L; ++k) {
    rf += 2 * 2 * (1 << k);            // two 3×3 convs in the encoder
    if (k + 1 < L) rf += (1 << k);      // pooling to the next level
  }
  for (int k = L - 2; k >= 0; --k) rf += 2 * (1 << k);  // one 3×3 conv per decoder level
  return rf;
}

double NetConfig::gflop_per_mp() const {
  double flop = 0;  // per input pixel
  const int L = static_cast<int>(widths.size());
  for (int k = 0; k < L; ++k) {
    const double px = 1.0 / double(1 << (2 * k));
    const int in = k == 0 ? in_channels : widths[k - 1];
    flop += 2.0 * 9 * in * widths[k] * px + 2.0 * 9 * widths[k] * widths[k] * px;
    if (k + 1 < L) {
      flop += 2.0 * widths[k + 1] * widths[k] * px / 4;  // lateral 1×1 at level k+1
      flop += 2.0 * 9 * widths[k] * widths[k] * px;    // decoder 3×3
    }
  }
  flop += 2.0 * widths[0] * static_cast<int>(kNumOutputs);
  return flop * 1e6 / 1e9;
}

NucleusNetImpl::Block NucleusNetImpl::make_block(const std::string& name, int in, int out) {
  Block b;
  b.conv = register_module(name + "_conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1).bias(true)));
  b.bn = register_module(name + "_bn", torch::nn::BatchNorm2d(out));
  return b;
}

NucleusNetImpl::NucleusNetImpl(NetConfig cfg) : cfg_(std::move(cfg)) {
  TORCH_CHECK(!cfg_.widths.empty(), "NucleusNet: empty widths");
  const int L = static_cast<int>(cfg_.widths.size());
  for (int k = 0; k < L; ++k) {
    const int in = k == 0 ? cfg_.in_channels : cfg_.widths[k - 1];
    enc_a_.push_back(make_block("enc" + std::to_string(k) + "a", in, cfg_.widths[k]));
    enc_b_.push_back(make_block("enc" + std::to_string(k) + "b", cfg_.widths[k], cfg_.widths[k]));
  }
  for (int k = 0; k + 1 < L; ++k) {
    lateral_.push_back(register_module("lat" + std::to_string(k),
                                       torch::nn::Conv2d(torch::nn::Conv2dOptions(cfg_.widths[k + 1], cfg_.widths[k], 1))));
    dec_.push_back(make_block("dec" + std::to_string(k), cfg_.widths[k], cfg_.widths[k]));
  }
  head_ = register_module("head", torch::nn::Conv2d(torch::nn::Conv2dOptions(cfg_.widths[0], kNumOutputs, 1)));
}

torch::Tensor NucleusNetImpl::run(Block& b, const torch::Tensor& x) {
  auto y = b.conv->forward(x);
  if (!folded_) y = b.bn->forward(y);
  return torch::relu_(y);
}

torch::Tensor NucleusNetImpl::forward(torch::Tensor x) {
  const int L = static_cast<int>(cfg_.widths.size());
  TORCH_CHECK(x.dim() == 4 && x.size(1) == cfg_.in_channels, "NucleusNet: expected N×", cfg_.in_channels, "×H×W input");
  TORCH_CHECK(x.size(2) % cfg_.multiple() == 0 && x.size(3) % cfg_.multiple() == 0,
              "NucleusNet: H and W must be multiples of ", cfg_.multiple());
  std::vector<torch::Tensor> skips;
  for (int k = 0; k < L; ++k) {
    if (k > 0) x = F::max_pool2d(x, F::MaxPool2dFuncOptions(2));
    x = run(enc_b_[k], run(enc_a_[k], x));
    skips.push_back(x);
  }
  for (int k = L - 2; k >= 0; --k) {
    // 1×1 lateral projection at the coarse level, then upsampling (the two commute; this order is cheaper).
    auto up = F::interpolate(lateral_[k]->forward(x), F::InterpolateFuncOptions()
                                    .size(std::vector<int64_t>{skips[k].size(2), skips[k].size(3)})
                                    .mode(torch::kBilinear)
                                    .align_corners(false));
    x = run(dec_[k], up + skips[k]);
  }
  auto out = head_->forward(x);
  auto dist = torch::sigmoid(out.slice(1, 0, 2));
  return torch::cat({dist, out.slice(1, 2, 3)}, 1);
}

int64_t NucleusNetImpl::parameter_count() const {
  int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

void NucleusNetImpl::fold_batchnorm() {
  if (folded_) return;
  torch::NoGradGuard ng;
  auto fold = [](Block& b) {
    auto& bn = b.bn;
    auto scale = bn->weight / torch::sqrt(bn->running_var + bn->options.eps());
    b.conv->weight.mul_(scale.view({-1, 1, 1, 1}));
    b.conv->bias.copy_((b.conv->bias - bn->running_mean) * scale + bn->bias);
  };
  for (auto& b : enc_a_) fold(b);
  for (auto& b : enc_b_) fold(b);
  for (auto& b : dec_) fold(b);
  folded_ = true;
}

}  // namespace ck
