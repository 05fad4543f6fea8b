// libFuzzer target: the header probe (src/image/probe.h): probe_kind, probe_image_bytes and probe_image with a
// reader that hands out the bytes in pieces. Documented: none of them throws for bad data, so any exception is a
// bug (it reaches std::terminate); so is a result that contradicts itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "image/io.h"
#include "image/probe.h"

namespace {
void check_info(const ck::ImageInfo& info, ck::ProbeKind kind) {
  FUZZ_CHECK(info.kind == kind, "probe kind %d, probe_kind %d", static_cast<int>(info.kind), static_cast<int>(kind));
  FUZZ_CHECK(info.width >= 0 && info.height >= 0 && info.pages >= 0 && info.pixels >= 0,
             "negative size: %lld x %lld, %lld pages, %lld pixels", static_cast<long long>(info.width),
             static_cast<long long>(info.height), static_cast<long long>(info.pages),
             static_cast<long long>(info.pixels));
  FUZZ_CHECK(info.pages <= ck::kMaxProbePages, "%lld pages", static_cast<long long>(info.pages));
  if (info.complete) {
    FUZZ_CHECK(info.width > 0 && info.height > 0 && info.pages > 0 && info.pixels > 0, "complete but empty");
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view head(reinterpret_cast<const char*>(data), size);
  const ck::ProbeKind kind = ck::probe_kind(head);
  FUZZ_CHECK(ck::probe_kind_name(kind) != nullptr, "no name");
  // probe_kind and the decoders' sniffer agree on the image kinds
  const ck::ImageFormat f = ck::sniff_image_format(data, size);
  const ck::ProbeKind from_sniff = f == ck::ImageFormat::Tiff  ? ck::ProbeKind::Tiff
                                   : f == ck::ImageFormat::Png ? ck::ProbeKind::Png
                                   : f == ck::ImageFormat::Jpeg ? ck::ProbeKind::Jpeg
                                                                : ck::ProbeKind::Unknown;
  FUZZ_CHECK(kind == from_sniff || (kind == ck::ProbeKind::Zip && from_sniff == ck::ProbeKind::Unknown),
             "probe_kind %d, sniff_image_format %d", static_cast<int>(kind), static_cast<int>(f));

  const ck::ImageInfo whole = ck::probe_image_bytes(head);
  check_info(whole, kind);

  // The same through a reader that returns at most 7 bytes per call past the signature (short reads, as at the
  // end of a file): must not throw or read out of bounds; a too-short read may only make the result incomplete.
  const ck::ImageInfo pieces = ck::probe_image([head](uint64_t offset, uint64_t n) -> std::string {
    if (offset >= head.size()) return {};
    const uint64_t k = offset < 8 ? n : (n < 7 ? n : 7);
    return std::string(head.substr(static_cast<size_t>(offset), static_cast<size_t>(k)));
  });
  check_info(pieces, whole.kind);
  return 0;
}
