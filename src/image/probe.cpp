// Header-only image probe (see probe.h). TIFF 6.0 / BigTIFF IFDs, the PNG IHDR chunk and JPEG marker segments
// (up to the SOFn frame header, ITU-T T.81 B.2) are parsed by hand:
// libtiff needs the whole directory reachable and reports errors through global handlers; a probe must work
// on a few bytes and never fail loudly.
#include "image/probe.h"

#include <cctype>

#include <cstdint>
#include <cstring>
#include <set>

namespace ck {

namespace {

constexpr uint8_t kPngSig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

/// a × b for sizes a, b >= 0, saturating at INT64_MAX (header sizes are up to 2^32-1, or 2^63-1 in BigTIFF:
/// their product overflows int64).
int64_t mul_sat(int64_t a, int64_t b) {
  return a != 0 && b > INT64_MAX / a ? INT64_MAX : a * b;
}

/// a + b for a, b >= 0, saturating at INT64_MAX.
int64_t add_sat(int64_t a, int64_t b) { return b > INT64_MAX - a ? INT64_MAX : a + b; }

uint64_t read_uint(const std::string& b, std::size_t off, int size, bool big_endian) {
  uint64_t v = 0;
  for (int i = 0; i < size; ++i) {
    const uint64_t byte = static_cast<uint8_t>(b[off + static_cast<std::size_t>(i)]);
    v |= big_endian ? byte << (8 * (size - 1 - i)) : byte << (8 * i);
  }
  return v;
}

ImageInfo probe_png(const ProbeReader& read) {
  ImageInfo info;
  info.kind = ProbeKind::Png;
  // signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4) + depth (1) + color type (1)
  const std::string h = read(0, 33);
  if (h.size() < 26 || std::memcmp(h.data() + 12, "IHDR", 4) != 0) return info;
  info.width = static_cast<int64_t>(read_uint(h, 16, 4, true));
  info.height = static_cast<int64_t>(read_uint(h, 20, 4, true));
  info.bits = static_cast<uint8_t>(h[24]);
  switch (static_cast<uint8_t>(h[25])) {
    case 0: info.channels = 1; break;  // gray
    case 2: info.channels = 3; break;  // RGB
    case 3: info.channels = 3; break;  // palette (decoded to RGB)
    case 4: info.channels = 2; break;  // gray + alpha
    case 6: info.channels = 4; break;  // RGBA
    default: return info;
  }
  info.pages = 1;
  info.pixels = mul_sat(info.width, info.height);
  info.complete = info.width > 0 && info.height > 0;
  return info;
}

ImageInfo probe_tiff(const ProbeReader& read) {
  ImageInfo info;
  info.kind = ProbeKind::Tiff;
  const std::string h = read(0, 16);
  if (h.size() < 8) return info;
  const bool be = h[0] == 'M';
  const bool big = read_uint(h, 2, 2, be) == 43;
  if (big && (h.size() < 16 || read_uint(h, 4, 2, be) != 8)) return info;
  // Sizes of the BigTIFF / classic layout: IFD entry count, entry, value/offset field, next-IFD offset.
  const int count_size = big ? 8 : 2, entry_size = big ? 20 : 12, value_size = big ? 8 : 4;
  uint64_t ifd = big ? read_uint(h, 8, 8, be) : read_uint(h, 4, 4, be);
  std::set<uint64_t> seen;  // IFD loops in corrupt files
  while (ifd != 0) {
    if (info.pages >= kMaxProbePages || !seen.insert(ifd).second) return info;
    const std::string cnt = read(ifd, static_cast<uint64_t>(count_size));
    if (cnt.size() < static_cast<std::size_t>(count_size)) return info;
    const uint64_t n = read_uint(cnt, 0, count_size, be);
    if (n == 0 || n > 4096) return info;
    const uint64_t dir_bytes = n * static_cast<uint64_t>(entry_size) + static_cast<uint64_t>(value_size);
    const std::string dir = read(ifd + static_cast<uint64_t>(count_size), dir_bytes);
    if (dir.size() < dir_bytes) return info;
    int64_t w = 0, ht = 0, spp = 1, bps = 1, subfile = 0;
    for (uint64_t i = 0; i < n; ++i) {
      const std::size_t e = static_cast<std::size_t>(i) * static_cast<std::size_t>(entry_size);
      const uint64_t tag = read_uint(dir, e, 2, be);
      const uint64_t type = read_uint(dir, e + 2, 2, be);
      const std::size_t val = e + (big ? 12 : 8);
      // SHORT (3), LONG (4) or LONG8 (16): the first value, stored left-justified in the value field when all
      // values fit there, else at the offset the field holds (BitsPerSample of RGB images).
      int type_size = 0;
      if (type == 3) type_size = 2;
      else if (type == 4) type_size = 4;
      else if (type == 16 && big) type_size = 8;
      else continue;
      const uint64_t count = read_uint(dir, e + 4, big ? 8 : 4, be);
      int64_t v = 0;
      if (count * static_cast<uint64_t>(type_size) <= static_cast<uint64_t>(value_size)) {
        v = static_cast<int64_t>(read_uint(dir, val, type_size, be));
      } else if (tag == 258) {
        const std::string first = read(read_uint(dir, val, value_size, be), static_cast<uint64_t>(type_size));
        if (first.size() < static_cast<std::size_t>(type_size)) return info;
        v = static_cast<int64_t>(read_uint(first, 0, type_size, be));
      } else {
        continue;
      }
      switch (tag) {
        case 254: subfile = v; break;  // NewSubfileType: bit 0 = reduced-resolution (thumbnail)
        case 256: w = v; break;        // ImageWidth
        case 257: ht = v; break;       // ImageLength
        case 258: bps = v; break;      // BitsPerSample (first sample when there are several, stored inline)
        case 277: spp = v; break;      // SamplesPerPixel
        default: break;
      }
    }
    if (w <= 0 || ht <= 0) return info;
    if (info.pages == 0) {
      info.width = w;
      info.height = ht;
      info.channels = static_cast<int>(spp);
      info.bits = static_cast<int>(bps);
    }
    ++info.pages;
    if (info.pages == 1 || (subfile & 1) == 0)  // decoders skip thumbnails after page 1
      info.pixels = add_sat(info.pixels, mul_sat(w, ht));
    ifd = read_uint(dir, static_cast<std::size_t>(n) * static_cast<std::size_t>(entry_size), value_size, be);
  }
  info.complete = info.pages > 0;
  return info;
}

/// SOFn markers (frame headers): C0-CF except C4 (DHT), C8 (JPG extension) and CC (DAC).
bool is_sof(uint8_t m) { return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC; }

ImageInfo probe_jpeg(const ProbeReader& read) {
  ImageInfo info;
  info.kind = ProbeKind::Jpeg;
  uint64_t pos = 2;  // after SOI
  for (int seg = 0; seg < kMaxProbeJpegSegments; ++seg) {
    const std::string m = read(pos, 4);  // FF, marker code, segment length (big-endian, includes itself)
    if (m.size() < 2 || static_cast<uint8_t>(m[0]) != 0xFF) return info;
    const uint8_t code = static_cast<uint8_t>(m[1]);
    if (code == 0xFF) {  // fill byte before a marker
      pos += 1;
      continue;
    }
    if (code == 0x01 || (code >= 0xD0 && code <= 0xD8)) {  // TEM, RSTn, SOI: no segment
      pos += 2;
      continue;
    }
    if (code == 0xD9 || code == 0xDA || code == 0x00) return info;  // EOI / SOS before a frame, or no marker
    if (m.size() < 4) return info;
    const uint64_t len = read_uint(m, 2, 2, true);
    if (len < 2) return info;
    if (is_sof(code)) {
      const std::string f = read(pos + 4, 6);  // precision, height, width, components
      if (len < 8 || f.size() < 6) return info;
      info.bits = static_cast<uint8_t>(f[0]);
      info.height = static_cast<int64_t>(read_uint(f, 1, 2, true));
      info.width = static_cast<int64_t>(read_uint(f, 3, 2, true));
      info.channels = static_cast<uint8_t>(f[5]);
      if (info.width <= 0 || info.height <= 0 || info.channels <= 0) return info;  // height 0: set by DNL later
      info.pages = 1;
      info.pixels = info.width * info.height;
      info.complete = true;
      return info;
    }
    pos += 2 + len;
  }
  return info;
}

}  // namespace

ProbeKind probe_kind(std::string_view head) {
  if (head.size() >= 8 && std::memcmp(head.data(), kPngSig, 8) == 0) return ProbeKind::Png;
  if (head.size() >= 4) {
    const auto* d = reinterpret_cast<const uint8_t*>(head.data());
    const bool ii = d[0] == 'I' && d[1] == 'I' && (d[2] == 42 || d[2] == 43) && d[3] == 0;
    const bool mm = d[0] == 'M' && d[1] == 'M' && d[2] == 0 && (d[3] == 42 || d[3] == 43);
    if (ii || mm) return ProbeKind::Tiff;
    if (d[0] == 'P' && d[1] == 'K' && ((d[2] == 3 && d[3] == 4) || (d[2] == 5 && d[3] == 6))) return ProbeKind::Zip;
  }
  if (head.size() >= 3) {
    const auto* d = reinterpret_cast<const uint8_t*>(head.data());
    if (d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return ProbeKind::Jpeg;
  }
  return ProbeKind::Unknown;
}

const char* probe_kind_name(ProbeKind k) {
  switch (k) {
    case ProbeKind::Tiff: return "TIFF";
    case ProbeKind::Png: return "PNG";
    case ProbeKind::Zip: return "zip";
    case ProbeKind::Jpeg: return "JPEG";
    case ProbeKind::Unknown: break;
  }
  return "unknown";
}

ImageInfo probe_image(const ProbeReader& read) {
  ImageInfo info;
  info.kind = probe_kind(read(0, 8));
  if (info.kind == ProbeKind::Png) return probe_png(read);
  if (info.kind == ProbeKind::Tiff) return probe_tiff(read);
  if (info.kind == ProbeKind::Jpeg) return probe_jpeg(read);
  return info;
}

ImageInfo probe_image_bytes(std::string_view head) {
  return probe_image([head](uint64_t offset, uint64_t n) -> std::string {
    if (offset >= head.size()) return {};
    return std::string(head.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(n)));
  });
}

bool has_image_extension(std::string_view name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || name.find('/', dot) != std::string_view::npos) return false;
  std::string e(name.substr(dot));
  for (char& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return e == ".tif" || e == ".tiff" || e == ".png" || e == ".jpg" || e == ".jpeg";
}

}  // namespace ck
