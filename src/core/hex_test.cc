#include "core/hex.h"

#include <gtest/gtest.h>

namespace cfr {
namespace {

TEST(HexTest, RoundTripsAndValidates) {
  const std::string bytes("\x00\x01\xab\xff", 4);
  EXPECT_EQ(HexEncode(bytes), "0001abff");
  EXPECT_EQ(*HexDecode("0001ABff"), bytes);
  EXPECT_EQ(*HexDecode(""), "");
  EXPECT_FALSE(HexDecode("abc").ok());
  EXPECT_FALSE(HexDecode("zz").ok());
}

}  // namespace
}  // namespace cfr
