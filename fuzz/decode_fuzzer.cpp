// libFuzzer target: ck::decode_image_stack (src/image/io.h) - the TIFF (libtiff), PNG (libpng) and JPEG
// (libjpeg-turbo) decoders, picked by magic bytes, plus the ImageJ / OME-XML axes of TIFF stacks.
//
// Documented error: ImageError (empty, truncated, corrupt, unknown or unsupported data). Anything else leaving
// decode_image_stack (std::invalid_argument from the axes parsers, std::out_of_range, std::bad_alloc, ...) is a
// bug: it reaches std::terminate and libFuzzer keeps the input as crash-*.
//
// Work cap: an input whose header probe (probe_image_bytes) says more than kMaxFuzzPixels pixels (all pages
// together; when the probe could not read the whole header, the first page it found) is skipped. The decoders
// legitimately accept up to 2^31 px per page and a few hundred bytes of deflate can declare that much, so without
// the cap every such header would be an out-of-memory report rather than a bug. Services apply the same probe
// before decoding (segment_file.cpp, zip_archive.cpp).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "image/io.h"
#include "image/probe.h"

namespace {
constexpr int64_t kMaxFuzzPixels = int64_t{16} << 20;  // 16 MP

void check_stack(const ck::DecodedStack& s) {
  FUZZ_CHECK(!s.pages.empty(), "decoded stack without pages");
  for (const ck::Raster& r : s.pages) {
    FUZZ_CHECK(r.height > 0 && r.width > 0, "page %dx%d", r.width, r.height);
    FUZZ_CHECK(r.channels >= 1 && r.channels <= 4, "page with %d channels", r.channels);
    const size_t want = static_cast<size_t>(r.height) * static_cast<size_t>(r.width) *
                        static_cast<size_t>(r.channels) * static_cast<size_t>(ck::dtype_size(r.dtype));
    FUZZ_CHECK(r.bytes.size() == want, "page holds %zu bytes, %zu expected", r.bytes.size(), want);
  }
  FUZZ_CHECK(!(s.axes && !s.axes_problem.empty()), "axes and an axes problem at once");
  if (!s.axes) return;
  const ck::StackAxes& a = *s.axes;
  FUZZ_CHECK(std::isfinite(a.mpp_x) && a.mpp_x >= 0 && std::isfinite(a.mpp_y) && a.mpp_y >= 0, "mpp %g %g", a.mpp_x,
             a.mpp_y);
  if (a.source != "imagej" && a.source != "ome") return;
  const int64_t planes = int64_t{a.channels} * a.slices * a.frames;
  FUZZ_CHECK(planes == static_cast<int64_t>(s.pages.size()), "axes %dx%dx%d for %zu pages", a.channels, a.slices,
             a.frames, s.pages.size());
  const size_t last = ck::page_index(a, a.channels - 1, a.slices - 1, a.frames - 1);
  FUZZ_CHECK(last == s.pages.size() - 1, "last plane at page %zu of %zu", last, s.pages.size());
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ck::ImageInfo info = ck::probe_image_bytes(std::string_view(reinterpret_cast<const char*>(data), size));
  if (info.pixels > kMaxFuzzPixels) return -1;  // -1: libFuzzer does not add the input to the corpus
  if (!info.complete && info.width > 0 && info.height > 0 && info.width > kMaxFuzzPixels / info.height) return -1;
  try {
    const ck::DecodedStack s = ck::decode_image_stack(data, size, "fuzz");
    check_stack(s);
  } catch (const ck::ImageError& e) {
    FUZZ_CHECK(e.what()[0] != '\0', "empty ImageError");
  }
  return 0;
}
