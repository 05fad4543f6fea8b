#pragma once
// Internal helper: maps the distinct nonzero labels of a label image to dense indices 0..K-1
// in ascending label order. Direct table when labels are small, sorted vector otherwise.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "image/plane.h"

namespace ck::detail {

class DenseLabels {
 public:
  explicit DenseLabels(const LabelImage& img) {
    uint32_t mx = 0;
    for (uint32_t v : img.data) mx = std::max(mx, v);
    if (static_cast<uint64_t>(mx) <= 4 * static_cast<uint64_t>(img.size()) + 1024) {
      table_.assign(static_cast<size_t>(mx) + 1, kNone);
      for (uint32_t v : img.data) if (v) table_[v] = 0;
      for (uint32_t l = 1; l <= mx; ++l)
        if (table_[l] == 0) { table_[l] = static_cast<uint32_t>(labels_.size()); labels_.push_back(l); }
      direct_ = true;
    } else {
      for (uint32_t v : img.data) if (v) labels_.push_back(v);
      std::sort(labels_.begin(), labels_.end());
      labels_.erase(std::unique(labels_.begin(), labels_.end()), labels_.end());
    }
  }
  size_t size() const { return labels_.size(); }
  uint32_t label(size_t k) const { return labels_[k]; }
  /// Dense index of a nonzero label present in the image.
  uint32_t index(uint32_t l) const {
    if (direct_) return table_[l];
    return static_cast<uint32_t>(std::lower_bound(labels_.begin(), labels_.end(), l) - labels_.begin());
  }

 private:
  static constexpr uint32_t kNone = 0xFFFFFFFFu;
  bool direct_ = false;
  std::vector<uint32_t> table_;
  std::vector<uint32_t> labels_;
};

}  // namespace ck::detail
