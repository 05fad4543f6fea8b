// Decodes the shared real data: StarDist sample TIFFs and DSB 2018 PNGs + 16-bit masks, checked
// against the inventories (size, dtype, min..max, number of labels).
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "test_util.h"

namespace ck {
namespace {

const std::string kData = CK_SHARED_DATA;

struct InventoryRow {
  std::string file, size, image_dtype, range, mask_dtype;
  size_t n_labels = 0;
};

std::vector<InventoryRow> read_inventory(const std::string& path) {
  std::ifstream f(path);
  std::vector<InventoryRow> rows;
  std::string line;
  std::getline(f, line);  // header
  while (std::getline(f, line)) {
    if (line.empty()) continue;
    std::istringstream s(line);
    InventoryRow r;
    std::string n;
    std::getline(s, r.file, '\t');
    std::getline(s, r.size, '\t');
    std::getline(s, r.image_dtype, '\t');
    std::getline(s, r.range, '\t');
    std::getline(s, r.mask_dtype, '\t');
    std::getline(s, n, '\t');
    r.n_labels = std::stoul(n);
    rows.push_back(r);
  }
  return rows;
}

std::string range_of(const Raster& r) {
  double lo = 1e300, hi = -1e300;
  for (int y = 0; y < r.height; ++y)
    for (int x = 0; x < r.width; ++x) {
      lo = std::min(lo, r.at(y, x));
      hi = std::max(hi, r.at(y, x));
    }
  return std::to_string(static_cast<long>(lo)) + ".." + std::to_string(static_cast<long>(hi));
}

size_t count_labels(const LabelImage& l) {
  std::set<uint32_t> ids(l.data.begin(), l.data.end());
  ids.erase(0);
  return ids.size();
}

void check_row(const InventoryRow& row, const std::string& image_path, const std::string& mask_path) {
  SCOPED_TRACE(row.file);
  const auto img = decode_image_file(image_path);
  ASSERT_EQ(img.size(), 1u);
  EXPECT_EQ(std::to_string(img[0].width) + "x" + std::to_string(img[0].height), row.size);
  EXPECT_EQ(img[0].channels, 1);
  EXPECT_EQ(dtype_name(img[0].dtype), row.image_dtype);
  EXPECT_EQ(range_of(img[0]), row.range);
  const auto mask = decode_image_file(mask_path);
  ASSERT_EQ(mask.size(), 1u);
  EXPECT_EQ(dtype_name(mask[0].dtype), row.mask_dtype);
  EXPECT_EQ(mask[0].width, img[0].width);
  EXPECT_EQ(mask[0].height, img[0].height);
  EXPECT_EQ(count_labels(to_label_image(mask[0])), row.n_labels);
}

TEST(ImageRealData, StardistSampleTiffsMatchInventory) {
  const std::string root = kData + "/stardist-sample";
  const auto rows = read_inventory(root + "/inventory.tsv");
  ASSERT_EQ(rows.size(), 2u);
  size_t images = 0;
  for (const auto& e : std::filesystem::directory_iterator(root + "/images")) images += e.path().extension() == ".tif";
  EXPECT_EQ(images, 2u);
  for (const auto& row : rows) check_row(row, root + "/images/" + row.file, root + "/masks/" + row.file);
  EXPECT_EQ(rows[0].n_labels, 65u);
  EXPECT_EQ(rows[1].n_labels, 125u);
}

TEST(ImageRealData, DsbPngsAndMasksMatchInventory) {
  const std::string root = kData + "/dsb2018-fluo";
  const auto rows = read_inventory(root + "/inventory.tsv");
  ASSERT_EQ(rows.size(), 541u);
  for (size_t i = 0; i < rows.size(); i += 45)  // 13 files spread over the set
    check_row(rows[i], root + "/images/" + rows[i].file, root + "/masks/" + rows[i].file);
  // the first one exactly, from the inventory text
  EXPECT_EQ(rows[0].size, "256x256");
  EXPECT_EQ(rows[0].n_labels, 27u);
}

TEST(ImageRealData, LabelMaskRoundTripsThroughLabelTiff) {
  const std::string root = kData + "/stardist-sample";
  const LabelImage l = to_label_image(decode_image_file(root + "/masks/dsb_512.tif")[0]);
  const auto bytes = encode_label_tiff(l);
  const auto back = decode_image_bytes(bytes.data(), bytes.size(), "rt.tif");
  EXPECT_EQ(back[0].dtype, DType::U16);
  EXPECT_TRUE(to_label_image(back[0]) == l);
  EXPECT_EQ(count_labels(l), 125u);
}

}  // namespace
}  // namespace ck
