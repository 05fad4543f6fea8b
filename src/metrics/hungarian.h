#pragma once
// Optimal one-to-one assignment (Kuhn-Munkres / Hungarian algorithm) for object matching.
//
// Source: H. W. Kuhn, "The Hungarian method for the assignment problem", Naval Research Logistics
// Quarterly 2 (1955); J. Munkres, "Algorithms for the assignment and transportation problems",
// J. SIAM 5 (1957). The dense solver is the O(n^2·m) shortest-augmenting-path formulation with
// row/column potentials (the form used by scipy's `linear_sum_assignment`, which StarDist's
// `matching` calls).
#include <utility>
#include <vector>

namespace ck {

/// Dense rectangular minimum-cost assignment. `cost` is R×C (all rows the same length, R, C >= 0).
/// Every row is assigned to a distinct column when R <= C, every column to a distinct row when
/// R > C. Returns, for each row, its column or -1 (unassigned; only possible when R > C).
/// Throws std::invalid_argument on ragged rows or non-finite costs.
std::vector<int> solve_min_cost_assignment(const std::vector<std::vector<double>>& cost);

/// One candidate pair of a sparse bipartite graph: row `row` (e.g. a ground-truth object index),
/// column `col` (e.g. a predicted object index) and its weight (e.g. IoU).
struct WeightedEdge {
  int row = 0;
  int col = 0;
  double weight = 0.0;
};

/// Maximum-weight bipartite matching on a sparse candidate set: a set of edges, no two sharing a row
/// or a column, with the largest total weight. Edges with weight <= 0 are never chosen (leaving a node
/// unmatched is worth 0). Solved per connected component of the candidate graph with the dense
/// Hungarian solver, so the cost is O(k^3) in the component size k, not in the image's object count.
/// Returns the chosen (row, col) pairs sorted by row. Rows must lie in [0, n_rows), columns in
/// [0, n_cols), else std::out_of_range; duplicate (row, col) edges keep the largest weight.
std::vector<std::pair<int, int>> max_weight_matching(int n_rows, int n_cols, const std::vector<WeightedEdge>& edges);

}  // namespace ck
