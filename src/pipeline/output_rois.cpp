#include "pipeline/output_rois.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>

#include "pipeline/zip_archive.h"

namespace ck {

namespace {

constexpr int kVersion = 228;
constexpr int kTypePolygon = 0, kTypeRect = 1;
constexpr int kSubPixelResolution = 128;
constexpr int kHeaderSize = 64;

void put16(std::string& b, size_t at, int v) {
  b[at] = static_cast<char>((v >> 8) & 0xFF);
  b[at + 1] = static_cast<char>(v & 0xFF);
}
void put32(std::string& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<char>((v >> (24 - 8 * i)) & 0xFF);
}
void append16(std::string& b, int v) {
  b.push_back(static_cast<char>((v >> 8) & 0xFF));
  b.push_back(static_cast<char>(v & 0xFF));
}
void append_float(std::string& b, float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<char>((u >> (24 - 8 * i)) & 0xFF));
}

struct Bounds {
  int top = INT_MAX, left = INT_MAX, bottom = INT_MIN, right = INT_MIN;
  void add(const CornerPoint& p) {
    top = std::min(top, p.y), left = std::min(left, p.x);
    bottom = std::max(bottom, p.y), right = std::max(right, p.x);
  }
};

std::string header(int type, const Bounds& b) {
  std::string h(kHeaderSize, '\0');
  std::memcpy(h.data(), "Iout", 4);
  put16(h, 4, kVersion);
  h[6] = static_cast<char>(type);
  // ImageJ reads these as int16 and takes values below -5000 as unsigned, so up to 60535 read back.
  put16(h, 8, b.top);
  put16(h, 10, b.left);
  put16(h, 12, b.bottom);
  put16(h, 14, b.right);
  return h;
}

}  // namespace

std::string imagej_roi(const ObjectOutline& object) {
  Bounds b;
  for (const auto& piece : object.pieces) {
    for (const auto& p : piece.outer) b.add(p);
  }
  if (object.pieces.empty()) b = Bounds{0, 0, 0, 0};
  if (object.pieces.size() == 1 && object.pieces[0].holes.empty()) {
    const OutlineRing& ring = object.pieces[0].outer;
    const size_t n = ring.size();
    std::string out = header(kTypePolygon, b);
    if (n <= 65535) put16(out, 16, static_cast<int>(n));
    else put32(out, 18, static_cast<uint32_t>(n));  // n = 0 in the header: ImageJ then reads the count here
    const bool big = b.right > 32767 || b.bottom > 32767;
    if (big) put16(out, 50, kSubPixelResolution);
    for (const auto& p : ring) append16(out, p.x - b.left);
    for (const auto& p : ring) append16(out, p.y - b.top);
    if (big) {
      for (const auto& p : ring) append_float(out, static_cast<float>(p.x));
      for (const auto& p : ring) append_float(out, static_cast<float>(p.y));
    }
    return out;
  }
  // Composite: every ring of every piece as a closed subpath; ImageJ's ShapeRoi fills them even-odd.
  std::string out = header(kTypeRect, b);
  uint32_t count = 0;
  std::string shape;
  auto ring_path = [&](const OutlineRing& ring) {
    for (size_t i = 0; i < ring.size(); ++i) {
      append_float(shape, i == 0 ? 0.f : 1.f);  // SEG_MOVETO, SEG_LINETO
      append_float(shape, static_cast<float>(ring[i].x));
      append_float(shape, static_cast<float>(ring[i].y));
      count += 3;
    }
    append_float(shape, 4.f);  // SEG_CLOSE
    count += 1;
  };
  for (const auto& piece : object.pieces) {
    ring_path(piece.outer);
    for (const auto& h : piece.holes) ring_path(h);
  }
  put32(out, 36, count);
  return out + shape;
}

std::string imagej_roi_zip(const std::vector<ObjectOutline>& objects) {
  uint32_t max_label = 0;
  for (const auto& o : objects) max_label = std::max(max_label, o.label);
  const int width = std::max<int>(4, static_cast<int>(std::to_string(max_label).size()));
  std::vector<ZipEntry> entries;
  entries.reserve(objects.size());
  for (const auto& o : objects) {
    std::string name = std::to_string(o.label);
    name.insert(0, static_cast<size_t>(width) - std::min<size_t>(width, name.size()), '0');
    entries.emplace_back(name + ".roi", imagej_roi(o));
  }
  return make_zip(entries);
}

}  // namespace ck
