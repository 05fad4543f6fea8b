#pragma once
// Image I/O: decode TIFF (libtiff), PNG (libpng) and JPEG (libjpeg-turbo) files of any common sample type into
// Rasters (plus the channel/z/time axes of ImageJ and OME-TIFF stacks), encode Rasters / label images back to
// TIFF and PNG, and draw label-outline overlays.
// The file type is found from the magic bytes, never from the file name extension.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "image/axes.h"
#include "image/image_error.h"
#include "image/plane.h"
#include "image/raster.h"

namespace ck {

// ---------------------------------------------------------------- decode

/// File type found from the leading magic bytes.
enum class ImageFormat { Unknown, Tiff, Png, Jpeg };

/// Sniffs the magic bytes: "II*\0"/"MM\0*" (classic TIFF), "II+\0"/"MM\0+" (BigTIFF), the 8-byte PNG
/// signature, or FF D8 FF (JPEG: SOI + the next marker). Returns Unknown for anything else (including fewer
/// bytes than the signature).
ImageFormat sniff_image_format(const uint8_t* data, size_t size);

/// Decodes the image file at `path` (UTF-8, may contain spaces). Returns one H×W×C Raster per page
/// (multi-page TIFF = batch of pages; PNG = exactly one). See decode_image_bytes for what is supported.
/// Throws ImageError("<file name>: <reason>") if the file cannot be opened/read or decoded.
std::vector<Raster> decode_image_file(const std::string& path);

/// Decodes an in-memory TIFF, PNG or JPEG file; `name` is only used in error messages.
/// TIFF: uint8/uint16/uint32, int8/int16/int32, float16/float32/float64 samples (plus 1/2/4-bit gray and
/// palette), 1-4 samples per pixel, contiguous or planar-separate, strips or tiles, any compression libtiff was
/// built with; float16 -> F32 (exact; inf/NaN kept), palette -> RGB uint8, min-is-white (unsigned ints)
/// inverted to min-is-black, 1/2/4-bit gray (bilevel included) scaled to 0..255 uint8, JPEG/YCbCr -> RGB
/// uint8; reduced-resolution pages (thumbnails) after the first are skipped.
/// PNG: gray, gray+alpha, RGB, RGBA, palette (-> RGB, or RGBA with tRNS) at 1/2/4/8/16 bit; 1/2/4-bit gray is
/// scaled to 0..255 uint8, 16-bit -> U16 in native byte order.
/// JPEG (8-bit baseline, progressive or arithmetic-coded): gray -> 1 channel U8, YCbCr/RGB -> 3 channels U8
/// (RGB); one page. CMYK/YCCK and 12-bit JPEGs are refused; libjpeg warnings (truncated or corrupt data) are
/// errors. EXIF orientation is not applied.
/// Throws ImageError for empty, truncated, corrupt or unknown data, 0-sized images, unsupported sample
/// formats, or images over 2^31 pixels.
std::vector<Raster> decode_image_bytes(const uint8_t* data, size_t size, const std::string& name);

/// The pages of a file plus how they map onto channel / z / time (see decode_image_stack).
struct DecodedStack {
  std::vector<Raster> pages;        ///< exactly what decode_image_bytes returns
  std::optional<StackAxes> axes;    ///< set when axes metadata or a pixel size was found and is consistent
  std::string axes_problem;         ///< one line when metadata was present but malformed or inconsistent
                                    ///< with the pages; then `axes` is empty (nothing is guessed)
};

/// Decodes like decode_image_bytes and reads the axes of a TIFF from its first page's tags:
/// ImageDescription "ImageJ=..." (parse_imagej_description) or OME-XML (parse_ome_xml), then checks that
/// channels × slices × frames equals the number of decoded pages (OME: pages of k samples each may hold k
/// channels; then axes.channels = SizeC / k). Pixel size (µm/px): OME PhysicalSizeX/Y when given; else
/// 1 / XResolution (and YResolution) in the ImageJ description's `unit=` (pixels per unit, e.g. micron), or
/// in ResolutionUnit centimeter (10^4 µm) / inch (25400 µm, the TIFF default); ResolutionUnit none without an
/// ImageJ unit gives 0 (unknown). A TIFF with only a usable resolution gets axes with source
/// "tiff-resolution" (beware: 72/96/300 dpi defaults of desktop software become pixel sizes of 353/265/85 µm).
/// PNG and JPEG: axes empty. Throws ImageError as decode_image_bytes; never throws for bad metadata.
DecodedStack decode_image_stack(const uint8_t* data, size_t size, const std::string& name);

/// Reads a whole file into memory. Throws ImageError("<file name>: cannot open file (<errno text>)").
std::vector<uint8_t> read_file_bytes(const std::string& path);

/// Writes `bytes` atomically: to a temporary file in the same folder, then rename() over `path`.
/// Throws ImageError on any I/O failure (the temporary file is removed).
void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes);
/// The same for `size` bytes at `data`.
void write_file_atomic(const std::string& path, const void* data, size_t size);

