#include "train/trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "metrics/matching.h"
#include "model/network.h"
#include "model/predictor.h"
#include "model/torch_predictor.h"
#include "train/tuning.h"
#include "postprocess/deep_watershed.h"

namespace fs = std::filesystem;

namespace ck {

namespace {

torch::Tensor plane_tensor(const FloatPlane& p) {
  return torch::from_blob(const_cast<float*>(p.data.data()), {1, p.height, p.width}, torch::kFloat32);
}

struct Batch {
  torch::Tensor x, inner, outer, fg, w;
};

/// Produces augmented batches on a background thread (overlaps augmentation with the optimizer step).
class BatchProducer {
 public:
  BatchProducer(const std::vector<LabeledImage>& data, const TrainOptions& opt, uint64_t seed)
      : data_(data), opt_(opt), rng_(seed), worker_([this] { loop(); }) {}
  ~BatchProducer() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }
  Batch next() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return !queue_.empty(); });
    Batch b = std::move(queue_.front());
    queue_.pop_front();
    cv_.notify_all();
    return b;
  }

 private:
  void loop() {
    while (true) {
      Batch b = make();
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [this] { return stop_ || queue_.size() < 3; });
      if (stop_) return;
      queue_.push_back(std::move(b));
      cv_.notify_all();
    }
  }
  Batch make() {
    std::vector<torch::Tensor> x, in, out, fg, w;
    std::uniform_int_distribution<size_t> pick(0, data_.size() - 1);
    for (int i = 0; i < opt_.batch; ++i) {
      TrainingSample s = sample_crop(data_[pick(rng_)], opt_.augment, rng_);
      x.push_back(plane_tensor(s.image).clone());
      in.push_back(plane_tensor(s.targets.inner).clone());
      out.push_back(plane_tensor(s.targets.outer).clone());
      fg.push_back(plane_tensor(s.targets.foreground).clone());
      w.push_back(plane_tensor(s.weight).clone());
    }
    return {torch::stack(x), torch::stack(in), torch::stack(out), torch::stack(fg), torch::stack(w)};
  }
  const std::vector<LabeledImage>& data_;
  const TrainOptions& opt_;
  std::mt19937_64 rng_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  bool stop_ = false;
  std::thread worker_;
};

double lr_at(const TrainOptions& o, int step) {
  const int warm = std::min(std::max(0, o.warmup), std::max(1, o.steps / 10));
  if (warm > 0 && step < warm) return o.lr * (step + 1) / warm;
  const double t = double(step - warm) / std::max(1, o.steps - warm);
  return o.lr * (0.01 + 0.99 * 0.5 * (1 + std::cos(M_PI * std::min(1.0, t))));
}

ModelManifest manifest_for(const TrainOptions& o) {
  ModelManifest m;
  m.name = o.name;
  m.version = o.version;
  m.widths = o.widths;
  NetConfig cfg;
  cfg.widths = o.widths;
  m.receptive_field = cfg.receptive_field();
  return m;
}

/// Validation: model outputs for every held-out image, then a small deep-watershed grid (the sigmoid
/// outputs never reach exactly 0, so the Kiosk's interior threshold 0.01 is not meaningful early in training).
/// Returns the best F1 at IoU 0.5 (TP/FP/FN summed over images) and the parameters that reached it.
TuningResult validate(NucleusNet& net, const TrainOptions& o, const std::vector<LabeledImage>& val, int threads) {
  net->eval();
  ModelManifest m = manifest_for(o);
  auto predictor = make_torch_predictor(net, m, TorchPredictorOptions{});  // in memory: no weights file
  std::vector<ModelOutputs> maps;
  std::vector<LabelImage> truth;
  for (const auto& v : val) {
    maps.push_back(predictor->predict(v.image));
    truth.push_back(v.labels);
  }
  net->train();
  TuningGrid grid;
  grid.maxima_thresholds = {0.1f};
  grid.radii = {3, 6};
  grid.interior_thresholds = {0.1f, 0.3f};
  return tune_postprocess(maps, truth, m.postprocess, grid, threads);
}

}  // namespace

