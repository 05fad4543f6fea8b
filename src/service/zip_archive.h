#pragma once
// Result bundles: a zip archive built in memory (libarchive), as the Kiosk's output_url points to.
#include <string>
#include <utility>
#include <vector>

namespace ck {

/// One file of an archive: (name inside the archive, content bytes).
using ZipEntry = std::pair<std::string, std::string>;

/// Builds a zip (deflate) holding `entries` in order. Throws std::runtime_error on a libarchive failure.
std::string make_zip(const std::vector<ZipEntry>& entries);

}  // namespace ck