// ---------------------------------------------------------------- encode TIFF

/// TIFF compression scheme for encode_tiff.
enum class TiffCompression { None, Deflate, LZW, PackBits };

/// TIFF ResolutionUnit for encode_tiff.
enum class TiffResolutionUnit { None = 1, Inch = 2, Centimeter = 3 };

/// How encode_tiff lays out the pixel data, and the metadata tags it writes.
struct TiffWriteOptions {
  TiffCompression compression = TiffCompression::Deflate;  ///< ADOBE_DEFLATE by default
  bool planar_separate = false;  ///< PLANARCONFIG_SEPARATE (one plane per channel) instead of interleaved
  int tile_size = 0;             ///< >0: square tiles of this size in px (multiple of 16); 0: strips
  int rows_per_strip = 0;        ///< strips only; 0: as many rows as fit in ~64 KiB per strip
  bool predictor = true;          ///< the horizontal / floating-point predictor with deflate and LZW
  std::string description{};     ///< ImageDescription of the first page (e.g. ImageJ or OME-XML); "" = none
  double x_resolution = 0;       ///< >0: XResolution (pixels per resolution unit) on every page
  double y_resolution = 0;       ///< >0: YResolution (pixels per resolution unit) on every page
  TiffResolutionUnit resolution_unit = TiffResolutionUnit::None;  ///< written with the resolutions
};

/// Encodes pages (each 1-4 channels, any DType) as one multi-page TIFF in memory. 1 channel ->
/// min-is-black, 2 -> gray + unassociated alpha, 3 -> RGB, 4 -> RGBA. Integer samples get the horizontal
/// predictor and floats the floating-point predictor when compressed with deflate/LZW.
/// Throws std::invalid_argument for no pages / empty pages / bad shapes, ImageError("<tiff>: ...") on libtiff errors.
std::vector<uint8_t> encode_tiff(const std::vector<Raster>& pages, const TiffWriteOptions& opts = {});

/// Writes pages to `path` as a (multi-page) TIFF, deflate-compressed or uncompressed. Atomic (temp + rename).
/// Throws as encode_tiff and write_file_atomic.
void write_tiff(const std::string& path, const std::vector<Raster>& pages, bool deflate = true);

/// As write_tiff with full control of the layout (compression, planar, tiles, strips).
void write_tiff_with(const std::string& path, const std::vector<Raster>& pages, const TiffWriteOptions& opts);

/// Encodes a label image (H×W, 0 = background) as a single-page gray TIFF: uint16 when the max label is
/// <= 65535, else uint32; deflate without a predictor (Debian's ImageJ 1.53 mis-reads deflate + predictor; tifffile
/// without imagecodecs cannot read LZW), strips of ~64 KiB. `mpp` > 0 (µm/px) writes the pixel size as ImageJ does, so Fiji and napari show µm: XResolution = YResolution = 1/mpp pixels per unit,
/// ResolutionUnit none, ImageDescription "ImageJ=1.53\nunit=micron\n"; mpp 0 (unknown) writes neither.
/// (Readers: ImageJ 1.53, Fiji, napari, tifffile, libtiff.)
/// Throws std::invalid_argument for an empty label image or a negative / non-finite mpp.
std::vector<uint8_t> encode_label_tiff(const LabelImage& labels, double mpp = 0);

/// encode_label_tiff written atomically (temp file in the same folder + rename) to `path`.
void write_label_tiff(const std::string& path, const LabelImage& labels);

// ---------------------------------------------------------------- encode PNG

/// Encodes a U8 or U16 Raster with 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA) channels as PNG.
/// Throws std::invalid_argument for other dtypes/channel counts or empty rasters.
std::vector<uint8_t> encode_png(const Raster& image);

/// encode_png written atomically to `path`. Throws as encode_png and write_file_atomic.
void write_png(const std::string& path, const Raster& image);

// ---------------------------------------------------------------- labels and overlays

/// Label image from channel 0 of a decoded Raster (U8/U16/U32 as-is; I16 if no value is negative).
/// Throws std::invalid_argument for float rasters or negative int16 labels.
LabelImage to_label_image(const Raster& image);

/// H×W×3 U8 overlay: the gray image (`image01` values in [0,1], clamped, NaN -> 0, scaled to 0..255) with
/// the label outlines in yellow (255,255,0). A pixel is on an outline if its label != 0 and any
/// 4-neighbour (inside the image) has a different label. Throws std::invalid_argument on shape mismatch.
Raster make_overlay(const FloatPlane& image01, const LabelImage& labels);

/// make_overlay written as an RGB PNG to `path` (atomic). Throws as make_overlay and write_png.
void write_overlay_png(const std::string& path, const FloatPlane& image01, const LabelImage& labels);

}  // namespace ck
