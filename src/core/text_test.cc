#include "core/text.h"

#include <gtest/gtest.h>

namespace cfr {
namespace {

TEST(TextTest, DecodesAndRejectsBadUtf8) {
  EXPECT_TRUE(IsValidUtf8("abc ภาษาไทย ๑๒๓ 😀"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xE0\xB9"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // beyond U+10FFFF
}

TEST(TextTest, DigitValueFoldsThaiAndFullWidth) {
  size_t pos = 0;
  std::string thai = "๐๙";
  EXPECT_EQ(DigitValue(DecodeUtf8(thai, &pos)), 0);
  EXPECT_EQ(DigitValue(DecodeUtf8(thai, &pos)), 9);
  EXPECT_EQ(DigitValue(0xFF15), 5);
  EXPECT_EQ(DigitValue('a'), -1);
}

TEST(TextTest, TrimsUnicodeSpaceAndInvisibles) {
  EXPECT_EQ(TrimSpace("\xE2\x80\x8B  abc \xC2\xA0\xEF\xBB\xBF"), "abc");
  EXPECT_EQ(TrimSpace("   "), "");
  EXPECT_EQ(TrimSpace("a b"), "a b");
}

TEST(TextTest, QuotesUntrustedInputSafely) {
  EXPECT_EQ(QuoteForMessage("a\nb"), "'a\\x0ab'");
  EXPECT_EQ(QuoteForMessage("\xFF"), "'\xEF\xBF\xBD'");
  EXPECT_EQ(QuoteForMessage("abcdef", 3), "'abc…'");
}

TEST(TextTest, CaseInsensitiveHelpers) {
  EXPECT_TRUE(EqualsIgnoreCase("KBank", "kbank"));
  EXPECT_TRUE(StartsWithIgnoreCase("HTTPS://x", "https://"));
  EXPECT_FALSE(StartsWithIgnoreCase("ht", "https://"));
  EXPECT_EQ(ToLowerAscii("AbC-ก"), "abc-ก");
}

}  // namespace
}  // namespace cfr
