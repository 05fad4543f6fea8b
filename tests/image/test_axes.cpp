// Axes metadata: ImageJ hyperstack descriptions and OME-XML parsed into StackAxes, page_index in either page
// order, pixel sizes from OME PhysicalSize / ImageJ unit + resolution / TIFF resolution tags, and inconsistent
// metadata reported (DecodedStack::axes_problem), never guessed.
#include <gtest/gtest.h>

#include "test_util.h"

namespace ck {
namespace {

/// `n` pages of 3×4 uint16, page i filled with the value 100 + i (to tell them apart after decoding).
std::vector<Raster> numbered_pages(int n, int channels = 1) {
  std::vector<Raster> pages;
  for (int i = 0; i < n; ++i) {
    Raster r = Raster::make(3, 4, channels, DType::U16);
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 4; ++x)
        for (int c = 0; c < channels; ++c) r.set(y, x, c, 100 + i);
    pages.push_back(std::move(r));
  }
  return pages;
}

DecodedStack stack_of(const std::vector<Raster>& pages, const TiffWriteOptions& o) {
  const auto bytes = encode_tiff(pages, o);
  return decode_image_stack(bytes.data(), bytes.size(), "s.tif");
}

TiffWriteOptions with_description(const std::string& d) {
  TiffWriteOptions o;
  o.description = d;
  return o;
}

/// OME-XML with one image of the given Pixels attributes.
std::string ome(const std::string& pixels_attrs) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\" "
         "UUID=\"urn:uuid:0b3e3c02-1d2c-4a2e-9c3a-0a8d5e7b9f11\">"
         "<Image ID=\"Image:0\" Name=\"test\"><Pixels ID=\"Pixels:0\" Type=\"uint16\" SizeX=\"4\" SizeY=\"3\" " +
         pixels_attrs +
         "><Channel ID=\"Channel:0:0\" SamplesPerPixel=\"1\"/><TiffData/></Pixels></Image></OME>";
}

const char* kTifffileImageJ =
    "ImageJ=1.11a\nimages=6\nchannels=2\nslices=3\nhyperstack=true\nmode=grayscale\nloop=false\n";

// ---------------------------------------------------------------- ImageJ

TEST(ImageAxes, ImageJHyperstackZ3C2) {
  const auto a = parse_imagej_description(kTifffileImageJ);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->channels, 2);
  EXPECT_EQ(a->slices, 3);
  EXPECT_EQ(a->frames, 1);
  EXPECT_EQ(a->order, "XYCZT");
  EXPECT_EQ(a->source, "imagej");
  EXPECT_EQ(a->mpp_x, 0.0);
  EXPECT_EQ(page_index(*a, 1, 2, 0), 5u);
  EXPECT_EQ(page_index(*a, 0, 0, 0), 0u);
  EXPECT_EQ(page_index(*a, 1, 0, 0), 1u);
  EXPECT_EQ(page_index(*a, 0, 1, 0), 2u);
  EXPECT_EQ(page_index(*a, 0, 2, 0), 4u);
}

TEST(ImageAxes, ImageJHyperstackDecodedFromTiff) {
  // pages written as tifffile writes a ZCYX array: page = z * C + c
  const DecodedStack s = stack_of(numbered_pages(6), with_description(kTifffileImageJ));
  ASSERT_EQ(s.pages.size(), 6u);
  EXPECT_EQ(s.axes_problem, "");
  ASSERT_TRUE(s.axes.has_value());
  EXPECT_EQ(s.axes->channels, 2);
  EXPECT_EQ(s.axes->slices, 3);
  EXPECT_EQ(s.axes->frames, 1);
  EXPECT_EQ(s.axes->source, "imagej");
  EXPECT_EQ(s.axes->mpp_x, 0.0);  // no resolution tags
  for (int z = 0; z < 3; ++z)
    for (int c = 0; c < 2; ++c) EXPECT_EQ(s.pages[page_index(*s.axes, c, z, 0)].at(1, 1), 100 + z * 2 + c);
  // decode_image_bytes gives the same pages
  const auto bytes = encode_tiff(numbered_pages(6), with_description(kTifffileImageJ));
  const auto pages = decode_image_bytes(bytes.data(), bytes.size(), "s.tif");
  ASSERT_EQ(pages.size(), 6u);
  EXPECT_TRUE(pages[5].bytes == s.pages[5].bytes);
}

