#include "metrics/hungarian.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace ck {
namespace {

double total(const std::vector<std::vector<double>>& c, const std::vector<int>& a) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] >= 0) s += c[i][a[i]];
  return s;
}

TEST(Hungarian, DenseSquareKnownOptimum) {
  const std::vector<std::vector<double>> cost = {{4, 1, 3}, {2, 0, 5}, {3, 2, 2}};
  const auto a = solve_min_cost_assignment(cost);
  EXPECT_EQ(a, (std::vector<int>{1, 0, 2}));
  EXPECT_DOUBLE_EQ(total(cost, a), 5.0);
}

TEST(Hungarian, DenseRectangularBothWays) {
  const std::vector<std::vector<double>> wide = {{10, 1, 7}, {1, 10, 2}};
  EXPECT_EQ(solve_min_cost_assignment(wide), (std::vector<int>{1, 0}));
  const std::vector<std::vector<double>> tall = {{10, 1}, {1, 10}, {0, 0}};
  const auto a = solve_min_cost_assignment(tall);
  // Best: row 2 takes one column at cost 0, row 0 or 1 the other at cost 1 (vs 2 for rows 0 + 1).
  EXPECT_DOUBLE_EQ(total(tall, a), 1.0);
  EXPECT_GE(a[2], 0);
  int assigned = 0;
  for (int x : a) assigned += x >= 0;
  EXPECT_EQ(assigned, 2);
}

TEST(Hungarian, DenseRejectsRaggedAndNonFinite) {
  EXPECT_THROW(solve_min_cost_assignment({{1, 2}, {3}}), std::invalid_argument);
  EXPECT_THROW(solve_min_cost_assignment({{1, std::numeric_limits<double>::infinity()}}), std::invalid_argument);
  EXPECT_TRUE(solve_min_cost_assignment({}).empty());
}

// Greedy (take the heaviest edge first) picks (0,0)=0.9 and then nothing: total 0.9.
// The optimum is (0,1)+(1,0) = 0.8 + 0.7 = 1.5.
TEST(Hungarian, SparseBeatsGreedy) {
  const std::vector<WeightedEdge> edges = {{0, 0, 0.9}, {0, 1, 0.8}, {1, 0, 0.7}};
  const auto m = max_weight_matching(2, 2, edges);
  EXPECT_EQ(m, (std::vector<std::pair<int, int>>{{0, 1}, {1, 0}}));
}

TEST(Hungarian, SparseComponentsAndUnmatched) {
  // Two independent components plus an isolated row 4; a non-positive edge is never taken.
  const std::vector<WeightedEdge> edges = {{0, 5, 0.6}, {1, 5, 0.7}, {2, 0, 0.3}, {3, 1, 0.2},
                                           {2, 1, 0.4}, {4, 2, 0.0}};
  const auto m = max_weight_matching(5, 6, edges);
  // component A: rows 0,1 compete for col 5 -> row 1 (0.7). component B: (2,0)+(3,1)=0.5 > (2,1)=0.4.
  EXPECT_EQ(m, (std::vector<std::pair<int, int>>{{1, 5}, {2, 0}, {3, 1}}));
}

TEST(Hungarian, SparseOutOfRangeThrows) {
  EXPECT_THROW(max_weight_matching(2, 2, {{2, 0, 1.0}}), std::out_of_range);
  EXPECT_THROW(max_weight_matching(2, 2, {{0, -1, 1.0}}), std::out_of_range);
  EXPECT_TRUE(max_weight_matching(0, 0, {}).empty());
}

}  // namespace
}  // namespace ck

namespace ck {
namespace {

// Exhaustive check on random sparse graphs (fixed seed): the matching weight equals the brute-force optimum.
double best_by_brute_force(int nr, int nc, const std::vector<std::vector<double>>& w, int r, std::vector<char>& used) {
  if (r == nr) return 0.0;
  double best = best_by_brute_force(nr, nc, w, r + 1, used);  // leave row r unmatched
  for (int c = 0; c < nc; ++c) {
    if (used[c] || w[r][c] <= 0) continue;
    used[c] = 1;
    best = std::max(best, w[r][c] + best_by_brute_force(nr, nc, w, r + 1, used));
    used[c] = 0;
  }
  return best;
}

TEST(Hungarian, SparseMatchesBruteForceOnRandomGraphs) {
  uint32_t state = 12345;
  auto rnd = [&]() {
    state = state * 1664525u + 1013904223u;
    return (state >> 8) / 16777216.0;
  };
  for (int trial = 0; trial < 200; ++trial) {
    const int nr = 1 + trial % 6, nc = 1 + (trial / 6) % 6;
    std::vector<std::vector<double>> w(nr, std::vector<double>(nc, 0.0));
    std::vector<WeightedEdge> edges;
    for (int r = 0; r < nr; ++r)
      for (int c = 0; c < nc; ++c)
        if (rnd() < 0.45) {
          w[r][c] = 0.05 + rnd();
          edges.push_back({r, c, w[r][c]});
        }
    const auto m = max_weight_matching(nr, nc, edges);
    double got = 0.0;
    std::vector<char> row_used(nr, 0), col_used(nc, 0);
    for (const auto& [r, c] : m) {
      ASSERT_FALSE(row_used[r] || col_used[c]) << "trial " << trial;
      row_used[r] = col_used[c] = 1;
      got += w[r][c];
    }
    std::vector<char> used(nc, 0);
    EXPECT_NEAR(got, best_by_brute_force(nr, nc, w, 0, used), 1e-9) << "trial " << trial;
  }
}

}  // namespace
}  // namespace ck
