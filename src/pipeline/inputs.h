#pragma once
// Expands the command line's INPUT... (files, folders, globs, zips) into a list of images to segment.
#include <climits>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/zip_archive.h"

namespace ck {

/// One image file to segment: on disk (`path`) or held in memory (an entry of a zip, `bytes`).
struct ImageSource {
  std::string rel;     ///< path relative to the folder or zip it came from ("sub/a.png"); the file name for a file
                       ///< given by itself. OutputNamer turns these into unique output names
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
  std::vector<InputProblem> problems;  ///< inputs (or zip members, origin "zip:member") that cannot be read
  std::vector<InputProblem> skipped;   ///< zip members that are not images (origin "zip:member")
};

/// Expands `args` in order. A folder contributes its image files (.tif/.tiff/.png, any case) and zips,
/// recursively, sorted by path; hidden files are skipped. An explicit file is always taken: its type is decided
/// later by magic bytes. A non-existing argument with * ? [ is expanded as a glob. A zip (by its "PK" magic)
/// contributes its image entries (skipping directories, `__MACOSX/`, hidden and non-image files); an empty or
/// corrupt zip becomes an InputProblem. Output names are given later by OutputNamer from `rel`.
InputList expand_inputs(const std::vector<std::string>& args, const ZipLimits& limits = {},
                        int64_t max_pixels = INT64_MAX);

}  // namespace ck