TEST(ImageAxes, ImageJFramesAndPlainStacks) {
  auto a = parse_imagej_description("ImageJ=1.53t\nimages=24\nchannels=2\nslices=3\nframes=4\nhyperstack=true\n");
  ASSERT_TRUE(a);
  EXPECT_EQ(page_index(*a, 1, 2, 3), 23u);
  EXPECT_EQ(page_index(*a, 0, 0, 1), 6u);
  a = parse_imagej_description("ImageJ=1.43d\r\nimages=5\r\n");  // no sizes: a z-stack
  ASSERT_TRUE(a);
  EXPECT_EQ(a->channels, 1);
  EXPECT_EQ(a->slices, 5);
  EXPECT_EQ(a->frames, 1);
  a = parse_imagej_description("ImageJ=1.53t\nimages=7\nframes=7\n");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->slices, 1);
  EXPECT_EQ(a->frames, 7);
  a = parse_imagej_description("ImageJ=1.53t\n");  // single image
  ASSERT_TRUE(a);
  EXPECT_EQ(a->channels * a->slices * a->frames, 1);
}

TEST(ImageAxes, NotImageJIsNullopt) {
  EXPECT_FALSE(parse_imagej_description(""));
  EXPECT_FALSE(parse_imagej_description("images=6\nchannels=2\n"));
  EXPECT_FALSE(parse_imagej_description(ome("SizeC=\"1\" SizeZ=\"1\" SizeT=\"1\" DimensionOrder=\"XYCZT\"")));
  EXPECT_FALSE(imagej_unit_um("unit=micron\n"));
}

