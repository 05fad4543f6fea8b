// Format sniffing (magic bytes), dispatch to the TIFF / PNG / JPEG decoders, and the axes of TIFF stacks.
#include <cmath>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "image/decode_internal.h"
#include "image/io.h"

namespace ck {

namespace {
std::string base_name(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  return name.empty() ? path : name;
}

/// µm/px from a resolution in pixels per unit of `um_per_unit` µm; 0 when the resolution is not usable.
double mpp_from(double pixels_per_unit, double um_per_unit) {
  if (!std::isfinite(pixels_per_unit) || pixels_per_unit <= 0 || um_per_unit <= 0) return 0;
  const double mpp = um_per_unit / pixels_per_unit;
  return std::isfinite(mpp) ? mpp : 0;
}

/// Axes of a decoded TIFF from its first page's tags (see decode_image_stack). Throws std::invalid_argument
/// (one line) for malformed or inconsistent metadata.
std::optional<StackAxes> tiff_axes(const detail::TiffPageMeta& meta, const std::vector<Raster>& pages) {
  std::optional<StackAxes> a = parse_imagej_description(meta.description);
  std::optional<double> unit_um;
  if (a) unit_um = imagej_unit_um(meta.description);
  else a = parse_ome_xml(meta.description);
  if (a) {
    const int64_t n = static_cast<int64_t>(pages.size());
    const int64_t planes = int64_t{a->channels} * a->slices * a->frames;
    const int k = pages.empty() ? 1 : pages[0].channels;  // samples per page (RGB: 3)
    if (planes != n) {
      const int64_t per_page_planes = a->channels % k == 0 ? int64_t{a->channels / k} * a->slices * a->frames : -1;
      if (a->source == "ome" && k > 1 && per_page_planes == n) {
        a->channels /= k;  // OME counts samples as channels: SizeC = 3 for one RGB page per plane
      } else {
        const std::string who = a->source == "ome" ? "OME-XML SizeC x SizeZ x SizeT" : "ImageJ channels x slices x frames";
        throw std::invalid_argument(who + " = " + std::to_string(a->channels) + "x" + std::to_string(a->slices) + "x" +
                                    std::to_string(a->frames) + " = " + std::to_string(planes) + " pages, but the file has " +
                                    std::to_string(n));
      }
    }
    if (a->mpp_x > 0 || a->mpp_y > 0) return a;  // OME physical sizes
  }
  double um_per_unit = 0;
  if (unit_um) um_per_unit = *unit_um;
  else if (meta.resolution_unit == 3) um_per_unit = 1e4;    // centimeter
  else if (meta.resolution_unit == 2) um_per_unit = 25400;  // inch
  const double mx = mpp_from(meta.x_resolution, um_per_unit), my = mpp_from(meta.y_resolution, um_per_unit);
  if (!a && (mx > 0 || my > 0)) {
    a = StackAxes{};
    a->source = "tiff-resolution";
  }
  if (a) {
    a->mpp_x = mx;
    a->mpp_y = my;
  }
  return a;
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
  if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return ImageFormat::Jpeg;
  return ImageFormat::Unknown;
}

DecodedStack decode_image_stack(const uint8_t* data, size_t size, const std::string& name) {
  if (data == nullptr || size == 0) throw ImageError(name, "empty file");
  DecodedStack out;
  switch (sniff_image_format(data, size)) {
    case ImageFormat::Tiff: {
      detail::TiffPageMeta meta;
      out.pages = detail::decode_tiff(data, size, name, &meta);
      try {
        out.axes = tiff_axes(meta, out.pages);
      } catch (const std::invalid_argument& e) {
        out.axes.reset();
        out.axes_problem = e.what();
      }
      return out;
    }
    case ImageFormat::Png: out.pages.push_back(detail::decode_png(data, size, name)); return out;
    case ImageFormat::Jpeg: out.pages.push_back(detail::decode_jpeg(data, size, name)); return out;
    case ImageFormat::Unknown: break;
  }
  throw ImageError(name, "unsupported file type (not TIFF, PNG or JPEG)");
}

std::vector<Raster> decode_image_bytes(const uint8_t* data, size_t size, const std::string& name) {
  return decode_image_stack(data, size, name).pages;
}

std::vector<Raster> decode_image_file(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  return decode_image_bytes(bytes.data(), bytes.size(), base_name(path));
}

}  // namespace ck
