#pragma once
// Expands the command line's INPUT... (files, folders, globs, zips) into a list of images to segment.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ck {

/// One image file to segment: on disk (`path`) or held in memory (an entry of a zip, `bytes`).
struct ImageSource {
  std::string name;    ///< output base name: the file stem, made unique within the run
  std::string origin;  ///< what the user gave, for messages: "dir/a.png" or "b.zip:sub/c.tif"
  std::string path;    ///< file on disk; empty when `bytes` holds the content
  std::shared_ptr<const std::vector<uint8_t>> bytes;
};

/// An input that yields no image (missing path, empty or corrupt zip); reported, never fatal to the batch.
struct InputProblem {
  std::string origin;
  std::string reason;
};

/// Result of expanding the inputs.
struct InputList {
  std::vector<ImageSource> images;
  std::vector<InputProblem> problems;
};

/// Limits on zip archives (protection against zip bombs).
struct ZipLimits {
  int64_t max_entries = 100000;
  int64_t max_total_bytes = int64_t{8} << 30;  ///< uncompressed bytes, all entries together
  int64_t max_entry_bytes = int64_t{2} << 30;  ///< uncompressed bytes of one entry
  double max_ratio = 1000.0;                    ///< uncompressed / compressed size of the whole archive
};

/// Expands `args` in order. A folder contributes its image files (.tif/.tiff/.png, any case) and zips,
/// recursively, sorted by path; hidden files are skipped. An explicit file is always taken: its type is decided
/// later by magic bytes. A non-existing argument with * ? [ is expanded as a glob. A zip (by its "PK" magic)
/// contributes its image entries (skipping directories, `__MACOSX/`, hidden and non-image files); an empty or
/// corrupt zip becomes an InputProblem. Names are file stems, deduplicated with "_2", "_3", ... suffixes.
InputList expand_inputs(const std::vector<std::string>& args, const ZipLimits& limits = {});

/// True if the file at `path` starts with a zip signature ("PK\x03\x04", or "PK\x05\x06" for an empty archive).
/// False if it cannot be read.
bool is_zip_file(const std::string& path);

/// Reads every image entry of a zip held in memory (same rules as above). Throws std::runtime_error with a
/// one-line reason if the archive is corrupt, exceeds `limits` or holds no image.
std::vector<ImageSource> read_zip_images(const std::vector<uint8_t>& zip, const std::string& origin,
                                         const ZipLimits& limits = {});

}  // namespace ck