TEST(ImageAxes, ImageJMalformedThrowsOneLine) {
  auto message = [](const std::string& d) {
    try {
      parse_imagej_description(d);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("<no error>");
  };
  EXPECT_EQ(message("ImageJ=1.11a\nimages=6\nchannels=two\n"), "ImageJ channels must be a whole number >= 1, got 'two'");
  EXPECT_EQ(message("ImageJ=1.11a\nchannels=0\n"), "ImageJ channels must be a whole number >= 1, got '0'");
  EXPECT_EQ(message("ImageJ=1.11a\nslices=-3\n"), "ImageJ slices must be a whole number >= 1, got '-3'");
  EXPECT_EQ(message("ImageJ=1.11a\nframes=2.5\n"), "ImageJ frames must be a whole number >= 1, got '2.5'");
  EXPECT_EQ(message("ImageJ=1.11a\nframes=99999999999\n"),
            "ImageJ frames must be a whole number >= 1, got '99999999999'");
  EXPECT_EQ(message("ImageJ=1.11a\nimages=7\nchannels=2\nslices=3\n"),
            "ImageJ images=7 but channels x slices x frames = 2x3x1 = 6");
}

TEST(ImageAxes, ImageJUnits) {
  EXPECT_EQ(imagej_unit_um("ImageJ=1.53t\nunit=micron\n"), 1.0);
  EXPECT_EQ(imagej_unit_um("ImageJ=1.53t\nunit=\\u00B5m\n"), 1.0);
  EXPECT_EQ(imagej_unit_um("ImageJ=1.53t\nunit=\xC2\xB5m\n"), 1.0);
  EXPECT_EQ(imagej_unit_um("ImageJ=1.53t\nunit=um\n"), 1.0);
  EXPECT_EQ(imagej_unit_um("ImageJ=1.53t\nunit=nm\n"), 1e-3);
  EXPECT_EQ(imagej_unit_um("ImageJ=1.53t\nunit=mm\n"), 1e3);
  EXPECT_EQ(imagej_unit_um("ImageJ=1.53t\nunit=cm\n"), 1e4);
  EXPECT_EQ(imagej_unit_um("ImageJ=1.53t\nunit=inch\n"), 25400.0);
  EXPECT_FALSE(imagej_unit_um("ImageJ=1.53t\nunit=pixel\n"));
  EXPECT_FALSE(imagej_unit_um("ImageJ=1.53t\nimages=2\n"));
  EXPECT_THROW(imagej_unit_um("ImageJ=1.53t\nunit=furlong\n"), std::invalid_argument);
}

TEST(ImageAxes, ImageJMicronResolutionGivesMpp) {
  // ImageJ: unit=micron, XResolution in pixels per micron, ResolutionUnit none
  TiffWriteOptions o = with_description("ImageJ=1.53t\nimages=2\nchannels=2\nhyperstack=true\nunit=micron\n");
  o.x_resolution = 3.0769;
  o.y_resolution = 3.0769;
  o.resolution_unit = TiffResolutionUnit::None;
  const DecodedStack s = stack_of(numbered_pages(2), o);
  EXPECT_EQ(s.axes_problem, "");
  ASSERT_TRUE(s.axes);
  EXPECT_EQ(s.axes->source, "imagej");
  EXPECT_EQ(s.axes->channels, 2);
  EXPECT_NEAR(s.axes->mpp_x, 0.325, 1e-5);
  EXPECT_NEAR(s.axes->mpp_y, 0.325, 1e-5);
  // the description's unit wins over a ResolutionUnit that disagrees
  o.resolution_unit = TiffResolutionUnit::Centimeter;
  EXPECT_NEAR(stack_of(numbered_pages(2), o).axes->mpp_x, 0.325, 1e-5);
  // no unit in the description: the TIFF ResolutionUnit (centimeter: 10^4 µm)
  o.description = "ImageJ=1.53t\nimages=2\nchannels=2\n";
  o.x_resolution = o.y_resolution = 20000;
  EXPECT_NEAR(stack_of(numbered_pages(2), o).axes->mpp_x, 0.5, 1e-9);
  // no unit and ResolutionUnit none: unknown
  o.resolution_unit = TiffResolutionUnit::None;
  const DecodedStack u = stack_of(numbered_pages(2), o);
  ASSERT_TRUE(u.axes);
  EXPECT_EQ(u.axes->mpp_x, 0.0);
  EXPECT_EQ(u.axes->mpp_y, 0.0);
}

TEST(ImageAxes, ImageJPageCountMismatchIsReported) {
  // ImageJ writes files over 4 GiB with one IFD and images=N: not decodable page by page
  const DecodedStack s = stack_of(numbered_pages(5), with_description(kTifffileImageJ));
  EXPECT_EQ(s.pages.size(), 5u);
  EXPECT_FALSE(s.axes);
  EXPECT_EQ(s.axes_problem, "ImageJ channels x slices x frames = 2x3x1 = 6 pages, but the file has 5");
  const DecodedStack bad = stack_of(numbered_pages(6), with_description("ImageJ=1.11a\nimages=6\nchannels=x\n"));
  EXPECT_FALSE(bad.axes);
  EXPECT_EQ(bad.axes_problem, "ImageJ channels must be a whole number >= 1, got 'x'");
  const DecodedStack unit = stack_of(numbered_pages(1), with_description("ImageJ=1.53t\nunit=parsec\n"));
  EXPECT_FALSE(unit.axes);
  EXPECT_EQ(unit.axes_problem, "ImageJ unit 'parsec' is not a supported length unit");
}

// ---------------------------------------------------------------- OME

TEST(ImageAxes, OmeTwoChannelsWithPhysicalSize) {
  const std::string xml = ome(
      "SizeC=\"2\" SizeZ=\"1\" SizeT=\"1\" DimensionOrder=\"XYCZT\" PhysicalSizeX=\"0.325\" "
      "PhysicalSizeY=\"0.325\"");
  const auto a = parse_ome_xml(xml);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->channels, 2);
  EXPECT_EQ(a->slices, 1);
  EXPECT_EQ(a->frames, 1);
  EXPECT_EQ(a->order, "XYCZT");
  EXPECT_EQ(a->source, "ome");
  EXPECT_EQ(a->mpp_x, 0.325);
  EXPECT_EQ(a->mpp_y, 0.325);
  const DecodedStack s = stack_of(numbered_pages(2), with_description(xml));
  EXPECT_EQ(s.axes_problem, "");
  ASSERT_TRUE(s.axes);
  EXPECT_EQ(s.axes->channels, 2);
  EXPECT_EQ(s.axes->mpp_x, 0.325);
  EXPECT_EQ(s.axes->mpp_y, 0.325);
  EXPECT_EQ(s.pages[page_index(*s.axes, 1, 0, 0)].at(0, 0), 101);
}

