#include "postprocess/relabel_sequential.h"

#include "postprocess/label_index.h"

namespace ck {

LabelImage relabel_sequential(const LabelImage& labels) {
  const detail::DenseLabels dense(labels);
  LabelImage out(labels.height, labels.width, 0);
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels.data[i]) out.data[i] = dense.index(labels.data[i]) + 1;
  return out;
}

}  // namespace ck
