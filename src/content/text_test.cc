#include "content/text.h"

#include <gtest/gtest.h>

namespace cfr::content {
namespace {

std::string N(std::string_view s) {
  auto r = NormalizeText(s);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::string();
}

TEST(NormalizeTextTest, FoldsWhatScammersUseAgainstFilters) {
  EXPECT_EQ(N("โทร ๐๘๑-๒๓๔-๕๖๗๘"), "โทร 081-234-5678");                            // Thai digits
  EXPECT_EQ(N("คลิก\u200b ลิงก์\u200d\ufeff"), "คลิก ลิงก์");                            // zero-width, BOM
  EXPECT_EQ(N("ｗｗｗ．ｋｂａｎｋ．ｃｏｍ"), "www.kbank.com");                     // full-width (NFKC)
  EXPECT_EQ(N("hxxps://scb-refund[.]com/login"), "https://scb-refund.com/login");  // defanged
  EXPECT_EQ(N("visit kbank(.)co{.}th or mail a[at]b[dot]com"), "visit kbank.co.th or mail a@b.com");
  EXPECT_EQ(N("pаypal.com"), "paypal.com");  // a Cyrillic а among Latin letters
  EXPECT_EQ(N("Москва"), "Москва");          // a Cyrillic word stays Cyrillic
  EXPECT_EQ(N("call 0 8 1 2 3 4 5 6 7 8 now"), "call 0812345678 now");
  EXPECT_EQ(N("OTP 1 2 3"), "OTP 1 2 3");  // too few to be a spaced-out number
  EXPECT_EQ(N("line1\nline2\t\tend  "), "line1 line2 end");
  EXPECT_EQ(N("hxxplogin.example"), "hxxplogin.example");  // only a scheme is refanged
  EXPECT_EQ(N("กรุณาชำระ"), "กรุณาชำระ");                    // SARA AM stays one letter (NFKC splits it)
  EXPECT_EQ(N("ลุ้นรถเเละทอง"), "ลุ้นรถและทอง");               // SARA E twice is SARA AE
}

TEST(NormalizeTextTest, BadInputGetsAnAnswerOrAClearError) {
  EXPECT_EQ(NormalizeText("").status().field(), "text");
  EXPECT_EQ(NormalizeText(" \u200b\t").status().field(), "text");
  EXPECT_EQ(N("ok\xff\xfe bytes"), "ok\uFFFD\uFFFD bytes");  // invalid UTF-8 replaced
  EXPECT_EQ(NormalizeText(std::string(kMaxTextBytes + 1, 'a')).status().code(), StatusCode::kPayloadTooLarge);
  EXPECT_TRUE(NormalizeText(std::string(kMaxTextBytes, 'a')).ok());
}

TEST(TokenizeTest, SegmentsThaiAndEnglish) {
  const auto t = Tokenize(N("บัญชีของคุณถูกระงับ Click here NOW รหัส 140026"));
  // ICU's dictionary splits the Thai run into words; case is folded; numbers become shapes.
  ASSERT_GE(t.size(), 7u);
  EXPECT_EQ(t[0], "บัญชี");
  EXPECT_NE(std::find(t.begin(), t.end(), "click"), t.end());
  EXPECT_NE(std::find(t.begin(), t.end(), "now"), t.end());
  EXPECT_NE(std::find(t.begin(), t.end(), "<d6>"), t.end());
  EXPECT_NE(std::find(t.begin(), t.end(), "ระงับ"), t.end());
  for (const auto& w : t) EXPECT_EQ(w.find(' '), std::string::npos);
}

TEST(TokenizeTest, ScriptOfAText) {
  EXPECT_EQ(DominantScript("บัญชีของคุณ www.x.com"), "th");
  EXPECT_EQ(DominantScript("Your account was locked"), "en");
  EXPECT_EQ(DominantScript("12345"), "other");
}

}  // namespace
}  // namespace cfr::content
