#include "preprocess/channel.h"

#include <string>

namespace ck {

FloatPlane select_channel(const Raster& r, int channel) {
  if (r.channels < 1)
    throw PreprocessError("channel " + std::to_string(channel) + " out of range: image has " +
                          std::to_string(r.channels) + " channels (valid: none)");
  if (channel < 0 || channel >= r.channels)
    throw PreprocessError("channel " + std::to_string(channel) + " out of range: image has " +
                          std::to_string(r.channels) + " channel" + (r.channels == 1 ? "" : "s") + " (valid: 0.." +
                          std::to_string(r.channels - 1) + ")");
  if (r.height < 0 || r.width < 0)
    throw PreprocessError("raster has negative size " + std::to_string(r.height) + "x" + std::to_string(r.width));
  const size_t expect = static_cast<size_t>(r.height) * static_cast<size_t>(r.width) *
                        static_cast<size_t>(r.channels) * static_cast<size_t>(dtype_size(r.dtype));
  if (r.bytes.size() != expect)
    throw PreprocessError("raster holds " + std::to_string(r.bytes.size()) + " bytes, expected " +
                          std::to_string(expect) + " for " + std::to_string(r.height) + "x" + std::to_string(r.width) +
                          "x" + std::to_string(r.channels) + " " + dtype_name(r.dtype));
  return r.channel(channel);
}

}  // namespace ck
