#include "metrics/matching.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "metrics/hungarian.h"

namespace ck {

namespace {

// Sorted ids and an id -> index map.
void index_ids(const std::unordered_map<uint32_t, uint64_t>& area, std::vector<uint32_t>& ids,
               std::vector<uint64_t>& areas, std::unordered_map<uint32_t, int>& index) {
  ids.clear();
  ids.reserve(area.size());
  for (const auto& kv : area) ids.push_back(kv.first);
  std::sort(ids.begin(), ids.end());
  areas.resize(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    areas[i] = area.at(ids[i]);
    index[ids[i]] = static_cast<int>(i);
  }
}

}  // namespace

OverlapTable compute_overlap(const LabelImage& gt, const LabelImage& pred) {
  if (gt.height != pred.height || gt.width != pred.width)
    throw std::invalid_argument("label image shapes differ: ground truth " + std::to_string(gt.height) + "x" +
                                std::to_string(gt.width) + " vs prediction " + std::to_string(pred.height) + "x" +
                                std::to_string(pred.width));
  OverlapTable tab;
  std::unordered_map<uint32_t, uint64_t> area_t, area_p;
  std::unordered_map<uint64_t, uint64_t> inter;
  // Run-length cache: neighbouring pixels mostly share the same (gt, pred) pair.
  uint32_t last_t = 0, last_p = 0;
  uint64_t run = 0;
  auto flush = [&]() {
    if (run == 0) return;
    if (last_t) area_t[last_t] += run;
    if (last_p) area_p[last_p] += run;
    if (last_t && last_p) inter[(static_cast<uint64_t>(last_t) << 32) | last_p] += run;
    if (last_t) tab.fg_true += run;
    if (last_p) tab.fg_pred += run;
    if (last_t && last_p) tab.fg_both += run;
  };
  const size_t n = gt.data.size();
  for (size_t i = 0; i < n; ++i) {
    const uint32_t t = gt.data[i], p = pred.data[i];
    if (t == last_t && p == last_p) {
      ++run;
      continue;
    }
    flush();
    last_t = t;
    last_p = p;
    run = 1;
  }
  flush();

  std::unordered_map<uint32_t, int> idx_t, idx_p;
  index_ids(area_t, tab.true_ids, tab.true_area, idx_t);
  index_ids(area_p, tab.pred_ids, tab.pred_area, idx_p);
  tab.pairs.reserve(inter.size());
  for (const auto& [key, count] : inter) {
    OverlapTable::Pair pr;
    pr.t = idx_t.at(static_cast<uint32_t>(key >> 32));
    pr.p = idx_p.at(static_cast<uint32_t>(key & 0xffffffffu));
    pr.intersection = count;
    const uint64_t uni = tab.true_area[pr.t] + tab.pred_area[pr.p] - count;
    pr.iou = static_cast<double>(count) / static_cast<double>(uni);
    tab.pairs.push_back(pr);
  }
  std::sort(tab.pairs.begin(), tab.pairs.end(),
            [](const auto& a, const auto& b) { return a.t != b.t ? a.t < b.t : a.p < b.p; });
  return tab;
}

Matching match_objects(const OverlapTable& table, double threshold) {
  if (!(threshold > 0.0 && threshold <= 1.0))
    throw std::invalid_argument("IoU threshold must be in (0, 1], got " + std::to_string(threshold));
  Matching m;
  m.threshold = threshold;
  const int n_min = std::max(1, std::min(table.n_true(), table.n_pred()));
  // Weight 1 + IoU/(2·n_min): the count term dominates since the IoU terms of any matching sum to < 1.
  std::vector<WeightedEdge> edges;
  for (const auto& pr : table.pairs)
    if (pr.iou >= threshold) edges.push_back({pr.t, pr.p, 1.0 + pr.iou / (2.0 * n_min)});
  const auto chosen = max_weight_matching(table.n_true(), table.n_pred(), edges);
  for (const auto& [t, p] : chosen) {
    m.pairs.emplace_back(table.true_ids[t], table.pred_ids[p]);
    const auto it = std::lower_bound(table.pairs.begin(), table.pairs.end(), std::make_pair(t, p),
                                     [](const OverlapTable::Pair& a, const std::pair<int, int>& k) {
                                       return a.t != k.first ? a.t < k.first : a.p < k.second;
                                     });
    m.sum_iou += it->iou;
  }
  m.counts.tp = static_cast<int>(chosen.size());
  m.counts.fp = table.n_pred() - m.counts.tp;
  m.counts.fn = table.n_true() - m.counts.tp;
  return m;
}

}  // namespace ck
