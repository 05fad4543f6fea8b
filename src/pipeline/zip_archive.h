#pragma once
// Zip archives, read and written in one place (libarchive): the image members of an uploaded or given zip,
// with limits against zip bombs, and the result bundles the service hands back (the Kiosk's output zip).
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ck {

/// Limits on zip archives (protection against zip bombs).
struct ZipLimits {
  int64_t max_entries = 100000;
  int64_t max_total_bytes = int64_t{8} << 30;  ///< uncompressed bytes, all entries together
  int64_t max_entry_bytes = int64_t{2} << 30;  ///< uncompressed bytes of one entry
  double max_ratio = 1000.0;                    ///< uncompressed / compressed size of the whole archive
};

/// One image member of a zip.
struct ZipImage {
  std::string path;  ///< member path inside the archive ("x/a.png")
  std::shared_ptr<const std::vector<uint8_t>> bytes;
};

/// True if `head` (the first bytes of a file) is a zip signature (probe_kind == Zip).
bool is_zip_bytes(const std::string& head);

/// True if the file at `path` starts with a zip signature; false if it cannot be read.
bool is_zip_file(const std::string& path);

/// Reads every image member of a zip held in memory, in archive order, skipping directories, `__MACOSX/`,
/// hidden and non-image members (an image is a TIFF or PNG by magic bytes, or a .tif/.tiff/.png name). Throws
/// std::runtime_error with a one-line reason if the archive is corrupt, exceeds `limits`, has a member escaping
/// it ('..' or absolute), or holds no image.
std::vector<ZipImage> read_zip_images(const std::vector<uint8_t>& zip, const ZipLimits& limits = {});

/// One file of an archive to write: (name inside the archive, content bytes).
using ZipEntry = std::pair<std::string, std::string>;

/// Builds a zip (deflate) holding `entries` in order, names stored as UTF-8. Throws std::runtime_error on a
/// libarchive failure.
std::string make_zip(const std::vector<ZipEntry>& entries);

}  // namespace ck
