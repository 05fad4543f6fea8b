// Model cost benchmark: parameters, GFLOP/MP, receptive field, inference MP/s (eager vs BN-folded channels-last),
// training step time, and (with --torchscript FILE) the frozen TorchScript export with optimize_for_inference.
// Usage: model_bench [--widths 12,24,48,96,192] [--size 512] [--reps 5] [--batch 8 --crop 256] [--torchscript F] [--threads N]
#include <torch/script.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <thread>

#include "model/network.h"

extern "C" {
__attribute__((used)) const char* malloc_conf = "retain:true,dirty_decay_ms:-1,muzzy_decay_ms:-1";
}

using Clock = std::chrono::steady_clock;

static double time_forward(ck::NucleusNet& net, const torch::Tensor& x, int reps) {
  torch::InferenceMode g;
  net->forward(x);  // warm-up
  const auto t0 = Clock::now();
  for (int i = 0; i < reps; ++i) net->forward(x);
  return std::chrono::duration<double>(Clock::now() - t0).count() / reps;
}

int main(int argc, char** argv) {
  ck::NetConfig cfg;
  int size = 512, reps = 5, batch = 8, crop = 256, train_steps = 3;
  std::string torchscript;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--widths") {
      cfg.widths.clear();
      std::stringstream ss(v);
      std::string t;
      while (std::getline(ss, t, ',')) cfg.widths.push_back(std::stoi(t));
    } else if (k == "--size") size = std::stoi(v);
    else if (k == "--reps") reps = std::stoi(v);
    else if (k == "--batch") batch = std::stoi(v);
    else if (k == "--crop") crop = std::stoi(v);
    else if (k == "--train-steps") train_steps = std::stoi(v);
    else if (k == "--torchscript") torchscript = v;
    else if (k == "--threads") threads = std::stoi(v);
  }
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  ck::NucleusNet net(cfg);
  std::printf("NucleusNet params=%lld GFLOP/MP=%.2f receptive_field=%d px threads=%d\n",
              static_cast<long long>(net->parameter_count()), cfg.gflop_per_mp(), cfg.receptive_field(),
              torch::get_num_threads());

  // Training step time.
  net->train();
  torch::optim::Adam opt(net->parameters(), 1e-3);
  auto xb = torch::rand({batch, 1, crop, crop});
  auto yb = torch::rand({batch, 3, crop, crop});
  auto t0 = Clock::now();
  for (int i = 0; i < train_steps + 1; ++i) {
    if (i == 1) t0 = Clock::now();
    auto loss = torch::mse_loss(net->forward(xb), yb);
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  const double step_s = std::chrono::duration<double>(Clock::now() - t0).count() / train_steps;
  std::printf("train step %dx1x%dx%d: %.3f s\n", batch, crop, crop, step_s);

  net->eval();
  auto x = torch::rand({1, 1, size, size});
  const double mp = size * size / 1e6;
  const double eager = time_forward(net, x, reps);
  net->fold_batchnorm();
  for (auto& p : net->parameters())
    if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
  const double fast = time_forward(net, x.contiguous(torch::MemoryFormat::ChannelsLast), reps);
  std::printf("inference %dx%d: eager %.3f s (%.2f MP/s), folded+channels-last %.3f s (%.2f MP/s), ratio %.2fx\n", size,
              size, eager, mp / eager, fast, mp / fast, eager / fast);
  if (!torchscript.empty()) {
    torch::jit::Module ts = torch::jit::load(torchscript);
    ts.eval();
    torch::jit::Module opt = torch::jit::optimize_for_inference(ts);
    auto run_ts = [&](torch::jit::Module& m, const torch::Tensor& in) {
      torch::InferenceMode g;
      m.forward({in});
      const auto t1 = Clock::now();
      for (int i = 0; i < reps; ++i) m.forward({in});
      return std::chrono::duration<double>(Clock::now() - t1).count() / reps;
    };
    const double frozen = run_ts(ts, x);
    const double optimized = run_ts(opt, x);
    std::printf("TorchScript %s: frozen %.3f s (%.2f MP/s), +optimize_for_inference %.3f s (%.2f MP/s); "
                "ratio vs folded+channels-last eager: %.2fx, %.2fx\n",
                torchscript.c_str(), frozen, mp / frozen, optimized, mp / optimized, fast / frozen, fast / optimized);
  }
  return 0;
}
