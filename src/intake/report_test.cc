#include "intake/report.h"

#include <gtest/gtest.h>

namespace cfr::intake {
namespace {

const ManualClock kClock(1795789445123);  // 2026-11-27T14:24:05.123Z

std::string Valid() {
  return R"({
    "victim": {"name": "Somsri K.", "national_id": "1-1017-00230-70-8", "phone": "081-111-2222",
               "province": "Bangkok", "age_band": "55-64"},
    "channel": "hotline",
    "scam_type": "call_centre_impersonation",
    "occurred_at": "2026-11-27T09:10:00+07:00",
    "narrative": "A caller claiming to be from DSI said my account was used for money laundering.",
    "loss_transfers": [
      {"from": {"bank": "KBANK", "account": "123-4-56789-0"}, "to": {"bank": "014", "account": "407-1-23456-7"},
       "amount_satang": 4500000, "at": "2026-11-27T09:31:00+07:00", "channel": "promptpay"},
      {"to": {"promptpay": "089-999-8888"}, "amount_satang": 120000, "at": "2026-11-27T09:40:00+07:00"}
    ],
    "scammer_identifiers": [{"value": "02-123-4567"}, {"kind": "line_id", "value": "@dsi.officer"}],
    "evidence": [{"file_name": "slip.png", "sha256": "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08", "media_type": "image/png"}]
  })";
}

TEST(ReportTest, ParsesAndNormalisesEverything) {
  auto r = ParseReport(Valid(), kClock);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->victim.phone, "+66811112222");
  EXPECT_EQ(r->victim.national_id, "1101700230708");
  ASSERT_EQ(r->loss_transfers.size(), 2u);
  EXPECT_EQ(r->loss_transfers[0].to.canonical, "014:4071234567");
  EXPECT_EQ(r->loss_transfers[0].from_account->canonical, "004:1234567890");
  EXPECT_EQ(r->loss_transfers[1].to.canonical, "mobile:+66899998888");
  EXPECT_EQ(r->loss_transfers[0].at_ms,
            1795789445123 - (14 * 3600 + 24 * 60 + 5) * 1000 - 123 + (2 * 3600 + 31 * 60) * 1000);
  EXPECT_EQ(r->TotalLossSatang(), 4620000);
  ASSERT_EQ(r->scammer_identifiers.size(), 2u);
  EXPECT_EQ(r->scammer_identifiers[0].canonical, "+6621234567");
  EXPECT_EQ(r->scammer_identifiers[1].canonical, "dsi.officer");
  EXPECT_EQ(r->evidence[0].sha256, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
}

struct BadCase {
  std::string from;
  std::string to;
  std::string field;
};

TEST(ReportTest, ErrorsNameTheField) {
  const std::vector<BadCase> cases = {
      {R"("account": "407-1-23456-7")", R"("account": "407-1-23456")", "loss_transfers[0].to.account"},
      {R"("bank": "014")", R"("bank": "999")", "loss_transfers[0].to.bank"},
      {R"("amount_satang": 4500000)", R"("amount_satang": -5)", "loss_transfers[0].amount_satang"},
      {R"("amount_satang": 4500000)", R"("amount_satang": 45000.5)", "loss_transfers[0].amount_satang"},
      {R"("amount_satang": 4500000)", R"("amount_satang": 1000000000000)", "loss_transfers[0].amount_satang"},
      {R"("at": "2026-11-27T09:31:00+07:00")", R"("at": "2027-01-01T00:00:00Z")", "loss_transfers[0].at"},
      {R"("at": "2026-11-27T09:31:00+07:00")", R"("at": "yesterday")", "loss_transfers[0].at"},
      {R"("channel": "promptpay")", R"("channel": "pigeon")", "loss_transfers[0].channel"},
      {R"("scam_type": "call_centre_impersonation")", R"("scam_type": "alien_abduction")", "scam_type"},
      {R"("channel": "hotline")", R"("channel": "fax")", "channel"},
      {R"("national_id": "1-1017-00230-70-8")", R"("national_id": "1-1017-00230-70-9")",
       "victim.national_id"},
      {R"("age_band": "55-64")", R"("age_band": "old")", "victim.age_band"},
      {R"("name": "Somsri K.")", R"("name": "")", "victim.name"},
      {R"({"value": "02-123-4567"})", R"({"value": "not a thing"})", "scammer_identifiers[0].value"},
      {R"({"value": "02-123-4567"})", R"({"value": "0212", "color": 1})", "scammer_identifiers[0].color"},
      {R"("media_type": "image/png")", R"("media_type": 5)", "evidence[0].media_type"},
      {R"("sha256": "9F86)", R"("sha256": "ZZ86)", "evidence[0].sha256"},
      {R"("narrative": )", R"("narative": )", "narative"},
      {R"("occurred_at": "2026-11-27T09:10:00+07:00")", R"("occurred_at": "1999-12-31T00:00:00Z")",
       "occurred_at"},
  };
  for (const BadCase& c : cases) {
    std::string body = Valid();
    const size_t pos = body.find(c.from);
    ASSERT_NE(pos, std::string::npos) << c.from;
    body.replace(pos, c.from.size(), c.to);
    auto r = ParseReport(body, kClock);
    ASSERT_FALSE(r.ok()) << c.to;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.to;
    EXPECT_EQ(r.status().field(), c.field) << c.to << ": " << r.status().message();
  }
}

TEST(ReportTest, StructuralErrors) {
  EXPECT_FALSE(ParseReport("{", kClock).ok());
  EXPECT_FALSE(ParseReport("[]", kClock).ok());
  EXPECT_EQ(ParseReport("{}", kClock).status().field(), "victim");
  auto no_id = ParseReport(R"({"victim":{"name":"x"},"channel":"web","scam_type":"investment",
      "occurred_at":"2026-11-01T00:00:00Z","scammer_identifiers":[{"value":"0812345678"}]})",
                           kClock);
  EXPECT_EQ(no_id.status().field(), "victim");
  auto nothing =
      ParseReport(R"({"victim":{"name":"x","phone":"0812345678"},"channel":"web","scam_type":"investment",
      "occurred_at":"2026-11-01T00:00:00Z"})",
                  kClock);
  EXPECT_EQ(nothing.status().field(), "loss_transfers");
  EXPECT_GE(ScamTypes().size(), 9u);
  EXPECT_NE(FindScamType("romance"), nullptr);
  EXPECT_FALSE(FindScamType("romance")->name_th.empty());
}

}  // namespace
}  // namespace cfr::intake
