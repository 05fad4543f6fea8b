#include "metrics/hungarian.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>

namespace ck {

namespace {

// Kuhn-Munkres with potentials for n <= m (rows <= columns), 1-based internal arrays.
// Returns col index for every row.
std::vector<int> hungarian_rows_le_cols(const std::vector<std::vector<double>>& a, int n, int m) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> u(n + 1, 0.0), v(m + 1, 0.0);
  std::vector<int> p(m + 1, 0), way(m + 1, 0);  // p[j]: row matched to column j (1-based, 0 = none)
  for (int i = 1; i <= n; ++i) {
    p[0] = i;
    int j0 = 0;
    std::vector<double> minv(m + 1, inf);
    std::vector<char> used(m + 1, 0);
    do {
      used[j0] = 1;
      const int i0 = p[j0];
      double delta = inf;
      int j1 = 0;
      for (int j = 1; j <= m; ++j) {
        if (used[j]) continue;
        const double cur = a[i0 - 1][j - 1] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (int j = 0; j <= m; ++j) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {  // augment along the alternating path
      const int j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  std::vector<int> row_to_col(n, -1);
  for (int j = 1; j <= m; ++j)
    if (p[j] != 0) row_to_col[p[j] - 1] = j - 1;
  return row_to_col;
}

}  // namespace

std::vector<int> solve_min_cost_assignment(const std::vector<std::vector<double>>& cost) {
  const int r = static_cast<int>(cost.size());
  if (r == 0) return {};
  const int c = static_cast<int>(cost[0].size());
  for (int i = 0; i < r; ++i) {
    if (static_cast<int>(cost[i].size()) != c)
      throw std::invalid_argument("solve_min_cost_assignment: row " + std::to_string(i) + " has " +
                                  std::to_string(cost[i].size()) + " columns, expected " + std::to_string(c));
    for (double x : cost[i])
      if (!std::isfinite(x))
        throw std::invalid_argument("solve_min_cost_assignment: non-finite cost in row " + std::to_string(i));
  }
  if (c == 0) return std::vector<int>(r, -1);
  if (r <= c) return hungarian_rows_le_cols(cost, r, c);
  // More rows than columns: solve the transpose, then invert.
  std::vector<std::vector<double>> t(c, std::vector<double>(r));
  for (int i = 0; i < r; ++i)
    for (int j = 0; j < c; ++j) t[j][i] = cost[i][j];
  const std::vector<int> col_to_row = hungarian_rows_le_cols(t, c, r);
  std::vector<int> row_to_col(r, -1);
  for (int j = 0; j < c; ++j) row_to_col[col_to_row[j]] = j;
  return row_to_col;
}

std::vector<std::pair<int, int>> max_weight_matching(int n_rows, int n_cols, const std::vector<WeightedEdge>& edges) {
  // Deduplicate, keep positive edges only.
  std::map<std::pair<int, int>, double> w;
  for (const auto& e : edges) {
    if (e.row < 0 || e.row >= n_rows || e.col < 0 || e.col >= n_cols)
      throw std::out_of_range("max_weight_matching: edge (" + std::to_string(e.row) + ", " + std::to_string(e.col) +
                              ") outside " + std::to_string(n_rows) + "x" + std::to_string(n_cols));
    if (!(e.weight > 0.0)) continue;
    auto [it, inserted] = w.emplace(std::make_pair(e.row, e.col), e.weight);
    if (!inserted) it->second = std::max(it->second, e.weight);
  }
  // Connected components with union-find over rows [0, n_rows) and cols [n_rows, n_rows + n_cols).
  std::vector<int> parent(static_cast<size_t>(n_rows) + n_cols);
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](int x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (const auto& [rc, _] : w) parent[find(rc.first)] = find(n_rows + rc.second);

  struct Component {
    std::vector<int> rows, cols;
    std::vector<std::pair<std::pair<int, int>, double>> edges;
  };
  std::map<int, Component> comps;
  for (const auto& kv : w) comps[find(kv.first.first)].edges.push_back(kv);

  std::vector<std::pair<int, int>> result;
  for (auto& [root, comp] : comps) {
    for (const auto& [rc, _] : comp.edges) {
      comp.rows.push_back(rc.first);
      comp.cols.push_back(rc.second);
    }
    for (auto* v : {&comp.rows, &comp.cols}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    if (comp.edges.size() == 1) {  // trivial component
      result.push_back(comp.edges[0].first);
      continue;
    }
    // Dense cost = -weight on edges, 0 elsewhere (= leaving the pair unmatched).
    std::vector<std::vector<double>> cost(comp.rows.size(), std::vector<double>(comp.cols.size(), 0.0));
    for (const auto& [rc, wt] : comp.edges) {
      const size_t i = std::lower_bound(comp.rows.begin(), comp.rows.end(), rc.first) - comp.rows.begin();
      const size_t j = std::lower_bound(comp.cols.begin(), comp.cols.end(), rc.second) - comp.cols.begin();
      cost[i][j] = -wt;
    }
    const std::vector<int> assign = solve_min_cost_assignment(cost);
    for (size_t i = 0; i < assign.size(); ++i) {
      if (assign[i] < 0) continue;
      const int r = comp.rows[i], c = comp.cols[assign[i]];
      if (w.count({r, c})) result.emplace_back(r, c);  // drop zero-cost "non-edges"
    }
  }
  std::sort(result.begin(), result.end());
  return result;
}

}  // namespace ck
