#include "ident/emv_qr.h"

#include <gtest/gtest.h>

namespace cfr::ident {
namespace {

TEST(EmvQrTest, CrcMatchesTheStandardCheckValue) {
  EXPECT_EQ(Crc16CcittFalse("123456789"), 0x29B1);  // CRC-16/CCITT-FALSE catalogue check value
  EXPECT_EQ(Crc16CcittFalse(""), 0xFFFF);
}

TEST(EmvQrTest, ParsesAStaticMobileQr) {
  auto qr = ParsePromptPayQr("00020101021129370016A000000677010111011300668123456785802TH530376463045D82");
  ASSERT_TRUE(qr.ok()) << qr.status().ToString();
  EXPECT_FALSE(qr->dynamic);
  EXPECT_EQ(qr->proxy_type, "mobile");
  EXPECT_EQ(qr->proxy_value, "0066812345678");
  EXPECT_EQ(qr->currency, "764");
  EXPECT_EQ(qr->country, "TH");
  EXPECT_FALSE(qr->amount_satang.has_value());
}

TEST(EmvQrTest, ParsesAmountAndBillPayment) {
  auto qr = ParsePromptPayQr(
      "00020101021230570016A00000067701011201150105536000123010206INV0010304REF25303764540410005802"
      "TH5904SHOP6304CC6B");
  ASSERT_TRUE(qr.ok()) << qr.status().ToString();
  EXPECT_TRUE(qr->dynamic);
  EXPECT_EQ(qr->biller_id, "010553600012301");
  EXPECT_EQ(qr->reference1, "INV001");
  EXPECT_EQ(qr->reference2, "REF2");
  EXPECT_EQ(qr->amount_satang, 100000);
  EXPECT_EQ(qr->merchant_name, "SHOP");
}

TEST(EmvQrTest, TlvRejectsTruncation) {
  EXPECT_FALSE(ParseTlv("0002").ok());
  EXPECT_FALSE(ParseTlv("00050").ok());
  EXPECT_FALSE(ParseTlv("0a0201").ok());
  auto ok = ParseTlv("00020101021");
  EXPECT_FALSE(ok.ok());
  auto fields = ParseTlv("0002010102ab");
  ASSERT_TRUE(fields.ok());
  ASSERT_EQ(fields->size(), 2u);
  EXPECT_EQ((*fields)[1].value, "ab");
}

}  // namespace
}  // namespace cfr::ident
