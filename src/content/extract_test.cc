#include "content/extract.h"

#include <gtest/gtest.h>

#include "content/text.h"

namespace cfr::content {
namespace {

std::vector<std::string> Found(std::string_view text) {
  auto n = NormalizeText(text);
  EXPECT_TRUE(n.ok());
  std::vector<std::string> out;
  for (const auto& f : ExtractIdentifiers(*n))
    out.push_back(std::string(ident::KindName(f.id.kind)) + " " + f.id.canonical);
  return out;
}

TEST(ExtractTest, LinksInEverySpelling) {
  EXPECT_EQ(Found("เงินในบัญชีของคุณอยู่ในอันตราย ส่งข้อมูลผ่าน www.doomee.com"),
            std::vector<std::string>{"url http://www.doomee.com/"});
  EXPECT_EQ(Found("คลิกhxxps://krungthai-refund[.]com/login?utm_source=sms ด่วน"),
            std::vector<std::string>{"url https://krungthai-refund.com/login"});
  EXPECT_EQ(Found("ลุ้นรับ bit.ly/3xYz ได้เลย"), std::vector<std::string>{"url http://bit.ly/3xYz"});
  EXPECT_TRUE(Found("e.g. this, Dr.Somchai and 1.000 baht").empty());  // not hosts
}

TEST(ExtractTest, PhonesAccountsPromptPayLineWallets) {
  EXPECT_EQ(Found("โทรกลับ 081-234-5678 หรือ +66 81 234 5679"),
            (std::vector<std::string>{"phone +66812345678", "phone +66812345679"}));
  EXPECT_EQ(Found("โอนเข้าบัญชีกสิกรไทย 123-4-56789-0 ภายในวันนี้"),
            std::vector<std::string>{"bank_account 004:1234567890"});
  EXPECT_EQ(Found("โอนผ่านพร้อมเพย์ 0812345678"), std::vector<std::string>{"promptpay mobile:+66812345678"});
  EXPECT_EQ(Found("แอดไลน์ @refund2026 เพื่อรับเงินคืน"), std::vector<std::string>{"line_id refund2026"});
  EXPECT_EQ(Found("ติดต่อ line id: kbank_help"), std::vector<std::string>{"line_id kbank_help"});
  EXPECT_EQ(Found("send USDT to 0x52908400098527886E0F7030069857D2E4169EE7"),
            std::vector<std::string>{"crypto_wallet 0x52908400098527886e0f7030069857d2e4169ee7"});
  EXPECT_TRUE(Found("รหัส OTP 140026 อย่าบอกใคร").empty());        // a code, not a phone
  EXPECT_TRUE(Found("เลขบัตร 1101700230708").empty());            // a person's ID is left alone
  EXPECT_TRUE(Found("send to 0x5290840009852788 now").empty());  // not a wallet
  EXPECT_EQ(Found("mail me: refund@krungthai-refund.com"),
            std::vector<std::string>{"email refund@krungthai-refund.com"});
}

TEST(ExtractTest, BrandsNamedAndLookAlikeLinks) {
  auto brands = [](std::string_view text) {
    auto n = NormalizeText(text);
    std::vector<std::string> out;
    for (const auto& b : FindBrands(*n, ExtractIdentifiers(*n)))
      out.push_back(b.brand->id + (b.by_link ? "+link" : ""));
    return out;
  };
  EXPECT_EQ(brands("ธนาคารกรุงไทยแจ้ง บัญชีของท่านถูกระงับ คลิก https://krungthai-refund.com"),
            std::vector<std::string>{"KTB+link"});
  EXPECT_EQ(brands("Kerry: your parcel is held, pay the fee"), std::vector<std::string>{"KERRY"});
  EXPECT_EQ(brands("พัสดุของท่านจาก ไปรษณีย์ไทย ตกค้าง"), std::vector<std::string>{"THP"});
  EXPECT_EQ(brands("กรมสอบสวนคดีพิเศษ (DSI) แจ้งว่าท่านพัวพันคดี"), std::vector<std::string>{"DSI"});
  EXPECT_TRUE(brands("please describe the speaker").empty());  // no "scb" in describe, no "pea" in speaker
  EXPECT_TRUE(brands("see https://www.kasikornbank.com/th").size() ==
              1);  // the bank's own site: named, not a look-alike
  EXPECT_EQ(brands("see https://www.kasikornbank.com/th"), std::vector<std::string>{"KBANK"});
}

}  // namespace
}  // namespace cfr::content
