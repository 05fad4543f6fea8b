// Output names: one rule for the CLI and the service (pipeline/output_names.h).
#include <gtest/gtest.h>

#include "pipeline/output_names.h"

using namespace ck;
using V = std::vector<std::string>;

TEST(OutputNames, StemsAreUsedWhenUniqueAndPagesAreOneBased) {
  OutputNamer n({"a.png", "stack.tif"});
  EXPECT_EQ(n.assign(0, 1), V{"a"});
  EXPECT_EQ(n.assign(1, 3), (V{"stack_page1", "stack_page2", "stack_page3"}));
}

TEST(OutputNames, SharedStemsKeepTheirFolders) {
  OutputNamer n({"x/a.png", "y/a.png", "a_2.png"});
  EXPECT_EQ(n.assign(0, 1), V{"x_a"});
  EXPECT_EQ(n.assign(1, 1), V{"y_a"});
  EXPECT_EQ(n.assign(2, 1), V{"a_2"});
}

TEST(OutputNames, AGeneratedNameNeverTakesARealOne) {
  OutputNamer n({"a.png", "a_2.png", "sub/a.png"});
  EXPECT_EQ(n.assign(0, 1), V{"a"});
  EXPECT_EQ(n.assign(1, 1), V{"a_2"});
  EXPECT_EQ(n.assign(2, 1), V{"sub_a"});
}

TEST(OutputNames, PageNamesAndFileNamesDoNotCollide) {
  // the real file keeps its own name; the pages move together, whatever the order
  OutputNamer n({"scan.tif", "scan_page1.png"});
  EXPECT_EQ(n.assign(0, 2), (V{"scan_2_page1", "scan_2_page2"}));
  EXPECT_EQ(n.assign(1, 1), V{"scan_page1"});
  OutputNamer m({"scan_page1.png", "scan.tif"});
  EXPECT_EQ(m.assign(0, 1), V{"scan_page1"});
  EXPECT_EQ(m.assign(1, 2), (V{"scan_2_page1", "scan_2_page2"}));
  // a generated suffix skips another input's own name
  OutputNamer k({"a.jpg", "a.png", "a_2.png"});
  EXPECT_EQ(k.assign(0, 1), V{"a"});
  EXPECT_EQ(k.assign(1, 1), V{"a_3"});
  EXPECT_EQ(k.assign(2, 1), V{"a_2"});
}

TEST(OutputNames, SameQualifiedNameInTwoZipsGetsASuffix) {
  OutputNamer n({"a.png", "a.png"});
  EXPECT_EQ(n.assign(0, 1), V{"a"});
  EXPECT_EQ(n.assign(1, 1), V{"a_2"});
  EXPECT_FALSE(n.reserve("a_2"));
  EXPECT_TRUE(n.reserve("b"));
}

TEST(OutputNames, StemsAreSafeFileNames) {
  EXPECT_EQ(output_stem("dir/a.b.tif"), "a.b");
  EXPECT_EQ(output_stem("c:\\x\\y.png"), "y");
  EXPECT_EQ(output_stem("we:ird\x01.png"), "we_ird_");
  EXPECT_EQ(output_stem(".png"), ".png");
  EXPECT_EQ(output_stem(""), "image");
  EXPECT_EQ(output_stem("..") , "image");
}