TEST(ImageAxes, OmeDimensionOrderSetsPageOrder) {
  const std::string zct = ome("SizeC=\"2\" SizeZ=\"3\" SizeT=\"1\" DimensionOrder=\"XYZCT\"");
  const DecodedStack s = stack_of(numbered_pages(6), with_description(zct));
  ASSERT_TRUE(s.axes) << s.axes_problem;
  EXPECT_EQ(s.axes->order, "XYZCT");
  // XYZCT: z fastest, then c: page = c * SizeZ + z
  EXPECT_EQ(page_index(*s.axes, 1, 0, 0), 3u);
  EXPECT_EQ(page_index(*s.axes, 0, 2, 0), 2u);
  EXPECT_EQ(page_index(*s.axes, 1, 2, 0), 5u);
  for (int c = 0; c < 2; ++c)
    for (int z = 0; z < 3; ++z) EXPECT_EQ(s.pages[page_index(*s.axes, c, z, 0)].at(2, 3), 100 + c * 3 + z);
  // the same sizes in XYCZT: c fastest
  auto czt = *s.axes;
  czt.order = "XYCZT";
  EXPECT_EQ(page_index(czt, 1, 0, 0), 1u);
  EXPECT_EQ(page_index(czt, 0, 2, 0), 4u);
  // T first
  const auto tcz = parse_ome_xml(ome("SizeC=\"2\" SizeZ=\"2\" SizeT=\"3\" DimensionOrder=\"XYTCZ\""));
  ASSERT_TRUE(tcz);
  EXPECT_EQ(page_index(*tcz, 1, 1, 2), 2u + 1u * 3u + 1u * 6u);
}

TEST(ImageAxes, OmeFortyChannels) {
  const std::string xml = ome("SizeC=\"40\" SizeZ=\"1\" SizeT=\"1\" DimensionOrder=\"XYCZT\"");
  const DecodedStack s = stack_of(numbered_pages(40), with_description(xml));
  EXPECT_EQ(s.axes_problem, "");
  ASSERT_TRUE(s.axes);
  EXPECT_EQ(s.axes->channels, 40);
  EXPECT_EQ(s.pages[page_index(*s.axes, 39, 0, 0)].at(0, 0), 139);
}

TEST(ImageAxes, OmeInconsistentSizesAreReported) {
  const std::string xml = ome("SizeC=\"2\" SizeZ=\"2\" SizeT=\"1\" DimensionOrder=\"XYCZT\"");
  const DecodedStack s = stack_of(numbered_pages(3), with_description(xml));
  EXPECT_EQ(s.pages.size(), 3u);  // the pages still decode
  EXPECT_FALSE(s.axes);
  EXPECT_EQ(s.axes_problem, "OME-XML SizeC x SizeZ x SizeT = 2x2x1 = 4 pages, but the file has 3");
  EXPECT_EQ(s.axes_problem.find('\n'), std::string::npos);
}

