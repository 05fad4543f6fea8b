// Format sniffing (magic bytes) and dispatch to the TIFF / PNG decoders.
#include <cstring>
#include <filesystem>

#include "image/decode_internal.h"
#include "image/io.h"

namespace ck {

namespace {
std::string base_name(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  return name.empty() ? path : name;
}
}  // namespace

ImageFormat sniff_image_format(const uint8_t* data, size_t size) {
  static const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  if (data == nullptr) return ImageFormat::Unknown;
  if (size >= 8 && std::memcmp(data, kPng, 8) == 0) return ImageFormat::Png;
  if (size >= 4) {
    const bool ii = data[0] == 'I' && data[1] == 'I' && (data[2] == 42 || data[2] == 43) && data[3] == 0;
    const bool mm = data[0] == 'M' && data[1] == 'M' && data[2] == 0 && (data[3] == 42 || data[3] == 43);
    if (ii || mm) return ImageFormat::Tiff;
  }
  return ImageFormat::Unknown;
}

std::vector<Raster> decode_image_bytes(const uint8_t* data, size_t size, const std::string& name) {
  if (data == nullptr || size == 0) throw ImageError(name, "empty file");
  switch (sniff_image_format(data, size)) {
    case ImageFormat::Tiff: return detail::decode_tiff(data, size, name);
    case ImageFormat::Png: {
      std::vector<Raster> out;
      out.push_back(detail::decode_png(data, size, name));
      return out;
    }
    case ImageFormat::Unknown: break;
  }
  throw ImageError(name, "unsupported file type (not TIFF or PNG)");
}

std::vector<Raster> decode_image_file(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  return decode_image_bytes(bytes.data(), bytes.size(), base_name(path));
}

}  // namespace ck
