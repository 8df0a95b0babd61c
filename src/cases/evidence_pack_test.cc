#include "cases/evidence_pack.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "auth/audit.h"
#include "intake/intake_test_fixture.h"

namespace cfr::cases {
namespace {

using nlohmann::json;

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// Everything through an audited store, as in `cfr serve`, so that the pack's audit trail is real.
class EvidencePackTest : public intake::IntakeTest {
 protected:
  void SetUp() override {
    IntakeTest::SetUp();
    audited_ = std::make_unique<auth::AuditedStore>(*store_, clock_, intake::PersonalCollections());
    registry2_ = std::make_unique<registry::Registry>(*audited_, clock_);
    intake2_ =
        std::make_unique<intake::Intake>(*audited_, *registry2_, clock_, std::string(32, 'f'), cipher_);
    orders_ = std::make_unique<OrderBook>(*audited_, clock_, OrderRules{});
    cases_ = std::make_unique<CaseBook>(*audited_, *registry2_, *orders_, clock_, CaseRules{});
  }
  void TearDown() override {
    cases_.reset();
    orders_.reset();
    intake2_.reset();
    registry2_.reset();
    audited_.reset();
    IntakeTest::TearDown();
  }
  std::unique_ptr<auth::AuditedStore> audited_;
  std::unique_ptr<registry::Registry> registry2_;
  std::unique_ptr<intake::Intake> intake2_;
  std::unique_ptr<OrderBook> orders_;
  std::unique_ptr<CaseBook> cases_;
};

TEST_F(EvidencePackTest, ThePackHoldsTheCaseWithAManifestOfHashes) {
  const Actor officer("somchai.k", "AOC", "operator", "key:1");
  std::string case_id, report_json;
  {
    auth::AuditScope scope({officer, "10.0.0.5", "POST /api/v1/reports", "/api/v1/reports"});
    const std::string body = R"({"victim":{"name":"Somsri <b>K.</b>","national_id":"1101700230708"},
      "channel":"hotline","scam_type":"call_centre_impersonation","occurred_at":"2026-11-27T09:10:00+07:00",
      "loss_transfers":[{"to":{"bank":"BAY","account":"555-1-23456-7"},"amount_satang":4500000,"at":"2026-11-27T09:31:00+07:00"}],
      "scammer_identifiers":[{"value":"02-123-4567"}]})";
    auto r = intake2_->Submit(*intake::ParseReport(body, clock_), "", body, officer);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    case_id = r->case_id;
    report_json = r->report_json;
  }
  auto issued = orders_->IssueForReport(report_json, nullptr);
  ASSERT_TRUE(issued.ok() && issued->size() == 1);
  ASSERT_TRUE(orders_->Execute((*issued)[0].id, 4000000, "", Actor("bay", "BAY", "bank")).ok());
  auth::AuditChain chain(*store_, auth::Keyring::ForTesting({{"k1", auth::Key32{1}}}));
  ASSERT_TRUE(chain.SealAll().ok());

  EvidenceSources src;
  src.store = audited_.get();
  src.raw_store = store_.get();
  src.cases = cases_.get();
  src.orders = orders_.get();
  src.intake = intake2_.get();
  src.registry = registry2_.get();
  src.clock = &clock_;
  const Actor police("pol.anan", "RTP-CIB", "police", "key:2");
  auto pack = BuildEvidencePack(src, case_id, police);
  ASSERT_TRUE(pack.ok()) << pack.status().ToString();
  std::vector<std::string> names;
  for (const auto& f : pack->files) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"case.json", "reports.json", "entities.json", "orders.json",
                                             "trails.json", "audit.json", "case.html", "manifest.json"}));
  const json manifest = json::parse(pack->files.back().content);
  ASSERT_EQ(manifest["files"].size(), 7u);
  for (size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(manifest["files"][i]["name"], pack->files[i].name);
    EXPECT_EQ(manifest["files"][i]["sha256"], Sha256Hex(pack->files[i].content));
    EXPECT_EQ(manifest["files"][i]["bytes"], pack->files[i].content.size());
  }
  EXPECT_EQ(manifest["generated_by"]["user"], "pol.anan");
  EXPECT_TRUE(manifest["audit_head_hash"].is_string());
  const json reports = json::parse(pack->files[1].content);
  EXPECT_EQ(reports[0]["victim_personal_data"]["name"],
            "Somsri <b>K.</b>");                              // the police get the complainant
  EXPECT_EQ(json::parse(pack->files[2].content).size(), 2u);  // the account and the phone
  EXPECT_EQ(json::parse(pack->files[3].content)[0]["held_satang"], 4000000);
  const json audit = json::parse(pack->files[5].content);
  ASSERT_GE(audit.size(), 2u);  // the report's commit and the order's, at least
  EXPECT_EQ(audit[0]["user"], "somchai.k");
  const std::string& html = pack->files[6].content;
  EXPECT_NE(html.find(case_id), std::string::npos);
  EXPECT_NE(html.find("THB 45,000.00"), std::string::npos);
  EXPECT_NE(html.find("Somsri &lt;b&gt;K.&lt;/b&gt;"), std::string::npos);  // escaped
  EXPECT_EQ(html.find("<b>K.</b>"), std::string::npos);
  EXPECT_EQ(BuildEvidencePack(src, "CFR-2026-999999", police).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace cfr::cases
