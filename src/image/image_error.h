#pragma once
// ImageError: the one typed error of image I/O (decode/encode of TIFF, PNG and JPEG files).
#include <stdexcept>
#include <string>

namespace ck {

/// Thrown when an image file cannot be read, decoded or written (empty, truncated, corrupt,
/// unsupported type or sample format, I/O failure). `what()` is one line: "<file name>: <reason>",
/// e.g. "a.png: corrupt PNG (IDAT: CRC error)" or "b.bmp: unsupported file type (not TIFF, PNG or JPEG)".
class ImageError : public std::runtime_error {
 public:
  ImageError(const std::string& file, const std::string& reason)
      : std::runtime_error(file + ": " + reason), file_(file), reason_(reason) {}
  /// File name (last path component, or the name given to decode_image_bytes).
  const std::string& file() const noexcept { return file_; }
  /// Reason without the file name.
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string file_;
  std::string reason_;
};

}  // namespace ck
