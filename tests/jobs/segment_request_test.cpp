// SegmentRequest: the one parser of request options (jobs/segment_request.h), Kiosk meanings included.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>

#include "jobs/segment_request.h"

using namespace ck;
using nlohmann::json;

TEST(SegmentRequest, KioskScaleMeansImageMppIsScaleTimesModelMpp) {
  const auto r = SegmentRequest::from_json(json{{"dataRescale", 2}, {"dataLabel", 1}});
  EXPECT_DOUBLE_EQ(r.image_mpp(0.65), 1.3);  // scale 2: the image is enlarged x2 before the model
  EXPECT_EQ(r.channel, 1);
  EXPECT_DOUBLE_EQ(SegmentRequest::from_json(json{{"dataRescale", ""}}).image_mpp(0.65), 0.0);
  EXPECT_DOUBLE_EQ(SegmentRequest::from_json(json{{"scale", "1"}}).image_mpp(0.65), 0.0);
  // mpp wins over scale
  EXPECT_DOUBLE_EQ(SegmentRequest::from_json(json{{"scale", 2}, {"mpp", 0.325}}).image_mpp(0.65), 0.325);
}

TEST(SegmentRequest, ChannelsListWinsOverLabel) {
  EXPECT_EQ(SegmentRequest::from_json(json{{"channels", "2,0"}, {"dataLabel", 1}}).channel, 2);
  EXPECT_EQ(SegmentRequest::from_fields({{"channels", ""}, {"label", "3"}}).channel, 3);
  EXPECT_EQ(SegmentRequest::from_fields({{"channels", "1,2"}, {"label", "3"}}).channel, 1);
}

TEST(SegmentRequest, FieldsRoundTrip) {
  SegmentRequest r;
  r.model = "nuclear";
  r.version = "2";
  r.channel = 3;
  r.mpp = 0.325;
  r.scale = 1.5;
  r.outputs = OutputChoice::parse("overlay,preview,-csv");
  r.maxima_threshold = 0.2;
  r.radius = 4;
  r.maxima_algorithm = "peak_local_max";
  EXPECT_EQ(SegmentRequest::from_fields(r.to_fields()), r);
  EXPECT_EQ(r.to_fields().at("outputs"), "-csv,overlay,preview");
  EXPECT_EQ(r.to_fields().at("scale"), "1.5");
}

TEST(SegmentRequest, BadValuesAreOneLineErrorsNamingTheField) {
  auto what = [](const json& body) {
    try {
      SegmentRequest::from_json(body);
    } catch (const RequestError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(what(json{{"dataRescale", -1}}), "'dataRescale' is out of range (0, 1000]: '-1'");
  EXPECT_EQ(what(json{{"dataLabel", 1e300}}), "'dataLabel' is out of range [0, 255]: '1e+300'");
  EXPECT_EQ(what(json{{"dataLabel", "1.5"}}), "'dataLabel' must be a whole number, got '1.5'");
  EXPECT_EQ(what(json{{"mpp", "abc"}}), "'mpp' must be a number, got 'abc'");
  EXPECT_EQ(what(json{{"outputs", "labels,svg"}}),
            "unknown output 'svg' (known: labels, csv, overlay, preview, geojson, rois)");
  EXPECT_EQ(what(json{{"jobForm", 3}}), "'jobForm' must be an object");
  EXPECT_EQ(what(json{{"maxima_threshold", 2}}), "'maxima_threshold' is out of range [0, 1]: '2'");
}

TEST(SegmentRequest, OutputsAcceptListsAndStrings) {
  EXPECT_EQ(SegmentRequest::from_json(json{{"outputs", json::array({"overlay", "preview"})}}).outputs,
            OutputChoice::parse("preview, overlay"));
  EXPECT_TRUE(OutputChoice::parse("").objects_csv);
  EXPECT_FALSE(OutputChoice::parse("").overlay);
}

// Found by fuzz/request_fuzzer.cpp (inputs kept in fuzz/regressions/request/): {"modelName":" "} (or modelVersion)
// kept its blanks in from_json, but from_fields trims every field, so the consumer read back a different request
// from the job hash than the frontend had parsed. from_json now trims names as from_fields does.
TEST(SegmentRequest, FuzzModelNameAndVersionReadBackFromTheJobHash) {
  for (const char* file : {"model_name_blank.json", "model_version_blank.json"}) {
    std::ifstream in(std::string(CK_SOURCE_DIR) + "/fuzz/regressions/request/" + file, std::ios::binary);
    ASSERT_TRUE(in) << file;
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const SegmentRequest r = SegmentRequest::from_json(json::parse(text));
    EXPECT_EQ(r.model, "") << file;
    EXPECT_EQ(r.version, "") << file;
    EXPECT_EQ(SegmentRequest::from_fields(r.to_fields()), r) << file;
  }
  const SegmentRequest r = SegmentRequest::from_json(json{{"modelName", " nuclear\t"}, {"modelVersion", " 2 "}});
  EXPECT_EQ(r.model, "nuclear");
  EXPECT_EQ(r.version, "2");
  EXPECT_EQ(SegmentRequest::from_fields(r.to_fields()), r);
}
