#pragma once
// LocalBucket: a Bucket kept as files under one directory (the embedded default, and a shared volume on a
// cluster). Writes go to a hidden temp file in the target's folder, are fsync'ed and renamed into place, so a
// reader never sees a partial object and a crashed writer leaves no object behind.
#include <filesystem>

#include "storage/bucket.h"

namespace ck {

class LocalBucket : public Bucket {
 public:
  /// Uses (and creates) `root`. Throws BucketError if it cannot be created or is not a directory.
  explicit LocalBucket(const std::filesystem::path& root);
  void put(const std::string& key, std::string_view bytes) override;
  std::unique_ptr<BucketWriter> open_writer(const std::string& key) override;
  std::string get(const std::string& key) override;
  std::string get_range(const std::string& key, uint64_t offset, uint64_t n) override;
  std::optional<uint64_t> size(const std::string& key) override;
  bool exists(const std::string& key) override;
  bool remove(const std::string& key) override;
  std::vector<std::string> list(const std::string& prefix) override;
  std::string describe() const override;
  std::optional<int64_t> modified_at(const std::string& key) override;
  /// File path of `key` (validated), for tools that need a path.
  std::filesystem::path path_of(const std::string& key) const;

 private:
  std::filesystem::path root_;
};

}  // namespace ck
