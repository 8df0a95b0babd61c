#include "evidence/slip_qr.h"

#include <gtest/gtest.h>

namespace cfr::evidence {
namespace {

// The example of the Bank of Thailand slip-verification envelope published with the thai-qr-payment
// library's documentation (sending bank 002, reference 0002123123121200011).
constexpr std::string_view kPublished = "004000060000010103002021900021231231212000115102TH91049C30";

TEST(SlipQrTest, ParsesThePublishedExample) {
  auto s = ParseSlipQr(kPublished);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->sending_bank, "002");
  EXPECT_EQ(s->trans_ref, "0002123123121200011");
  EXPECT_TRUE(LooksLikeSlipQr(kPublished));
}

TEST(SlipQrTest, BuildIsTheInverseOfParse) {
  EXPECT_EQ(BuildSlipQr({"002", "0002123123121200011"}), kPublished);
  const SlipQr kbank{"004", "015334143528BPM05134"};
  auto back = ParseSlipQr(BuildSlipQr(kbank));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->sending_bank, kbank.sending_bank);
  EXPECT_EQ(back->trans_ref, kbank.trans_ref);
  // A lower-case checksum is the same checksum.
  std::string lower(kPublished);
  lower.replace(lower.size() - 4, 4, "9c30");
  EXPECT_TRUE(ParseSlipQr(lower).ok());
}

TEST(SlipQrTest, AnAlteredPayloadFailsItsChecksum) {
  std::string altered(kPublished);
  altered[30] = altered[30] == '9' ? '8' : '9';  // one digit of the reference
  auto s = ParseSlipQr(altered);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().field(), "payload");
  EXPECT_NE(s.status().message().find("CRC mismatch"), std::string::npos) << s.status().message();
}

TEST(SlipQrTest, MalformedPayloadsSayWhatIsWrong) {
  struct Case {
    std::string payload, expect;
  };
  const std::vector<Case> cases = {
      {"", "empty"},
      {std::string(kPublished).substr(0, 40), "runs past the end"},
      {"0002010102115802TH63041234", "tag 91"},  // a payment QR, not a slip QR
      {std::string(kPublished).substr(0, std::string(kPublished).size() - 8) + "63049C30", "tag 91"},
  };
  for (const auto& c : cases) {
    auto s = ParseSlipQr(c.payload);
    ASSERT_FALSE(s.ok()) << c.payload;
    EXPECT_NE(s.status().message().find(c.expect), std::string::npos)
        << c.payload << ": " << s.status().message();
  }
  // A payload that is well formed but lacks a field, with a correct checksum.
  for (const auto& [slip, expect] :
       std::vector<std::pair<SlipQr, std::string>>{{{"02", "REF1"}, "3-digit"},
                                                   {{"004", ""}, "transaction reference"},
                                                   {{"0x4", "REF"}, "3-digit"}}) {
    auto s = ParseSlipQr(BuildSlipQr(slip));
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.status().message().find(expect), std::string::npos) << s.status().message();
  }
}

}  // namespace
}  // namespace cfr::evidence
