#pragma once
// Bucket retention: uploads and outputs are deleted once they are older than the retention time, so a long-running
// `serve` does not fill its disk (for an S3 bucket the equivalent is a lifecycle rule expiring `uploads/` and
// `output/` after the same number of days). Objects are aged by when they were last written: an output is written
// when its job finishes, so it lives `retention` after the job ended; an upload is aged from its upload.
#include <cstdint>
#include <string>
#include <vector>

#include "storage/bucket.h"

namespace ck {

/// What one retention sweep did and found (bytes of the objects that remain = the bucket's disk use).
struct RetentionSweep {
  int64_t deleted = 0;          ///< objects deleted
  uint64_t bytes_deleted = 0;   ///< their size, bytes
  int64_t kept = 0;             ///< objects younger than the retention (or of unknown age)
  uint64_t bytes_kept = 0;      ///< their size, bytes
};

/// Deletes every object under `prefixes` (e.g. {"uploads/", "output/"}) last written more than `retention_s`
/// seconds before `now` (Unix seconds). Objects whose age the bucket cannot tell are kept. `retention_s` <= 0
/// deletes nothing (but still counts). Throws BucketError on I/O errors of the listing.
RetentionSweep sweep_retention(Bucket& bucket, const std::vector<std::string>& prefixes, double retention_s,
                               int64_t now);

}  // namespace ck
