#pragma once
// Internal helper: stable LSD radix argsort of float32 values (3 passes of 11 bits), O(N).
// Used by the priority-flood algorithms (reconstruction, watershed) instead of a comparison sort.
#include <cstdint>
#include <cstring>
#include <vector>

namespace ck::detail {

/// Maps a finite float to a uint32 whose unsigned order equals the float order (-0.0 < +0.0).
inline uint32_t float_order_key(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

/// Indices 0..n-1 sorted by `v` ascending (or descending), stable (equal values keep index order).
/// If `sorted_keys` is given it receives the radix keys in sorted (ascending key) order: for
/// descending sorts key = ~float_order_key(v), so a smaller key means a larger value.
inline std::vector<uint32_t> argsort_floats(const float* v, uint32_t n, bool descending,
                                            std::vector<uint32_t>* sorted_keys = nullptr) {
  std::vector<uint32_t> keys(n), idx(n), tmpk(n), tmpi(n);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t k = float_order_key(v[i]);
    keys[i] = descending ? ~k : k;
    idx[i] = i;
  }
  for (int pass = 0; pass < 3; ++pass) {
    const int shift = pass * 11;
    uint32_t count[2049] = {0};
    for (uint32_t i = 0; i < n; ++i) ++count[((keys[i] >> shift) & 2047u) + 1];
    for (int b = 0; b < 2048; ++b) count[b + 1] += count[b];
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t pos = count[(keys[i] >> shift) & 2047u]++;
      tmpk[pos] = keys[i];
      tmpi[pos] = idx[i];
    }
    keys.swap(tmpk);
    idx.swap(tmpi);
  }
  if (sorted_keys) sorted_keys->swap(keys);
  return idx;
}

}  // namespace ck::detail
