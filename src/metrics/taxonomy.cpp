#include "metrics/taxonomy.h"

#include <numeric>
#include <vector>

namespace ck {

ErrorTaxonomy& ErrorTaxonomy::operator+=(const ErrorTaxonomy& o) {
  correct += o.correct;
  split += o.split;
  merge += o.merge;
  catastrophe += o.catastrophe;
  missed += o.missed;
  gained += o.gained;
  return *this;
}

ErrorTaxonomy classify_errors(const OverlapTable& table, const TaxonomyParams& params) {
  ErrorTaxonomy tax;
  const int nt = table.n_true(), np = table.n_pred();
  std::vector<char> used_t(nt, 0), used_p(np, 0);
  for (const auto& pr : table.pairs) {
    if (pr.iou >= params.correct_iou && !used_t[pr.t] && !used_p[pr.p]) {
      used_t[pr.t] = used_p[pr.p] = 1;
      ++tax.correct;
    }
  }
  // Union-find over leftover nodes: GT i -> i, pred j -> nt + j.
  std::vector<int> parent(static_cast<size_t>(nt) + np);
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](int x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (const auto& pr : table.pairs) {
    if (used_t[pr.t] || used_p[pr.p]) continue;
    const double in = static_cast<double>(pr.intersection);
    const bool linked = pr.iou >= params.link_iou ||
                        in > params.link_contain * static_cast<double>(table.true_area[pr.t]) ||
                        in > params.link_contain * static_cast<double>(table.pred_area[pr.p]);
    if (!linked) continue;
    parent[find(pr.t)] = find(nt + pr.p);
  }
  std::vector<int> comp_t(parent.size(), 0), comp_p(parent.size(), 0);
  for (int i = 0; i < nt; ++i)
    if (!used_t[i]) ++comp_t[find(i)];
  for (int j = 0; j < np; ++j)
    if (!used_p[j]) ++comp_p[find(nt + j)];
  for (size_t r = 0; r < parent.size(); ++r) {
    const int a = comp_t[r], b = comp_p[r];
    if (a == 0 && b == 0) continue;
    if (b == 0) {
      tax.missed += a;  // isolated GT (a == 1)
    } else if (a == 0) {
      tax.gained += b;  // isolated prediction
    } else if (a == 1 && b == 1) {
      ++tax.missed;  // weak one-to-one link: deepcell counts it as missed + gained
      ++tax.gained;
    } else if (a == 1) {
      ++tax.split;
    } else if (b == 1) {
      ++tax.merge;
    } else {
      ++tax.catastrophe;
    }
  }
  return tax;
}

}  // namespace ck
