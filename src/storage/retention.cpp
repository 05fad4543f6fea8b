#include "storage/retention.h"

namespace ck {

RetentionSweep sweep_retention(Bucket& bucket, const std::vector<std::string>& prefixes, double retention_s,
                               int64_t now) {
  RetentionSweep s;
  for (const auto& prefix : prefixes)
    for (const auto& key : bucket.list(prefix)) {
      const uint64_t bytes = bucket.size(key).value_or(0);
      const auto written = bucket.modified_at(key);
      if (retention_s > 0 && written && static_cast<double>(now - *written) > retention_s && bucket.remove(key)) {
        ++s.deleted;
        s.bytes_deleted += bytes;
      } else {
        ++s.kept;
        s.bytes_kept += bytes;
      }
    }
  return s;
}

}  // namespace ck
