#include "ledger/transfer.h"

#include <gtest/gtest.h>

namespace cfr::ledger {
namespace {

const ManualClock kClock(1795789445123);

TEST(TransferTest, ParsesAccountsAndExits) {
  auto t = ParseTransferJson(
      R"({"txn_id":"TX-1","from":{"bank":"KBANK","account":"123-4-56789-0"},"to":{"bank":"SCB","account":"407-1-23456-7"},)"
      R"("amount_satang":150000,"at":"2026-11-01T09:31:00+07:00","channel":"promptpay"})",
      "004", kClock);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->from, "004:1234567890");
  EXPECT_EQ(t->to, "014:4071234567");
  EXPECT_EQ(t->currency, "THB");
  auto cash = ParseTransferJson(
      R"({"txn_id":"TX-2","from":{"bank":"014","account":"4071234567"},"exit":{"type":"abroad","detail":"KH"},)"
      R"("amount_satang":5,"at":1793000000000})",
      "014", kClock);
  ASSERT_TRUE(cash.ok()) << cash.status().ToString();
  EXPECT_EQ(cash->exit, Exit::kAbroad);
  EXPECT_EQ(cash->channel, "other");
  std::string bytes;
  AppendEncoded(*t, &bytes);
  AppendEncoded(*cash, &bytes);
  size_t offset = 0;
  EXPECT_EQ(*DecodeNext(bytes, &offset), *t);
  EXPECT_EQ(*DecodeNext(bytes, &offset), *cash);
  EXPECT_EQ(offset, bytes.size());
  EXPECT_FALSE(DecodeNext(bytes.substr(0, 10), &(offset = 0)).ok());
}

TEST(TransferTest, ErrorsNameTheField) {
  auto field = [](const std::string& json) {
    return ParseTransferJson(json, "014", kClock).status().field();
  };
  const std::string base = R"("txn_id":"T","from":{"bank":"014","account":"4071234567"},)";
  EXPECT_EQ(field("{" + base + R"("to":{"bank":"014","account":"12"},"amount_satang":1,"at":1793000000000})"),
            "to.account");
  EXPECT_EQ(field("{" + base +
                  R"("to":{"bank":"XYZ","account":"4071234568"},"amount_satang":1,"at":1793000000000})"),
            "to.bank");
  EXPECT_EQ(field("{" + base +
                  R"("to":{"bank":"014","account":"4071234568"},"amount_satang":0,"at":1793000000000})"),
            "amount_satang");
  EXPECT_EQ(field("{" + base +
                  R"("to":{"bank":"014","account":"4071234568"},"amount_satang":-5,"at":1793000000000})"),
            "amount_satang");
  EXPECT_EQ(
      field("{" + base +
            R"("to":{"bank":"014","account":"4071234568"},"amount_satang":1,"at":"2099-01-01T00:00:00Z"})"),
      "at");
  EXPECT_EQ(field("{" + base + R"("amount_satang":1,"at":1793000000000})"), "to");
  EXPECT_EQ(field("{" + base + R"("exit":{"type":"moon"},"amount_satang":1,"at":1793000000000})"),
            "exit.type");
  EXPECT_EQ(field("{" + base + R"("exit":{"type":"crypto"},"amount_satang":1,"at":1793000000000})"),
            "exit.detail");
  EXPECT_EQ(field("{" + base +
                  R"("to":{"bank":"014","account":"4071234567"},"amount_satang":1,"at":1793000000000})"),
            "to.account");  // the same account
  EXPECT_EQ(field(R"({"txn_id":"a b","from":{"bank":"014","account":"4071234567"}})"), "txn_id");
  EXPECT_EQ(
      field("{" + base +
            R"("to":{"bank":"014","account":"4071234568"},"amount_satang":1,"at":1793000000000,"x":1})"),
      "x");
}

TEST(TransferTest, CsvRowsNameTheColumn) {
  auto columns = ParseTransferCsvHeader({"txn_id", "from_bank", "from_account", "to_bank", "to_account",
                                         "amount_satang", "at", "exit_type", "exit_detail"});
  ASSERT_TRUE(columns.ok());
  auto t = ParseTransferCsv(
      {"T1", "014", "4071234567", "004", "1234567890", "150000", "2026-11-01T09:31:00Z", "", ""}, *columns,
      "014", kClock);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->to, "004:1234567890");
  auto bad = ParseTransferCsv({"T1", "014", "4071234567", "004", "12", "150000", "1793000000000", "", ""},
                              *columns, "014", kClock);
  EXPECT_EQ(bad.status().field(), "to_account");
  auto amount =
      ParseTransferCsv({"T1", "014", "4071234567", "004", "1234567890", "1.5", "1793000000000", "", ""},
                       *columns, "014", kClock);
  EXPECT_EQ(amount.status().field(), "amount_satang");
  EXPECT_EQ(ParseTransferCsvHeader({"txn_id", "colour"}).status().field(), "header");
  EXPECT_EQ(ParseTransferCsvHeader({"txn_id"}).status().field(), "header");
}

}  // namespace
}  // namespace cfr::ledger

namespace cfr::ledger {
namespace {

TEST(TransferTest, JsonRoundTrip) {
  const ManualClock clock(1795789445123);
  auto t = ParseTransferJson(
      R"({"txn_id":"R1","from":{"bank":"KBANK","account":"123-4-56789-0"},"exit":{"type":"crypto","detail":"bitkub:0xabc"},)"
      R"("amount_satang":777,"at":"2026-11-01T09:31:00Z","channel":"crypto"})",
      "004", clock);
  ASSERT_TRUE(t.ok());
  auto back = ParseTransferJson(TransferToJson(*t), "004", clock);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, *t);
}

}  // namespace
}  // namespace cfr::ledger
