// In-process LibTorch predictor: tiles the image, runs NucleusNet in inference mode, blends the tiles back.
#include <torch/torch.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "model/manifest.h"
#include "model/network.h"
#include "model/predictor.h"
#include "model/torch_predictor.h"
#include "preprocess/tiling.h"
#include "preprocess/untile.h"

namespace ck {

namespace {

class TorchPredictor final : public Predictor {
 public:
  /// Weights from `weights` (torch::save format) when given, else from the manifest's weights file.
  TorchPredictor(const ModelManifest& m, const TorchPredictorOptions& opt, std::istream* weights = nullptr) : opt_(opt) {
    if (opt.device == "cuda") {
      if (!torch::cuda::is_available())
        throw std::runtime_error("--device cuda requested but this LibTorch build has no usable CUDA device");
      device_ = torch::Device(torch::kCUDA);
    } else if (opt.device != "cpu") {
      throw std::runtime_error("unknown device '" + opt.device + "' (use cpu or cuda)");
    }
    NetConfig cfg;
    cfg.in_channels = m.in_channels;
    cfg.widths = m.widths;
    net_ = NucleusNet(cfg);
    const std::string w = weights ? std::string("in-memory weights") : m.weights_path();
    if (!weights && !std::filesystem::exists(w)) throw std::runtime_error(w + ": model weights not found");
    try {
      if (weights) torch::load(net_, *weights);
      else torch::load(net_, w);
    } catch (const c10::Error& e) {
      throw std::runtime_error(w + ": weights do not fit the manifest's architecture (" +
                               std::string(e.what_without_backtrace()).substr(0, 200) + ")");
    }
    net_->eval();
    net_->fold_batchnorm();
    net_->to(device_);
    if (device_.is_cpu()) {
      torch::NoGradGuard ng;
      for (auto& p : net_->parameters())
        if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
    }
    multiple_ = cfg.multiple();
    tile_ = std::max(multiple_, (m.tile_size / multiple_) * multiple_);
    if (opt.tile_size > 0) tile_ = std::max(multiple_, (opt.tile_size / multiple_) * multiple_);
    overlap_ = opt.overlap >= 0 ? opt.overlap : m.overlap;
    if (opt.threads > 0) torch::set_num_threads(opt.threads);
  }

  ModelOutputs predict(const FloatPlane& img) override {
    if (img.height < 1 || img.width < 1) throw std::runtime_error("cannot predict on an empty image");
    const int tile = balanced_tile(img.height, img.width);
    // An image that fits one tile needs no overlap (and a tile of 16 px cannot overlap by 64).
    const TilePlan plan = plan_tiles(img.height, img.width, tile, std::min(overlap_, tile - multiple_), multiple_);
    // Only the two maps deep watershed uses are blended back; the foreground head serves training only.
    constexpr int kUsed = 2;  // kInner, kOuter
    Untiler untiler(plan, kUsed);
    torch::InferenceMode guard;
    const int64_t th = plan.tile_h, tw = plan.tile_w;
    const size_t per_tile = static_cast<size_t>(th * tw);
    // Batch tiles so that one forward stays around 1 MP (bounded memory).
    const size_t batch = std::max<size_t>(1, (1u << 20) / per_tile);
    std::vector<float> buf;
    for (size_t i = 0; i < plan.tiles.size(); i += batch) {
      const size_t n = std::min(batch, plan.tiles.size() - i);
      buf.resize(n * per_tile);
      for (size_t k = 0; k < n; ++k) extract_tile(img, plan.tiles[i + k], buf.data() + k * per_tile);
      auto x = torch::from_blob(buf.data(), {static_cast<int64_t>(n), 1, th, tw}, torch::kFloat32);
      x = device_.is_cpu() ? x.contiguous(torch::MemoryFormat::ChannelsLast) : x.to(device_);
      auto y = net_->forward(x);
      y = y.slice(1, 0, kUsed).to(torch::kCPU).contiguous();
      const float* yp = y.data_ptr<float>();
      for (size_t k = 0; k < n; ++k) untiler.add(plan.tiles[i + k], yp + k * kUsed * per_tile);
    }
    auto planes = untiler.finish();
    return {std::move(planes[kInner]), std::move(planes[kOuter])};
  }

 private:
  /// Square tile size (a multiple of the network's stride, at most tile_) that covers the image with the fewest
  /// tiles and the least padding: with n tiles per axis, ceil((size + (n-1)·overlap) / n) rounded up. A 696×520
  /// image with tile_ = 1024 runs as one 704 px tile instead of a padded 1024 px one.
  int balanced_tile(int h, int w) const {
    auto per_axis = [&](int n_px) {
      const int n = n_px <= tile_ ? 1 : (n_px - overlap_ + (tile_ - overlap_) - 1) / (tile_ - overlap_);
      const int t = (n_px + (n - 1) * overlap_ + n - 1) / n;
      return std::min(tile_, (t + multiple_ - 1) / multiple_ * multiple_);
    };
    return std::max(per_axis(h), per_axis(w));
  }

  TorchPredictorOptions opt_;
  torch::Device device_{torch::kCPU};
  NucleusNet net_{nullptr};
  int multiple_ = 16, tile_ = 512, overlap_ = 64;
};

}  // namespace

std::unique_ptr<Predictor> make_torch_predictor(const ModelManifest& manifest, const TorchPredictorOptions& opt) {
  return std::make_unique<TorchPredictor>(manifest, opt);
}

std::unique_ptr<Predictor> make_torch_predictor(const NucleusNet& net, const ModelManifest& manifest,
                                                const TorchPredictorOptions& opt) {
  std::stringstream weights;
  torch::save(net, weights);  // a copy in memory: the predictor folds BatchNorm without touching `net`
  return std::make_unique<TorchPredictor>(manifest, opt, &weights);
}

}  // namespace ck
