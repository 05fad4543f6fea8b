// libFuzzer target: the typed request parsing (src/jobs/segment_request.h).
//  1. SegmentRequest::from_json on nlohmann::json::parse(input, nullptr, false) (inputs that are not JSON are
//     discarded by the parser, as the REST frontend does with a 400);
//  2. SegmentRequest::from_fields on job-hash fields split from the input: one field per line, "name=value"
//     (a line without '=' is a field with an empty value).
// For every request that parses: from_fields(to_fields()) must not throw and must equal it, and
// OutputChoice::parse(outputs.to_string()) must equal its outputs.
//
// Documented error: RequestError (a std::invalid_argument). Anything else escaping (nlohmann::json's type_error,
// std::out_of_range, ...) is a bug: std::terminate -> crash-*.
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "jobs/segment_request.h"

namespace {

std::string show(const ck::JobFields& f) {
  std::string s;
  for (const auto& [k, v] : f) s += k + "='" + v + "' ";
  return s;
}

void check_round_trip(const ck::SegmentRequest& r) {
  const ck::JobFields f = r.to_fields();
  std::optional<ck::SegmentRequest> back;
  try {
    back = ck::SegmentRequest::from_fields(f);
  } catch (const ck::RequestError& e) {
    FUZZ_CHECK(false, "from_fields(to_fields()) threw: %s; fields: %s", e.what(), show(f).c_str());
  }
  FUZZ_CHECK(*back == r, "from_fields(to_fields()) differs; fields: %s; back: %s", show(f).c_str(),
             show(back->to_fields()).c_str());
  ck::OutputChoice o;
  try {
    o = ck::OutputChoice::parse(r.outputs.to_string());
  } catch (const ck::RequestError& e) {
    FUZZ_CHECK(false, "OutputChoice::parse('%s') threw: %s", r.outputs.to_string().c_str(), e.what());
  }
  FUZZ_CHECK(o == r.outputs, "outputs '%s' do not read back", r.outputs.to_string().c_str());
  const double mpp = r.image_mpp(0.65);
  FUZZ_CHECK(std::isfinite(mpp) && mpp >= 0, "image_mpp %g", mpp);
}

ck::JobFields split_fields(std::string_view in) {
  ck::JobFields f;
  while (!in.empty()) {
    const size_t nl = in.find('\n');
    const std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) f[std::string(line)] = "";
    else f[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const nlohmann::json body = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (!body.is_discarded()) {
    std::optional<ck::SegmentRequest> r;
    try {
      r = ck::SegmentRequest::from_json(body);
    } catch (const ck::RequestError& e) {
      FUZZ_CHECK(e.what()[0] != '\0', "empty error");
    }
    if (r) check_round_trip(*r);
  }
  const ck::JobFields fields = split_fields(std::string_view(reinterpret_cast<const char*>(data), size));
  std::optional<ck::SegmentRequest> r;
  try {
    r = ck::SegmentRequest::from_fields(fields);
  } catch (const ck::RequestError& e) {
    FUZZ_CHECK(e.what()[0] != '\0', "empty error");
  }
  if (r) check_round_trip(*r);
  return 0;
}