TEST(ImageAxes, OmeMalformedIsReported) {
  auto problem = [](const std::string& attrs, int pages = 1) {
    return stack_of(numbered_pages(pages), with_description(ome(attrs))).axes_problem;
  };
  EXPECT_EQ(problem("SizeC=\"0\" SizeZ=\"1\" SizeT=\"1\" DimensionOrder=\"XYCZT\""),
            "OME-XML SizeC must be a whole number >= 1, got '0'");
  EXPECT_EQ(problem("SizeC=\"1\" SizeZ=\"-2\" SizeT=\"1\" DimensionOrder=\"XYCZT\""),
            "OME-XML SizeZ must be a whole number >= 1, got '-2'");
  EXPECT_EQ(problem("SizeC=\"1\" SizeZ=\"1\" SizeT=\"1x\" DimensionOrder=\"XYCZT\""),
            "OME-XML SizeT must be a whole number >= 1, got '1x'");
  EXPECT_EQ(problem("SizeC=\"1\" SizeZ=\"1\" DimensionOrder=\"XYCZT\""), "OME-XML Pixels has no SizeT");
  EXPECT_EQ(problem("SizeC=\"1\" SizeZ=\"1\" SizeT=\"1\""), "OME-XML Pixels has no DimensionOrder");
  EXPECT_EQ(problem("SizeC=\"1\" SizeZ=\"1\" SizeT=\"1\" DimensionOrder=\"XYCZZ\""),
            "OME-XML DimensionOrder 'XYCZZ' is not one of XYZCT, XYZTC, XYCTZ, XYCZT, XYTCZ, XYTZC");
  EXPECT_EQ(problem("SizeC=\"1\" SizeZ=\"1\" SizeT=\"1\" DimensionOrder=\"XYCZT\" PhysicalSizeX=\"abc\""),
            "OME-XML PhysicalSizeX must be a number > 0, got 'abc'");
  EXPECT_EQ(problem("SizeC=\"1\" SizeZ=\"1\" SizeT=\"1\" DimensionOrder=\"XYCZT\" PhysicalSizeX=\"-0.3\""),
            "OME-XML PhysicalSizeX must be a number > 0, got '-0.3'");
  EXPECT_EQ(problem("SizeC=\"1\" SizeZ=\"1\" SizeT=\"1\" DimensionOrder=\"XYCZT\" PhysicalSizeX=\"1\" "
                    "PhysicalSizeXUnit=\"pixel\""),
            "OME-XML PhysicalSizeXUnit 'pixel' is not a supported length unit");
  EXPECT_EQ(problem("SizeC=\"65536\" SizeZ=\"65536\" SizeT=\"1\" DimensionOrder=\"XYCZT\""),
            "OME-XML SizeC x SizeZ x SizeT is over 2^31-1");
  EXPECT_EQ(stack_of(numbered_pages(1), with_description("<OME><Image ID=\"Image:0\"/></OME>")).axes_problem,
            "OME-XML has no Pixels element");
  EXPECT_EQ(stack_of(numbered_pages(1), with_description("<OME><Image><Pixels SizeC=\"1 /></Image></OME>")).axes_problem,
            "OME-XML: malformed start tag at byte 12");
}