TrainResult train_model(const TrainOptions& opt) {
  torch::set_num_threads(opt.threads > 0 ? opt.threads : std::max(1u, std::thread::hardware_concurrency()));
  torch::manual_seed(opt.seed);
  fs::create_directories(opt.out_dir);

  // Split: shuffle the train list with the seed, hold out val_fraction for validation (never the test split).
  auto names = read_split(opt.data_dir + "/splits/train.txt");
  std::mt19937_64 split_rng(opt.seed);
  std::shuffle(names.begin(), names.end(), split_rng);
  const size_t n_val = std::max<size_t>(1, static_cast<size_t>(names.size() * opt.val_fraction));
  std::vector<std::string> val_names(names.begin(), names.begin() + n_val), train_names(names.begin() + n_val, names.end());
  if (opt.max_train_images > 0 && train_names.size() > size_t(opt.max_train_images)) train_names.resize(opt.max_train_images);
  if (opt.max_val_images > 0 && val_names.size() > size_t(opt.max_val_images)) val_names.resize(opt.max_val_images);
  {
    std::ofstream vf(opt.out_dir + "/val.txt");
    for (const auto& n : val_names) vf << n << "\n";
  }
  std::fprintf(stderr, "train: loading %zu training + %zu validation images from %s\n", train_names.size(),
               val_names.size(), opt.data_dir.c_str());
  const auto train_data = load_labeled_images(opt.data_dir, train_names);
  const auto val_data = load_labeled_images(opt.data_dir, val_names);

  NetConfig cfg;
  cfg.widths = opt.widths;
  NucleusNet net(cfg);
  if (!opt.init_weights.empty()) {
    torch::load(net, opt.init_weights);
    std::fprintf(stderr, "train: initial weights from %s\n", opt.init_weights.c_str());
  }
  // Exponential moving average of the weights (Polyak averaging); validated and exported instead of the raw net.
  NucleusNet ema_net(cfg);
  const bool use_ema = opt.ema_decay > 0;
  auto copy_into_ema = [&] {
    torch::NoGradGuard ng;
    auto src = net->named_parameters(), dst = ema_net->named_parameters();
    for (auto& kv : src) dst[kv.key()].copy_(kv.value());
    auto sb = net->named_buffers(), db = ema_net->named_buffers();
    for (auto& kv : sb) db[kv.key()].copy_(kv.value());
  };
  auto update_ema = [&] {
    torch::NoGradGuard ng;
    auto src = net->named_parameters(), dst = ema_net->named_parameters();
    for (auto& kv : src) dst[kv.key()].mul_(opt.ema_decay).add_(kv.value(), 1.0 - opt.ema_decay);
    auto sb = net->named_buffers(), db = ema_net->named_buffers();
    for (auto& kv : sb) db[kv.key()].copy_(kv.value());  // BN statistics: the latest
  };
  if (use_ema) copy_into_ema();
  torch::optim::Adam optim(net->parameters(), torch::optim::AdamOptions(opt.lr).weight_decay(opt.weight_decay));

  TrainResult res;
  const std::string last = opt.out_dir + "/last.pt", last_optim = opt.out_dir + "/last-optim.pt",
                    last_ema = opt.out_dir + "/last-ema.pt", state_path = opt.out_dir + "/state.json";
  int start = 0;
  if (opt.resume && fs::exists(last) && fs::exists(state_path)) {
    torch::load(net, last);
    torch::load(optim, last_optim);
    if (use_ema) {
      if (fs::exists(last_ema)) torch::load(ema_net, last_ema);
      else copy_into_ema();
    }
    std::ifstream sf(state_path);
    const auto st = nlohmann::json::parse(sf);
    start = st.at("step").get<int>();
    res.best_val_f1 = st.value("best_val_f1", 0.0);
    res.best_step = st.value("best_step", 0);
    std::fprintf(stderr, "train: resumed at step %d (best val F1 %.4f at step %d)\n", start, res.best_val_f1, res.best_step);
  }
  std::fprintf(stderr, "train: NucleusNet widths=[%s] params=%lld GFLOP/MP=%.1f receptive field=%d px\n",
               [&] {
                 std::string s;
                 for (int w : opt.widths) {
                   if (!s.empty()) s += ',';
                   s += std::to_string(w);
                 }
                 return s;
               }().c_str(),
               static_cast<long long>(net->parameter_count()), cfg.gflop_per_mp(), cfg.receptive_field());

  std::ofstream log(opt.out_dir + "/log.tsv", std::ios::app);
  if (start == 0) log << "step\tloss\tlr\tval_f1\n";
  res.best_dir = opt.out_dir + "/best";
  fs::create_directories(res.best_dir);

  BatchProducer producer(train_data, opt, opt.seed * 7919 + start);
  net->train();
  const auto t0 = std::chrono::steady_clock::now();
  double ema = -1;
  for (int step = start; step < opt.steps; ++step) {
    for (auto& g : optim.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr_at(opt, step));
    Batch b = producer.next();
    auto y = net->forward(b.x);
    auto inner = y.select(1, kInner), outer = y.select(1, kOuter), fg = y.select(1, kForeground);
    // Pixel-weighted losses (weights 1 except on seams between touching nuclei when --border-weight > 0).
    const auto w = b.w.squeeze(1), wsum = w.sum();
    auto loss = (10.0 * (inner - b.inner.squeeze(1)).pow(2) + 10.0 * (outer - b.outer.squeeze(1)).pow(2) +
                 torch::binary_cross_entropy_with_logits(fg, b.fg.squeeze(1), {}, {}, torch::Reduction::None))
                    .mul(w)
                    .sum()
                    .div(wsum);
    optim.zero_grad();
    loss.backward();
    optim.step();
    if (use_ema) update_ema();
    const double l = loss.item<double>();
    ema = ema < 0 ? l : 0.95 * ema + 0.05 * l;

    const int done = step + 1;
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double rate = (done - start) / std::max(el, 1e-9);
    if (done % 10 == 0 || done == opt.steps)
      std::fprintf(stderr, "\rtrain: step %d/%d  loss %.4f  %.2f steps/s  ETA %.0f min   ", done, opt.steps, ema, rate,
                   (opt.steps - done) / std::max(rate, 1e-9) / 60.0);
    if (done % opt.val_every == 0 || done == opt.steps) {
      NucleusNet& judged = use_ema ? ema_net : net;
      const TuningResult tr = validate(judged, opt, val_data, torch::get_num_threads());
      const double f1 = tr.best_f1;
      log << done << "\t" << ema << "\t" << lr_at(opt, step) << "\t" << f1 << "\n" << std::flush;
      torch::save(net, last);
      torch::save(optim, last_optim);
      if (use_ema) torch::save(ema_net, last_ema);
      if (f1 > res.best_val_f1) {
        res.best_val_f1 = f1;
        res.best_step = done;
        ModelManifest m = manifest_for(opt);
        m.dir = res.best_dir;
        m.postprocess = tr.best;
        torch::save(judged, m.weights_path());
        m.extra["training"] = {{"data", opt.data_dir}, {"split", "train (minus validation)"}, {"step", done},
                               {"val_f1_iou50", f1}, {"val_images", val_names.size()},
                               {"train_images", train_names.size()}, {"command", opt.command_line}};
        write_manifest(m, res.best_dir);
      }
      std::ofstream sf(state_path);
      sf << nlohmann::json{{"step", done}, {"best_val_f1", res.best_val_f1}, {"best_step", res.best_step}}.dump(2);
      std::fprintf(stderr, "\ntrain: step %d  val F1@0.5 %.4f (h=%.2f radius=%d interior=%.2f)  best %.4f at step %d\n", done,
                   f1, tr.best.maxima_threshold, tr.best.radius, tr.best.interior_threshold, res.best_val_f1,
                   res.best_step);
    }
  }
  res.steps_done = opt.steps;
  return res;
}

}  // namespace ck
