#include "intake/import.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "intake/intake_test_fixture.h"

namespace cfr::intake {
namespace {

using nlohmann::json;

Result<std::vector<ImportRow>> Read(ImportFormat format, std::string_view text, size_t chunk = 5) {
  ReportRowReader reader(format);
  std::vector<ImportRow> rows;
  for (size_t i = 0; i < text.size(); i += chunk)
    CFR_RETURN_IF_ERROR(reader.Feed(text.substr(i, chunk), &rows));
  CFR_RETURN_IF_ERROR(reader.Finish(&rows));
  return rows;
}

// Three reports: R1 over two rows (two mules), R2 on one row without a ref, R3 whose second row
// names an invalid account (line 6) — R3 must leave nothing behind, not even its valid first row.
constexpr std::string_view kCsv =
    "report_ref,victim_name,victim_national_id,victim_province,channel,scam_type,occurred_at,to_bank,to_"
    "account,"
    "amount_satang,transfer_at,scammer_identifiers\n"
    "R1,Somsri K.,1101700230708,Bangkok,hotline,investment,2026-11-01T09:10:00Z,014,4071234567,150000,"
    "2026-11-01T09:31:00Z,line_id:@invest.guru;02-123-4567\n"
    "R1,,,,,,,004,1112223334,\"2,000\",2026-11-01T09:35:00Z,\n"
    ",Malee P.,3100503321447,Khon Kaen,web,romance,2026-11-02T20:00:00Z,014,4071234567,990000,"
    "2026-11-02T20:15:00Z,\n"
    "R3,Niran S.,1103700012346,Phuket,bank,job_task,2026-11-03T10:00:00Z,025,5550001111,1000,"
    "2026-11-03T10:05:00Z,\n"
    "R3,,,,,,,025,12,1000,2026-11-03T10:06:00Z,\n";

class ImportTest : public IntakeTest {
 protected:
  std::vector<RowOutcome> Import(ImportFormat format, std::string_view text) {
    auto rows = Read(format, text);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok()) return {};
    return ImportRows(*intake_, clock_, *rows, format, operator_, 4);
  }
};

TEST_F(ImportTest, CsvRowsMakeReportsAndABadReportLeavesNothing) {
  auto outcomes = Import(ImportFormat::kCsv, kCsv);
  ASSERT_EQ(outcomes.size(), 3u);
  // R1: "2,000" is not a number of satang: the whole report is refused, naming its row and column.
  EXPECT_EQ(outcomes[0].status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(outcomes[0].line, 3u);
  EXPECT_EQ(outcomes[0].status.field(), "amount_satang");
  EXPECT_TRUE(outcomes[1].status.ok()) << outcomes[1].status.ToString();
  EXPECT_EQ(outcomes[1].line, 4u);
  EXPECT_FALSE(outcomes[2].status.ok());
  EXPECT_EQ(outcomes[2].line, 6u);
  EXPECT_EQ(outcomes[2].status.field(), "to_account");
  // Nothing of R1 or R3 was saved.
  EXPECT_FALSE(registry_->Get(ident::Kind::kBankAccount, "004:1112223334")->has_value());
  EXPECT_FALSE(registry_->Get(ident::Kind::kBankAccount, "025:5550001111")->has_value());
  EXPECT_EQ(EntityOf(ident::Kind::kBankAccount, "014:4071234567").reports, 1);
}

TEST_F(ImportTest, ReimportingAFileSavesNothingNew) {
  std::string fixed(kCsv);
  fixed.replace(fixed.find("\"2,000\""), 7, "200000");
  fixed.replace(fixed.find(",025,12,"), 8, ",025,5550002222,");
  auto first = Import(ImportFormat::kCsv, fixed);
  ASSERT_EQ(first.size(), 3u);
  for (const auto& o : first) {
    EXPECT_TRUE(o.status.ok()) << o.line << ": " << o.status.ToString();
    EXPECT_FALSE(o.replayed);
  }
  const auto mule = EntityOf(ident::Kind::kBankAccount, "014:4071234567");
  EXPECT_EQ(mule.reports, 2);
  EXPECT_EQ(mule.victims, 2);
  EXPECT_EQ(mule.loss_satang, 150000 + 990000);
  EXPECT_EQ(EntityOf(ident::Kind::kLineId, "invest.guru").reports, 1);
  // R1's two rows are one report with both transfers.
  const json r1 = json::parse(*intake_->ReportJson(first[0].report_id));
  EXPECT_EQ(r1["loss_transfers"].size(), 2u);
  EXPECT_EQ(r1["total_loss_satang"], 350000);
  EXPECT_EQ(r1["victim"]["province"], "Bangkok");

  auto again = Import(ImportFormat::kCsv, fixed);
  ASSERT_EQ(again.size(), 3u);
  for (size_t i = 0; i < again.size(); ++i) {
    EXPECT_TRUE(again[i].replayed);
    EXPECT_EQ(again[i].report_id, first[i].report_id);
  }
  EXPECT_EQ(EntityOf(ident::Kind::kBankAccount, "014:4071234567").reports, 2);
}

TEST_F(ImportTest, CsvHeaderAndRowShapeErrors) {
  EXPECT_EQ(Read(ImportFormat::kCsv, "channel,scam_type,occurred_at,shoe_size\n").status().field(), "header");
  EXPECT_EQ(Read(ImportFormat::kCsv, "channel,scam_type\n").status().field(), "header");
  EXPECT_EQ(Read(ImportFormat::kCsv, "channel,scam_type,occurred_at,channel\n").status().field(), "header");
  EXPECT_EQ(Read(ImportFormat::kCsv, "").status().field(), "header");
  auto rows = Read(ImportFormat::kCsv, "channel,scam_type,occurred_at\nweb,investment\n\"bad\"x,a,b\n");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_NE((*rows)[0].error.message().find("has 2 fields"), std::string::npos);
  EXPECT_EQ((*rows)[1].line, 3u);
  EXPECT_NE((*rows)[1].error.message().find("malformed CSV"), std::string::npos);
  // Later rows of a report may not contradict its first row.
  auto conflict = Import(ImportFormat::kCsv,
                         "report_ref,channel,scam_type,occurred_at,scammer_identifiers\n"
                         "A,web,investment,2026-11-01T09:10:00Z,0811112222\n"
                         "A,web,romance,,0822223333\n");
  ASSERT_EQ(conflict.size(), 1u);
  EXPECT_EQ(conflict[0].line, 3u);
  EXPECT_EQ(conflict[0].status.field(), "scam_type");
}

TEST_F(ImportTest, NdjsonLinesAreReportBodies) {
  const std::string good =
      R"({"victim":{"name":"A","phone":"0812223333"},"channel":"web","scam_type":"investment",)"
      R"("occurred_at":"2026-11-01T09:10:00Z","scammer_identifiers":[{"value":"0811112222"}]})";
  const std::string bad_field =
      R"({"victim":{"name":"B","phone":"0812224444"},"channel":"web","scam_type":"investment",)"
      R"("occurred_at":"2026-11-01T09:10:00Z","loss_transfers":[{"to":{"bank":"014","account":"1"},)"
      R"("amount_satang":5,"at":"2026-11-01T09:10:00Z"}]})";
  auto outcomes = Import(ImportFormat::kNdjson, good + "\n\n{not json\n" + bad_field + "\n");
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_TRUE(outcomes[0].status.ok());
  EXPECT_EQ(outcomes[1].line, 3u);
  EXPECT_EQ(outcomes[1].status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(outcomes[2].line, 4u);
  EXPECT_EQ(outcomes[2].status.field(), "loss_transfers[0].to.account");
  const std::string line = RowOutcomeJson(outcomes[2], "src");
  const json j = json::parse(line);
  EXPECT_EQ(j["line"], 4);
  EXPECT_EQ(j["error"]["field"], "loss_transfers[0].to.account");
  EXPECT_EQ(j["row"], "src");
  EXPECT_EQ(json::parse(RowOutcomeJson(outcomes[0], ""))["replayed"], false);
}

}  // namespace
}  // namespace cfr::intake