TEST(ImageAxes, OmeUnitsPrefixesCommentsAndEntities) {
  const std::string xml =
      "<?xml version=\"1.0\"?>\n<!-- <Pixels SizeC=\"9\" SizeZ=\"9\" SizeT=\"9\" DimensionOrder=\"XYCZT\"> -->\n"
      "<ome:OME xmlns:ome=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\">"
      "<ome:Image ID=\"Image:0\" Name=\"a &gt; b\"><![CDATA[<Pixels SizeC=\"7\">]]>"
      "<ome:Pixels\n  DimensionOrder='XYZCT' SizeC = \"3\" SizeZ=\"1\" SizeT=\"2\" Name=\"x > y\" "
      "PhysicalSizeX=\"325\" PhysicalSizeXUnit=\"nm\" PhysicalSizeY=\"0.325\" PhysicalSizeYUnit=\"&#181;m\"/>"
      "</ome:Image></ome:OME>";
  const auto a = parse_ome_xml(xml);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->channels, 3);
  EXPECT_EQ(a->slices, 1);
  EXPECT_EQ(a->frames, 2);
  EXPECT_EQ(a->order, "XYZCT");
  EXPECT_DOUBLE_EQ(a->mpp_x, 0.325);
  EXPECT_EQ(a->mpp_y, 0.325);
  const auto mm = parse_ome_xml(ome("SizeC=\"1\" SizeZ=\"1\" SizeT=\"1\" DimensionOrder=\"XYCZT\" "
                                    "PhysicalSizeX=\"0.0005\" PhysicalSizeXUnit=\"mm\" "
                                    "PhysicalSizeY=\"0.5\" PhysicalSizeYUnit=\"\xC2\xB5m\""));
  ASSERT_TRUE(mm);
  EXPECT_DOUBLE_EQ(mm->mpp_x, 0.5);
  EXPECT_EQ(mm->mpp_y, 0.5);
}

TEST(ImageAxes, NotOmeIsNullopt) {
  EXPECT_FALSE(parse_ome_xml(""));
  EXPECT_FALSE(parse_ome_xml("hello <OME>"));  // not XML: does not start with '<'
  EXPECT_FALSE(parse_ome_xml(kTifffileImageJ));
  EXPECT_FALSE(parse_ome_xml("<svg><Pixels SizeC=\"2\" SizeZ=\"1\" SizeT=\"1\" DimensionOrder=\"XYCZT\"/></svg>"));
  EXPECT_FALSE(parse_ome_xml("<a b=\"unterminated></a>"));
  const DecodedStack s = stack_of(numbered_pages(2), with_description("{\"shape\": [2, 3, 4]}"));  // tifffile JSON
  EXPECT_FALSE(s.axes);
  EXPECT_EQ(s.axes_problem, "");
}

TEST(ImageAxes, OmeRgbPagesHoldThreeChannels) {
  // OME counts samples as channels: SizeC=3 with one RGB page per plane
  const std::string xml = ome("SizeC=\"3\" SizeZ=\"2\" SizeT=\"1\" DimensionOrder=\"XYCZT\"");
  const DecodedStack s = stack_of(numbered_pages(2, 3), with_description(xml));
  EXPECT_EQ(s.axes_problem, "");
  ASSERT_TRUE(s.axes);
  EXPECT_EQ(s.axes->channels, 1);
  EXPECT_EQ(s.axes->slices, 2);
  EXPECT_EQ(page_index(*s.axes, 0, 1, 0), 1u);
}

TEST(ImageAxes, OmeWithoutPhysicalSizeFallsBackToResolutionTags) {
  TiffWriteOptions o = with_description(ome("SizeC=\"1\" SizeZ=\"1\" SizeT=\"1\" DimensionOrder=\"XYCZT\""));
  o.x_resolution = 101600;  // px per inch: 0.25 µm/px
  o.y_resolution = 50800;   // 0.5 µm/px
  o.resolution_unit = TiffResolutionUnit::Inch;
  const DecodedStack s = stack_of(numbered_pages(1), o);
  ASSERT_TRUE(s.axes);
  EXPECT_EQ(s.axes->source, "ome");
  EXPECT_NEAR(s.axes->mpp_x, 0.25, 1e-9);
  EXPECT_NEAR(s.axes->mpp_y, 0.5, 1e-9);
}

// ---------------------------------------------------------------- plain TIFF, PNG, page_index

