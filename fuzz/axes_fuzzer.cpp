// libFuzzer target: the axes metadata parsers (src/image/axes.h): parse_imagej_description, imagej_unit_um and
// parse_ome_xml on the input as an ImageDescription, then page_index on what they return.
//
// Documented error: std::invalid_argument (one line) for ImageJ / OME-XML text that is malformed or inconsistent,
// and from page_index for indices out of range. Anything else escaping is a bug (std::terminate -> crash-*);
// so are sizes outside 1..2^31-1 or page indices past the last page.
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "fuzz_check.h"
#include "image/axes.h"

namespace {

void check_axes(const ck::StackAxes& a, std::string_view text) {
  FUZZ_CHECK(a.channels >= 1 && a.slices >= 1 && a.frames >= 1, "sizes %d %d %d", a.channels, a.slices, a.frames);
  const int64_t planes = int64_t{a.channels} * a.slices * a.frames;  // each <= INT_MAX: no overflow in int64
  FUZZ_CHECK(planes <= INT_MAX, "%dx%dx%d planes", a.channels, a.slices, a.frames);
  FUZZ_CHECK(std::isfinite(a.mpp_x) && a.mpp_x >= 0 && std::isfinite(a.mpp_y) && a.mpp_y >= 0, "mpp %g %g", a.mpp_x,
             a.mpp_y);
  FUZZ_CHECK(ck::page_index(a, 0, 0, 0) == 0, "first plane not at page 0");
  const size_t last = ck::page_index(a, a.channels - 1, a.slices - 1, a.frames - 1);
  FUZZ_CHECK(last == static_cast<size_t>(planes - 1), "last plane at %zu of %lld", last,
             static_cast<long long>(planes));
  // a few indices derived from the input: in range -> below the plane count; out of range -> invalid_argument
  size_t h = std::hash<std::string_view>{}(text);
  for (int k = 0; k < 4; ++k) {
    const int c = static_cast<int>(h % (static_cast<size_t>(a.channels) + 2)) - 1;
    h = h * 6364136223846793005u + 1442695040888963407u;
    const int z = static_cast<int>(h % (static_cast<size_t>(a.slices) + 2)) - 1;
    h = h * 6364136223846793005u + 1442695040888963407u;
    const int t = static_cast<int>(h % (static_cast<size_t>(a.frames) + 2)) - 1;
    h = h * 6364136223846793005u + 1442695040888963407u;
    const bool in_range = c >= 0 && c < a.channels && z >= 0 && z < a.slices && t >= 0 && t < a.frames;
    try {
      const size_t i = ck::page_index(a, c, z, t);
      FUZZ_CHECK(in_range, "page_index(%d, %d, %d) did not throw", c, z, t);
      FUZZ_CHECK(i < static_cast<size_t>(planes), "page_index(%d, %d, %d) = %zu of %lld", c, z, t, i,
                 static_cast<long long>(planes));
    } catch (const std::invalid_argument&) {
      FUZZ_CHECK(!in_range, "page_index(%d, %d, %d) threw for an index in range", c, z, t);
    }
  }
}

}  // namespace

/// Runs `parse`; nullopt when it throws the documented std::invalid_argument.
template <typename F>
auto parse_or_nullopt(F&& parse) -> decltype(parse()) {
  try {
    return parse();
  } catch (const std::invalid_argument& e) {
    FUZZ_CHECK(e.what()[0] != '\0', "empty error");
    return std::nullopt;
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto a = parse_or_nullopt([&] { return ck::parse_imagej_description(text); })) {
    FUZZ_CHECK(a->source == "imagej" && a->order == "XYCZT", "source %s order %s", a->source.c_str(),
               a->order.c_str());
    check_axes(*a, text);  // outside the try: page_index must not throw for indices in range
  }
  if (const auto um = parse_or_nullopt([&] { return ck::imagej_unit_um(text); }))
    FUZZ_CHECK(std::isfinite(*um) && *um > 0, "unit %g um", *um);
  if (const auto a = parse_or_nullopt([&] { return ck::parse_ome_xml(text); })) {
    FUZZ_CHECK(a->source == "ome", "source %s", a->source.c_str());
    check_axes(*a, text);
  }
  return 0;
}
