#include "postprocess/remove_small_objects.h"

#include <vector>

#include "postprocess/label_index.h"

namespace ck {

LabelImage remove_small_objects(const LabelImage& labels, int64_t min_size) {
  LabelImage out = labels;
  if (min_size <= 0) return out;
  const detail::DenseLabels dense(labels);
  std::vector<int64_t> area(dense.size(), 0);
  for (uint32_t v : labels.data) if (v) ++area[dense.index(v)];
  for (uint32_t& v : out.data)
    if (v && area[dense.index(v)] < min_size) v = 0;
  return out;
}

}  // namespace ck
