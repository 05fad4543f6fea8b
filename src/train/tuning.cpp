#include "train/tuning.h"

#include <atomic>
#include <stdexcept>
#include <thread>

#include "metrics/matching.h"

namespace ck {

TuningResult tune_postprocess(const std::vector<ModelOutputs>& maps, const std::vector<LabelImage>& truth,
                              const DeepWatershedParams& base, const TuningGrid& grid, int threads) {
  if (maps.size() != truth.size()) throw std::invalid_argument("tune_postprocess: outputs and truth differ in count");
  for (size_t i = 0; i < maps.size(); ++i)
    if (maps[i].inner.height != truth[i].height || maps[i].inner.width != truth[i].width)
      throw std::invalid_argument("tune_postprocess: image " + std::to_string(i) + " differs in size from its outputs");
  TuningResult res;
  for (float h : grid.maxima_thresholds)
    for (int r : grid.radii)
      for (float it : grid.interior_thresholds) {
        TuningTrial t;
        t.params = base;
        t.params.maxima_threshold = h;
        t.params.radius = r;
        t.params.interior_threshold = it;
        res.trials.push_back(t);
      }
  // Work items: (trial, image); per-trial counts accumulated under a lock-free split by trial.
  std::vector<MatchCounts> counts(res.trials.size() * maps.size());
  std::atomic<size_t> next{0};
  const size_t n_items = counts.size();
  auto worker = [&] {
    for (size_t k; (k = next.fetch_add(1)) < n_items;) {
      const size_t trial = k / maps.size(), img = k % maps.size();
      const LabelImage pred = deep_watershed(maps[img].inner, maps[img].outer, res.trials[trial].params);
      counts[k] = match_objects(compute_overlap(truth[img], pred), 0.5).counts;
    }
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < std::max(1, threads); ++i) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  for (size_t trial = 0; trial < res.trials.size(); ++trial) {
    MatchCounts total;
    for (size_t img = 0; img < maps.size(); ++img) total += counts[trial * maps.size() + img];
    const double denom = 2.0 * total.tp + total.fp + total.fn;
    res.trials[trial].f1 = denom > 0 ? 2.0 * total.tp / denom : 1.0;
    if (trial == 0 || res.trials[trial].f1 > res.best_f1) {
      res.best_f1 = res.trials[trial].f1;
      res.best = res.trials[trial].params;
    }
  }
  return res;
}

}  // namespace ck