TEST(ImageAxes, PlainTiffResolutionTags) {
  TiffWriteOptions o;
  o.x_resolution = 20000;  // px per cm: 0.5 µm/px
  o.y_resolution = 40000;  // 0.25 µm/px
  o.resolution_unit = TiffResolutionUnit::Centimeter;
  DecodedStack s = stack_of(numbered_pages(1), o);
  ASSERT_TRUE(s.axes);
  EXPECT_EQ(s.axes->source, "tiff-resolution");
  EXPECT_NEAR(s.axes->mpp_x, 0.5, 1e-9);
  EXPECT_NEAR(s.axes->mpp_y, 0.25, 1e-9);
  EXPECT_EQ(s.axes->channels * s.axes->slices * s.axes->frames, 1);
  o.resolution_unit = TiffResolutionUnit::None;  // no unit: unknown, no axes
  s = stack_of(numbered_pages(1), o);
  EXPECT_FALSE(s.axes);
  EXPECT_EQ(s.axes_problem, "");
  s = stack_of(numbered_pages(3), TiffWriteOptions{});  // no metadata at all
  EXPECT_EQ(s.pages.size(), 3u);
  EXPECT_FALSE(s.axes);
  EXPECT_EQ(s.axes_problem, "");
}

TEST(ImageAxes, PngHasNoAxes) {
  const auto png = encode_png(numbered_pages(1)[0]);
  const DecodedStack s = decode_image_stack(png.data(), png.size(), "a.png");
  EXPECT_EQ(s.pages.size(), 1u);
  EXPECT_FALSE(s.axes);
  EXPECT_THROW(decode_image_stack(nullptr, 0, "e.tif"), ImageError);
}

TEST(ImageAxes, PageIndexRejectsOutOfRange) {
  StackAxes a;
  a.channels = 2;
  a.slices = 3;
  EXPECT_EQ(page_index(a, 1, 2, 0), 5u);
  EXPECT_THROW(page_index(a, 2, 0, 0), std::invalid_argument);
  EXPECT_THROW(page_index(a, 0, 3, 0), std::invalid_argument);
  EXPECT_THROW(page_index(a, 0, 0, 1), std::invalid_argument);
  EXPECT_THROW(page_index(a, -1, 0, 0), std::invalid_argument);
  try {
    page_index(a, 0, 5, 0);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "page_index: slice 5 out of range 0..2");
  }
  a.order = "XYCZ";
  EXPECT_THROW(page_index(a, 0, 0, 0), std::invalid_argument);
  a.order = "XYCCT";
  EXPECT_THROW(page_index(a, 0, 0, 0), std::invalid_argument);
  a.order = "XYCZT";
  a.frames = 0;
  EXPECT_THROW(page_index(a, 0, 0, 0), std::invalid_argument);
}

// Found by fuzz/axes_fuzzer.cpp (input kept in fuzz/regressions/axes/): channels=slices=2^31-1, frames=4 overflowed
// int64 in channels x slices x frames (UBSan: signed integer overflow) before the 2^31-1 check; a product that
// wrapped could even pass it. Now the product is checked step by step: one-line std::invalid_argument.
TEST(ImageAxes, FuzzPlaneCountOverInt64ThrowsOneLine) {
  const std::vector<uint8_t> b =
      read_file_bytes(std::string(CK_SOURCE_DIR) + "/fuzz/regressions/axes/imagej_plane_count_overflow.txt");
  const std::string text(b.begin(), b.end());
  try {
    parse_imagej_description(text);
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "ImageJ channels x slices x frames is over 2^31-1");
  }
  EXPECT_THROW(parse_imagej_description("ImageJ=1.54f\nimages=4\nchannels=2147483647\nslices=2147483647\nframes=4\n"),
               std::invalid_argument);
  try {
    parse_ome_xml("<OME><Pixels SizeC=\"2147483647\" SizeZ=\"2147483647\" SizeT=\"2147483647\" "
                  "DimensionOrder=\"XYCZT\"/></OME>");
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "OME-XML SizeC x SizeZ x SizeT is over 2^31-1");
  }
  // still fine just below the limit
  const auto a = parse_imagej_description("ImageJ=1.54f\nchannels=2147483647\n");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->channels, 2147483647);
}

}  // namespace
}  // namespace ck
