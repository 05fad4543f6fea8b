#pragma once
// Zip archives, read and written in one place (libarchive): the image members of an uploaded or given zip,
// with limits against zip bombs, and the result bundles the service hands back (the Kiosk's output zip).
#include <cstdint>
#include <climits>
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

/// A member that was not taken, and why (one line, without the member's name).
struct ZipMemberProblem {
  std::string path;    ///< member path inside the archive
  std::string reason;  ///< e.g. "encrypted (password-protected) member; not read"
};

/// What a zip holds, member by member.
struct ZipContents {
  std::vector<ZipImage> images;           ///< image members (TIFF, PNG, JPEG by magic bytes, or by .tif/.tiff/.png name)
  std::vector<ZipMemberProblem> failed;   ///< members that should have been images but cannot be read: path escaping
                                          ///< the archive, encrypted, corrupt (bad CRC), over a size or pixel limit
  std::vector<ZipMemberProblem> skipped;  ///< members that are not images (text, symbolic links, nested zips);
                                          ///< folders, `__MACOSX/` and hidden files are left out silently
};

/// Reads a zip held in memory member by member, in archive order; member names are UTF-8 whatever the process
/// locale. Limits are checked while each member is inflated (64 KiB at a time), so nothing over a limit is ever
/// held whole: a member over `limits.max_entry_bytes` or whose image header says more than `max_pixels` pixels is
/// refused as soon as that is known and listed in `failed`, and the other members are still read. Throws
/// std::runtime_error (one line) only for the whole archive: not a zip, corrupt before its first member, more than
/// max_entries, more than max_total_bytes or a compression ratio over max_ratio (a zip bomb).
ZipContents read_zip(const std::vector<uint8_t>& zip, const ZipLimits& limits = {}, int64_t max_pixels = INT64_MAX);

/// The reason a zip that yielded no image failed: its first failed member, else "zip holds no TIFF, PNG or JPEG
/// image".
std::string no_image_reason(const ZipContents& c);

/// True if `head` (the first bytes of a file) is a zip signature (probe_kind == Zip).
bool is_zip_bytes(const std::string& head);

/// True if the file at `path` starts with a zip signature; false if it cannot be read.
bool is_zip_file(const std::string& path);

/// read_zip's images only (result bundles, tests). Throws as read_zip, and with no_image_reason() when it holds no
/// image.
std::vector<ZipImage> read_zip_images(const std::vector<uint8_t>& zip, const ZipLimits& limits = {});

/// One file of an archive to write: (name inside the archive, content bytes).
using ZipEntry = std::pair<std::string, std::string>;

/// Builds a zip (deflate) holding `entries` in order, names stored as UTF-8. Throws std::runtime_error on a
/// libarchive failure.
std::string make_zip(const std::vector<ZipEntry>& entries);

}  // namespace ck
