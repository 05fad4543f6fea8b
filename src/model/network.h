#pragma once
// NucleusNet: the deep-watershed nuclear segmentation network (a small U-Net / FPN-style feature net).
// Source: Bannon et al. 2021 (DeepCell Kiosk) deep watershed heads; Ronneberger et al. 2015 (U-Net) layout.
#include <torch/torch.h>

#include <vector>

namespace ck {

/// Architecture of NucleusNet; stored in the model manifest so weights can be rebuilt.
struct NetConfig {
  int in_channels = 1;
  std::vector<int> widths = {12, 24, 48, 96, 192};  ///< channels per level; level k runs at 1/2^k resolution
  /// Input H and W must be multiples of this (2^(levels-1)).
  int multiple() const { return 1 << (static_cast<int>(widths.size()) - 1); }
  /// Theoretical receptive field (px at input resolution) of one output pixel.
  int receptive_field() const;
  /// Forward cost in GFLOP per megapixel of input (2 FLOP per multiply-add, convolutions only).
  double gflop_per_mp() const;
};

/// Output channels of NucleusNet, in order.
enum NetOutput : int { kInner = 0, kOuter = 1, kForeground = 2, kNumOutputs = 3 };

/// Encoder: per level two 3×3 conv+BN+ReLU (max-pool 2×2 between levels). Decoder: 1×1 projection of the
/// coarser level, bilinear ×2 upsampling, added to the encoder feature of the same level, one 3×3 conv+BN+ReLU.
/// Heads: 1×1 conv to 3 maps: inner distance, outer distance (sigmoid in [0,1]) and foreground logit.
/// forward: N×C×H×W float32 (H, W multiples of config.multiple()) -> N×3×H×W
/// (inner, outer already sigmoid-activated; foreground a logit). Throws c10::Error on bad shapes.
class NucleusNetImpl : public torch::nn::Module {
 public:
  explicit NucleusNetImpl(NetConfig cfg = {});
  torch::Tensor forward(torch::Tensor x);
  const NetConfig& config() const { return cfg_; }
  /// Number of trainable parameters.
  int64_t parameter_count() const;
  /// Folds every BatchNorm into the preceding convolution (inference only; call after eval()).
  /// Output is unchanged up to float rounding; removes the BN passes (speed).
  void fold_batchnorm();

 private:
  struct Block {
    torch::nn::Conv2d conv{nullptr};
    torch::nn::BatchNorm2d bn{nullptr};
  };
  torch::Tensor run(Block& b, const torch::Tensor& x);
  Block make_block(const std::string& name, int in, int out);

  NetConfig cfg_;
  std::vector<Block> enc_a_, enc_b_, dec_;
  std::vector<torch::nn::Conv2d> lateral_;
  torch::nn::Conv2d head_{nullptr};
  bool folded_ = false;
};
TORCH_MODULE(NucleusNet);

}  // namespace ck
