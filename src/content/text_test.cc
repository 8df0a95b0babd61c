#include "content/text.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

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

// Thai-and-ASCII text skips ICU (NFKC's canonical order of the marks and the split SARA AM done
// on the code points): its answer must be ICU's, for real messages and for every short sequence.
TEST(NormalizeTextTest, ThaiFastPathIsIcusAnswer) {
  const auto same = [](const std::string& text) {
    const auto fast = NormalizeText(text);
    const auto icu = internal::NormalizeTextWithIcu(text);
    ASSERT_EQ(fast.ok(), icu.ok()) << text;
    if (fast.ok()) {
      ASSERT_EQ(*fast, *icu) << text;
    } else {
      ASSERT_EQ(fast.status().field(), icu.status().field()) << text;
    }
  };
  for (const char* file : {"/thai-sms/train.tsv", "/uci-sms/train.tsv"}) {
    std::ifstream in(std::string(CFR_SHARED_DATA) + file);
    ASSERT_TRUE(in) << file;
    std::string line;
    while (std::getline(in, line)) same(line.substr(line.find('\t') + 1));
  }
  const auto utf8 = [](char32_t c) {
    std::string out;
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
    return out;
  };
  std::vector<std::string> all = {"a", " ", "\t", "0", "\x7f", ".", "Z"};
  for (char32_t c = 0x0E00; c <= 0x0E7F; ++c) all.push_back(utf8(c));
  for (const auto& a : all) {
    for (const auto& b : all) same("k" + a + b);
  }
  // Marks, SARA AM and its halves, SARA E and AE, after a consonant: every sequence of three.
  std::vector<std::string> marks;
  for (char32_t c : {0x0E01, 0x0E31, 0x0E32, 0x0E33, 0x0E34, 0x0E38, 0x0E39, 0x0E3A, 0x0E40, 0x0E41, 0x0E47,
                     0x0E48, 0x0E49, 0x0E4A, 0x0E4B, 0x0E4C, 0x0E4D, 0x0E4E, 0x0E59}) {
    marks.push_back(utf8(c));
  }
  for (const auto& a : marks) {
    for (const auto& b : marks) {
      for (const auto& c : marks) same("\u0E01" + a + b + c);
    }
  }
  std::mt19937 rng(2026);
  for (int n = 0; n < 20000; ++n) {
    std::string text;
    const size_t length = 1 + rng() % 12;
    for (size_t k = 0; k < length; ++k)
      text += rng() % 3 == 0 ? marks[rng() % marks.size()] : all[rng() % all.size()];
    same(text);
  }
}

// ASCII text is split by a transcription of ICU's word rules: the same tokens as the break
// iterator, for every English message and for random text over the characters the rules treat
// apart (letters, digits, @ . ' : , ; _ and others).
TEST(TokenizeTest, AsciiTokensAreIcus) {
  const auto same = [](const std::string& text) {
    ASSERT_EQ(Tokenize(text), internal::TokenizeWithIcu(text)) << "[" << text << "]";
  };
  std::ifstream in(std::string(CFR_SHARED_DATA) + "/uci-sms/train.tsv");
  ASSERT_TRUE(in);
  std::string line;
  size_t ascii = 0;
  while (std::getline(in, line)) {
    auto n = NormalizeText(line.substr(line.find('\t') + 1));
    if (!n.ok()) continue;
    if (std::all_of(n->begin(), n->end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
      ++ascii;
    same(*n);
  }
  EXPECT_GT(ascii, 3000u);
  const std::string alphabet = "aZ09._',;@:-/ #\"$!?()&+=%*<>[]~`^|\\{}";
  std::mt19937 rng(2026);
  for (int n = 0; n < 300000; ++n) {
    std::string text;
    const size_t length = 1 + rng() % 12;
    for (size_t k = 0; k < length; ++k) {
      // Letters, digits and the rules' punctuation most of the time, anything else now and then.
      text += rng() % 4 == 0 ? alphabet[rng() % alphabet.size()] : alphabet[rng() % 11];
    }
    same(text);
  }
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
  // Characters beyond the BMP (two UTF-16 units, four bytes) do not shift the tokens cut after them.
  EXPECT_EQ(Tokenize("สวัสดี😀ครับ abc 𝐀𝐁 ไทย"), (std::vector<std::string>{"สวัสดี", "ครับ", "abc", "𝐀𝐁", "ไทย"}));
}

TEST(TokenizeTest, ScriptOfAText) {
  EXPECT_EQ(DominantScript("บัญชีของคุณ www.x.com"), "th");
  EXPECT_EQ(DominantScript("Your account was locked"), "en");
  EXPECT_EQ(DominantScript("12345"), "other");
}

}  // namespace
}  // namespace cfr::content
