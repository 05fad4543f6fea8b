#pragma once
// Image header probe: the size of a TIFF, PNG or JPEG image from its header alone, without decoding pixels, so
// a server can refuse an oversized image before any work (the REST frontend's /api/predict), and the kind of
// an upload (TIFF, PNG, JPEG or zip) from its first bytes.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace ck {

/// File kind from the leading magic bytes.
enum class ProbeKind {
  Unknown,  ///< none of the below (or fewer bytes than the signature)
  Tiff,     ///< "II*\0", "MM\0*" (classic) or "II+\0", "MM\0+" (BigTIFF)
  Png,      ///< the 8-byte PNG signature
  Zip,      ///< "PK\x03\x04" (local file header) or "PK\x05\x06" (empty archive)
  Jpeg,     ///< FF D8 FF (start of image + the next marker)
};

/// What the header says. Sizes are in pixels; 0 when unknown.
struct ImageInfo {
  ProbeKind kind = ProbeKind::Unknown;
  int64_t width = 0;   ///< of the first page
  int64_t height = 0;  ///< of the first page
  int64_t pages = 0;   ///< TIFF: image file directories found (capped at kMaxProbePages); PNG, JPEG: 1
  int64_t pixels = 0;  ///< width × height summed over the pages found (what a decoder must hold); saturates
                       ///< at INT64_MAX (a header may declare 2^32-1 × 2^32-1)
  int channels = 0;    ///< samples per pixel of the first page (JPEG: components of the frame, 4 = CMYK)
  int bits = 0;        ///< bits per sample of the first page (JPEG: the frame's sample precision)
  /// True when the header was read completely (every page's size known). False when the bytes ended before
  /// the header did, or the header is malformed; then the sizes hold what was found so far.
  bool complete = false;
};

/// Pages (TIFF IFDs) followed at most; a longer chain stops there with `complete` = false.
inline constexpr int64_t kMaxProbePages = 4096;

/// JPEG marker segments read before the frame header at most (APPn/EXIF/ICC segments come before it).
inline constexpr int kMaxProbeJpegSegments = 1024;

/// Kind of a file from its first bytes (8 suffice).
ProbeKind probe_kind(std::string_view head);

/// "TIFF", "PNG", "JPEG", "zip" or "unknown".
const char* probe_kind_name(ProbeKind k);

/// True if a file name ends in an image extension we read (.tif, .tiff, .png, .jpg, .jpeg; any case): how folders
/// and zips pick files whose content has not been read yet (the content decides afterwards).
bool has_image_extension(std::string_view name);

/// Reads `n` bytes at `offset` of the file (fewer at its end, empty past it). May throw; the exception passes
/// through probe_image.
using ProbeReader = std::function<std::string(uint64_t offset, uint64_t n)>;

/// Probes a file through `read`, fetching only the header bytes it needs (PNG: the first 33 bytes; TIFF: the
/// 8/16-byte header and each IFD, following the IFD chain for the page count; JPEG: the marker segments up to
/// the first SOFn frame header, 4 bytes per segment, at most kMaxProbeJpegSegments). Never throws for bad data
/// (malformed headers give `complete` = false; so does a JPEG whose SOS comes before any frame header).
ImageInfo probe_image(const ProbeReader& read);

/// Probes from the first bytes of a file only (`head`); a TIFF whose IFDs lie beyond `head` comes back with
/// `complete` = false.
ImageInfo probe_image_bytes(std::string_view head);

}  // namespace ck
