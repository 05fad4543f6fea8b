// Batch runner with the shipped model: bad inputs fail alone, the rest finish with the right outputs.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "image/io.h"
#include "metrics/evaluate.h"
#include "pipeline/batch.h"
#include "preprocess/preprocess_error.h"
#include "zip_fixture.h"

using namespace ck;
namespace fs = std::filesystem;

namespace {
const std::string kSamples = CK_SOURCE_DIR "/data/samples/images";

Segmenter make_segmenter() {
  const ModelManifest m = find_model("nuclear");
  TorchPredictorOptions o;
  o.threads = 2;
  return Segmenter(m, make_torch_predictor(m, o));
}

std::vector<fs::path> sample_images() {
  std::vector<fs::path> v;
  for (const auto& e : fs::directory_iterator(kSamples)) v.push_back(e.path());
  std::sort(v.begin(), v.end());
  return v;
}
}  // namespace

TEST(PipelineBatch, CorruptFileEmptyZipAndBlankImageAmongRealOnes) {
  const fs::path dir = fs::temp_directory_path() / ("ck_batch_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "in");
  const auto real = sample_images();
  ASSERT_GE(real.size(), 3u);
  for (int i = 0; i < 3; ++i) fs::copy_file(real[i], dir / "in" / real[i].filename());
  {
    std::ofstream(dir / "in" / "corrupt.png", std::ios::binary) << "\x89PNG\r\n\x1a\n garbage";
    const auto zip = make_test_zip({});
    std::ofstream(dir / "in" / "empty.zip", std::ios::binary).write(reinterpret_cast<const char*>(zip.data()), zip.size());
    write_png((dir / "in" / "blank.png").string(), Raster::make(300, 200, 1, DType::U16));  // all zero
  }
  Segmenter seg = make_segmenter();
  BatchOptions opt;
  opt.out_dir = (dir / "out").string();
  opt.progress = false;
  const InputList inputs = expand_inputs({(dir / "in").string()});
  ASSERT_EQ(inputs.images.size(), 5u);
  ASSERT_EQ(inputs.problems.size(), 1u);
  EXPECT_EQ(inputs.problems[0].reason, "zip holds no TIFF, PNG or JPEG image");

  const BatchReport r = run_batch(inputs, seg, opt);
  ASSERT_EQ(r.images.size(), 5u);
  EXPECT_EQ(r.n_ok(), 4);
  EXPECT_EQ(r.n_failed(), 2);  // the corrupt file and the empty zip
  for (const auto& img : r.images) {
    if (img.name == "corrupt") {
      EXPECT_FALSE(img.ok);
      EXPECT_EQ(img.reason.rfind("corrupt PNG", 0), 0u) << img.reason;  // the input is named once, by `origin`
      EXPECT_FALSE(fs::exists(dir / "out" / "corrupt_labels.tif"));
    } else if (img.name == "blank") {
      EXPECT_TRUE(img.ok) << img.reason;
      EXPECT_EQ(img.n_objects, 0);
      EXPECT_EQ(img.warning, "channel 0 is blank (every pixel 0)");
      const LabelImage l = to_label_image(decode_image_file((dir / "out" / "blank_labels.tif").string()).at(0));
      EXPECT_EQ(l.height, 300);
      EXPECT_EQ(l.width, 200);
      for (uint32_t v : l.data) ASSERT_EQ(v, 0u);
    } else {
      EXPECT_TRUE(img.ok) << img.name << ": " << img.reason;
      EXPECT_GT(img.n_objects, 3) << img.name;
      // the label TIFF holds exactly n_objects labels 1..N, and the CSV one row per object
      const LabelImage l = to_label_image(decode_image_file((dir / "out" / (img.name + "_labels.tif")).string()).at(0));
      EXPECT_EQ(*std::max_element(l.data.begin(), l.data.end()), static_cast<uint32_t>(img.n_objects));
      std::ifstream csv(dir / "out" / (img.name + "_objects.csv"));
      int rows = 0;
      for (std::string line; std::getline(csv, line);) ++rows;
      EXPECT_EQ(rows, img.n_objects + 1);
      EXPECT_GT(img.timings.predict, 0.0);
    }
  }
  const auto summary = summary_json(r, seg.manifest(), opt);
  EXPECT_EQ(summary["totals"]["done"], 4);
  EXPECT_EQ(summary["totals"]["failed"], 2);
  EXPECT_EQ(summary["input_errors"][0]["reason"], "zip holds no TIFF, PNG or JPEG image");
  fs::remove_all(dir);
}

TEST(PipelineBatch, MultiPageTiffGivesOneLabelImagePerPage) {
  const fs::path dir = fs::temp_directory_path() / ("ck_batch_pages_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const Raster page = decode_image_file(sample_images()[0].string()).at(0);
  Raster blank = Raster::make(page.height, page.width, 1, page.dtype);
  write_tiff((dir / "stack.tif").string(), {page, blank, page});
  Segmenter seg = make_segmenter();
  BatchOptions opt;
  opt.out_dir = (dir / "out").string();
  opt.progress = false;
  const BatchReport r = run_batch(expand_inputs({(dir / "stack.tif").string()}), seg, opt);
  ASSERT_EQ(r.images.size(), 3u);
  EXPECT_EQ(r.images[0].name, "stack_page1");
  EXPECT_EQ(r.images[2].name, "stack_page3");
  EXPECT_EQ(r.images[1].n_objects, 0);
  EXPECT_GT(r.images[0].n_objects, 0);
  EXPECT_EQ(r.images[0].n_objects, r.images[2].n_objects);  // same page, same result
  const auto a = read_file_bytes((dir / "out" / "stack_page1_labels.tif").string());
  const auto c = read_file_bytes((dir / "out" / "stack_page3_labels.tif").string());
  EXPECT_EQ(a, c);
  fs::remove_all(dir);
}

TEST(PipelineSegmenter, ChannelOutOfRangeAndNanAreClearErrors) {
  Segmenter seg = make_segmenter();
  StageTimings t;
  Raster gray = Raster::make(32, 32, 1, DType::U8);
  SegmentOptions o;
  o.channel = 2;
  try {
    seg.segment(gray, o, t);
    FAIL();
  } catch (const std::exception& e) {
    EXPECT_EQ(std::string(e.what()), "channel 2 out of range: image has 1 channel (valid: 0..0)");
  }
  Raster f = Raster::make(8, 8, 1, DType::F32);
  f.set(3, 3, 0, std::nan(""));
  EXPECT_THROW(seg.segment(f, {}, t), std::runtime_error);
}

TEST(PipelineSegmenter, AnySizeFromOnePixelToSeveralTiles) {
  Segmenter seg = make_segmenter();
  // a 256×256 sample with 27 nuclei, repeated to fill larger canvases
  const Raster real =
      decode_image_file(kSamples + "/1d4a5e729bb96b08370789cad0791f6e52ce0ffe1fcc97a04046420b43c851dd.png").at(0);
  for (auto [h, w] : std::vector<std::pair<int, int>>{{1, 1}, {17, 300}, {255, 257}, {1100, 1500}}) {
    Raster r = Raster::make(h, w, 1, DType::U8);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) r.set(y, x, 0, real.at(y % real.height, x % real.width));
    StageTimings t;
    const Segmentation s = seg.segment(r, {}, t);
    EXPECT_EQ(s.labels.height, h);
    EXPECT_EQ(s.labels.width, w);
    if (h > 200) {
      EXPECT_GT(s.objects.size(), 15u) << h << "x" << w;
    }
  }
}

TEST(PipelineSegmenter, RescaleToModelMppReturnsLabelsAtInputSize) {
  Segmenter seg = make_segmenter();
  const Raster img = decode_image_file(sample_images()[0].string()).at(0);
  StageTimings t;
  SegmentOptions o;
  o.image_mpp = seg.manifest().mpp / 1.25;  // the image has smaller pixels: shrunk by 1.25 for the model
  const Segmentation s = seg.segment(img, o, t);
  EXPECT_EQ(s.labels.height, img.height);
  EXPECT_EQ(s.labels.width, img.width);
  EXPECT_GT(s.objects.size(), 3u);
  EXPECT_EQ(s.objects.back().label, s.objects.size());  // sequential after resizing back
}

TEST(PipelineChannels, BlankDefaultChannelFallsBackToTheOneWithSignalAndSaysSo) {
  // RGB with the stain in blue (np.dstack([z, z, nuclei])): the default segments channel 2, with a warning; the same
  // labels as the plain gray image. An explicit --channel 0 is an error naming channel 2.
  const Raster gray = decode_image_file(sample_images()[0].string()).at(0);
  ASSERT_EQ(gray.channels, 1);
  Raster rgb = Raster::make(gray.height, gray.width, 3, gray.dtype);
  const size_t bps = dtype_size(gray.dtype);
  for (size_t p = 0; p < static_cast<size_t>(gray.height) * gray.width; ++p)
    std::copy_n(gray.bytes.data() + p * bps, bps, rgb.bytes.data() + (p * 3 + 2) * bps);
  Segmenter seg = make_segmenter();
  SegmentOptions auto_opt;
  auto_opt.channel_given = false;
  const PageWork w = prepare_page(rgb, "rgb", auto_opt, seg);
  EXPECT_EQ(w.channel, 2);
  EXPECT_EQ(w.warning, "channel 0 is blank (every pixel 0); segmented channel 2, the one with the most signal "
                       "(choose with --channel, or dataLabel/channels in a job)");
  PageWork w2 = prepare_page(rgb, "rgb", auto_opt, seg);
  predict_page(w2, seg);
  const PageResult from_rgb = finish_page(std::move(w2), auto_opt, OutputChoice{}, seg);
  PageWork g = prepare_page(gray, "gray", SegmentOptions{}, seg);
  EXPECT_TRUE(g.warning.empty());
  predict_page(g, seg);
  const PageResult from_gray = finish_page(std::move(g), SegmentOptions{}, OutputChoice{}, seg);
  EXPECT_GT(from_gray.n_objects, 3);
  EXPECT_EQ(from_rgb.n_objects, from_gray.n_objects);
  EXPECT_EQ(from_rgb.files.at(0).bytes, from_gray.files.at(0).bytes);  // identical label TIFFs
  SegmentOptions explicit0;
  explicit0.channel = 0;
  explicit0.channel_given = true;
  try {
    prepare_page(rgb, "rgb", explicit0, seg);
    FAIL() << "an explicit blank channel must be an error";
  } catch (const PreprocessError& e) {
    EXPECT_EQ(std::string(e.what()), "channel 0 is blank (every pixel 0); channel 2 has signal (--channel 2, or "
                                     "dataLabel/channels 2 in a job)");
  }
  // all channels blank: a warning, no error
  const ChannelChoice none = choose_channel(Raster::make(4, 4, 3, DType::U8), 0, false);
  EXPECT_EQ(none.channel, 0);
  EXPECT_EQ(none.warning, "channel 0 is blank (every pixel 0); so are the other 2 channel(s)");
}

namespace {
/// A real sample as a single-channel plane, and a blank plane of the same size and type.
std::pair<Raster, Raster> nuclei_and_blank() {
  const Raster gray = decode_image_file(sample_images()[0].string()).at(0);
  return {gray, Raster::make(gray.height, gray.width, 1, gray.dtype)};
}
std::vector<uint8_t> tiff_with(const std::vector<Raster>& pages, const std::string& description) {
  TiffWriteOptions o;
  o.description = description;
  return encode_tiff(pages, o);
}
}  // namespace

TEST(PipelineAxes, ImageJHyperstackChannelOfEveryZPlane) {
  // tifffile.imwrite(f, a, imagej=True, metadata={'axes': 'ZCYX'}), Z=3, C=2, nuclei in channel 1: pages are
  // (z0 c0, z0 c1, z1 c0, ...). --channel 1 segments channel 1 of each z plane, named _z1.._z3, with the same labels
  // as the plain plane.
  const auto [nuclei, blank] = nuclei_and_blank();
  const std::string desc = "ImageJ=1.11a\nimages=6\nchannels=2\nslices=3\nhyperstack=true\nmode=grayscale\nloop=false\n";
  const auto bytes = tiff_with({blank, nuclei, blank, nuclei, blank, nuclei}, desc);
  const fs::path dir = fs::temp_directory_path() / ("ck_axes_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "stack.tif", std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  write_png((dir / "plain.png").string(), nuclei);
  Segmenter seg = make_segmenter();
  BatchOptions opt;
  opt.out_dir = (dir / "out").string();
  opt.progress = false;
  opt.request.channel = 1;
  const BatchReport r = run_batch(expand_inputs({(dir / "stack.tif").string()}), seg, opt);
  ASSERT_EQ(r.images.size(), 3u);
  EXPECT_EQ(r.n_failed(), 0);
  EXPECT_EQ(r.images[0].name, "stack_z1");
  EXPECT_EQ(r.images[2].name, "stack_z3");
  EXPECT_EQ(r.images[0].axes, "ImageJ C=2 Z=3 T=1");
  EXPECT_EQ(r.images[0].channel, 1);
  // the plain PNG has one channel: channel 0
  const BatchReport p = run_batch(expand_inputs({(dir / "plain.png").string()}), seg, [&] {
    BatchOptions b = opt;
    b.out_dir = (dir / "out_plain").string();
    b.request.channel = std::nullopt;
    return b;
  }());
  ASSERT_EQ(p.n_ok(), 1);
  const auto want = read_file_bytes((dir / "out_plain" / "plain_labels.tif").string());
  for (const char* z : {"stack_z1", "stack_z2", "stack_z3"})
    EXPECT_EQ(read_file_bytes((dir / "out" / (std::string(z) + "_labels.tif")).string()), want) << z;
  // inconsistent metadata (images=6 but 5 pages) is a per-file error, never a misread
  const auto bad = tiff_with({blank, nuclei, blank, nuclei, blank}, desc);
  std::ofstream(dir / "bad.tif", std::ios::binary).write(reinterpret_cast<const char*>(bad.data()), bad.size());
  const BatchReport b = run_batch(expand_inputs({(dir / "bad.tif").string()}), seg, [&] {
    BatchOptions o2 = opt;
    o2.out_dir = (dir / "out_bad").string();
    return o2;
  }());
  ASSERT_EQ(b.images.size(), 1u);
  EXPECT_FALSE(b.images[0].ok);
  EXPECT_EQ(b.images[0].reason, "ImageJ channels x slices x frames = 2x3x1 = 6 pages, but the file has 5");
  fs::remove_all(dir);
}

TEST(PipelineAxes, OmeTiffTwoChannelsIsOneImageAndGivesItsPixelSize) {
  const auto [nuclei, blank] = nuclei_and_blank();
  const std::string ome =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\">"
      "<Image ID=\"Image:0\"><Pixels ID=\"Pixels:0\" DimensionOrder=\"XYCZT\" Type=\"uint8\" SizeX=\"" +
      std::to_string(nuclei.width) + "\" SizeY=\"" + std::to_string(nuclei.height) +
      "\" SizeC=\"2\" SizeZ=\"1\" SizeT=\"1\" PhysicalSizeX=\"0.65\" PhysicalSizeY=\"0.65\"></Pixels></Image></OME>";
  const auto bytes = tiff_with({blank, nuclei}, ome);
  Segmenter seg = make_segmenter();
  std::vector<std::string> seen;
  SegmentRequest req;  // channel automatic: channel 0 is blank, channel 1 has signal
  const auto pages = segment_file(bytes.data(), bytes.size(), "two.ome.tif",
                                  [&](const std::vector<std::string>& suffixes) {
                                    std::vector<std::string> v;
                                    for (const auto& s : suffixes) v.push_back("two" + s);
                                    return v;
                                  },
                                  req, seg, kDefaultMaxPixels);
  ASSERT_EQ(pages.size(), 1u);  // one plane with 2 channels, not 2 pages
  EXPECT_EQ(pages[0].name, "two");
  EXPECT_TRUE(pages[0].ok) << pages[0].reason;
  EXPECT_GT(pages[0].n_objects, 3);
  EXPECT_NE(pages[0].warning.find("segmented channel 1"), std::string::npos) << pages[0].warning;
}

TEST(PipelineLimits, ThePixelLimitHoldsAtTheModelsResolution) {
  // A 256x256 image said to be at 13 µm/px would be enlarged 20x (5120x5120) for the 0.65 µm/px model: with a
  // limit of 1 MP it fails with both sizes and the limit in the reason, before any resize.
  Raster img = Raster::make(256, 256, 1, DType::U8);
  for (size_t i = 0; i < img.bytes.size(); ++i) img.bytes[i] = static_cast<uint8_t>(i * 7 % 251);
  const std::vector<uint8_t> png = encode_png(img);
  Segmenter seg = make_segmenter();
  SegmentRequest req;
  req.mpp = 13;
  const auto pages = segment_file(png.data(), png.size(), "a.png",
                                  [](const std::vector<std::string>& s) { return std::vector<std::string>(s.size(), "a"); },
                                  req, seg, int64_t{1} << 20);
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_FALSE(pages[0].ok);
  EXPECT_EQ(pages[0].reason, "at the model's 0.65 µm/px this 256x256 px image (13 µm/px) would be 5120x5120 px "
                             "(26214400 pixels), over the limit of 1048576 pixels (--max-pixels)");
  req.mpp = 0.65;  // no rescale: fine
  const auto ok = segment_file(png.data(), png.size(), "a.png",
                               [](const std::vector<std::string>& s) { return std::vector<std::string>(s.size(), "a"); },
                               req, seg, int64_t{1} << 20);
  EXPECT_TRUE(ok.at(0).ok) << ok.at(0).reason;
}

TEST(PipelineLimits, A30000SquarePngFailsFromItsHeaderBeforeDecoding) {
  // A 0.9 MB PNG file that would decode to 900 MP: refused from its IHDR, the others go on.
  const fs::path dir = fs::temp_directory_path() / ("ck_bigpng_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::vector<uint8_t> png = encode_png(Raster::make(8, 8, 1, DType::U8));
  // rewrite IHDR width/height to 30000 (bytes 16-23) and its CRC (bytes 29-32): the decoder would need 900 MP
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) png[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
  };
  put32(16, 30000);
  put32(20, 30000);
  uint32_t crc = 0xffffffffu;
  for (size_t i = 12; i < 29; ++i) {
    crc ^= png[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  put32(29, ~crc);
  std::ofstream(dir / "huge.png", std::ios::binary).write(reinterpret_cast<const char*>(png.data()), png.size());
  fs::copy_file(sample_images()[0], dir / "ok.png");
  Segmenter seg = make_segmenter();
  BatchOptions opt;
  opt.out_dir = (dir / "out").string();
  opt.progress = false;
  const BatchReport r = run_batch(expand_inputs({dir.string()}), seg, opt);
  ASSERT_EQ(r.images.size(), 2u);
  EXPECT_EQ(r.images[0].name, "huge");
  EXPECT_FALSE(r.images[0].ok);
  EXPECT_EQ(r.images[0].reason, "image is 30000x30000 px (1 page(s), 900000000 pixels), over the limit of 268435456 "
                                "pixels (--max-pixels)");
  EXPECT_TRUE(r.images[1].ok);
  fs::remove_all(dir);
}

TEST(PipelineSampleTypes, Int8AndInt32TiffsSegmentLikeTheUint8Original) {
  // The same real image stored as int8 (shifted by -128: percentile normalization ignores the offset) and as int32
  // gives byte-identical label images to the uint8 PNG.
  const Raster u8 = decode_image_file(sample_images()[0].string()).at(0);
  ASSERT_EQ(u8.dtype, DType::U8);
  Raster i8 = Raster::make(u8.height, u8.width, 1, DType::I8), i32 = Raster::make(u8.height, u8.width, 1, DType::I32);
  for (size_t i = 0; i < u8.bytes.size(); ++i) {
    const int8_t a = static_cast<int8_t>(static_cast<int>(u8.bytes[i]) - 128);
    const int32_t b = u8.bytes[i];
    std::memcpy(i8.bytes.data() + i, &a, 1);
    std::memcpy(i32.bytes.data() + 4 * i, &b, 4);
  }
  Segmenter seg = make_segmenter();
  auto labels_of = [&](const std::vector<uint8_t>& file) {
    const auto pages = segment_file(file.data(), file.size(), "x",
                                    [](const std::vector<std::string>& s) { return std::vector<std::string>(s.size(), "x"); },
                                    SegmentRequest{}, seg, kDefaultMaxPixels);
    EXPECT_TRUE(pages.at(0).ok) << pages.at(0).reason;
    return std::make_pair(pages.at(0).n_objects, pages.at(0).files.at(0).bytes);
  };
  const auto want = labels_of(encode_png(u8));
  EXPECT_GT(want.first, 3);
  EXPECT_EQ(labels_of(encode_tiff({i8})), want);
  EXPECT_EQ(labels_of(encode_tiff({i32})), want);
}
