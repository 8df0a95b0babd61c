#include "exchange/exchange.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/hex.h"
#include "intake/intake_test_fixture.h"

namespace cfr::exchange {
namespace {

using nlohmann::json;

// Real parts: reports through Intake into a SQLite store; the exchange over the same store.
class ExchangeTest : public intake::IntakeTest {
 protected:
  void SetUp() override {
    IntakeTest::SetUp();
    exchange_ = std::make_unique<Exchange>(*store_, cipher_, clock_, "AOC",
                                           "Anti Online Scam Operations Centre", nullptr);
    ASSERT_TRUE(
        exchange_
            ->PutPartner(*PartnerFromJson(R"({"id":"KH-NPA","name":"Cambodia NPA","country":"KH"})"), admin_)
            .ok());
  }
  void Report(const std::string& nid, const std::string& account, const std::string& phone) {
    auto r = Submit(
        R"({"victim":{"name":"V","national_id":")" + nid +
        R"("},"channel":"hotline","scam_type":"fake_shopping","occurred_at":"2026-11-20T09:10:00+07:00",
      "loss_transfers":[{"to":{"bank":"BAY","account":")" +
        account + R"("},"amount_satang":500000,"at":"2026-11-20T09:31:00+07:00"}],
      "scammer_identifiers":[{"value":")" +
        phone + R"("},{"value":"https://krungthai-refund.com/login"}]})");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  Agreement Make(const std::string& body) {
    auto a = AgreementFromJson(body);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    auto made = exchange_->CreateAgreement(*a, admin_);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? made->first : Agreement{};
  }
  std::vector<json> Objects(const Agreement& a, const ExportOptions& o = {}) {
    auto r = exchange_->Export(a, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<json> out;
    if (r.ok()) {
      for (const auto& s : r->objects) out.push_back(json::parse(s));
    }
    return out;
  }

  const Actor admin_{"admin", "AOC", "admin"};
  std::unique_ptr<Exchange> exchange_;
};

TEST_F(ExchangeTest, PartnersAndAgreementsNameTheirBadFields) {
  EXPECT_EQ(PartnerFromJson(R"({"id":"kh","name":"x","country":"KH"})").status().field(), "id");
  EXPECT_EQ(PartnerFromJson(R"({"id":"KH-NPA","name":"x","country":"Cambodia"})").status().field(),
            "country");
  EXPECT_EQ(PartnerFromJson(R"({"id":"KH-NPA","name":"x","country":"KH","colour":1})").status().field(),
            "colour");
  EXPECT_EQ(AgreementFromJson(R"({"id":"th-kh","partner":"KH-NPA","kinds":["phone","national_id"]})")
                .status()
                .field(),
            "kinds[1]");  // people's IDs never leave
  EXPECT_EQ(AgreementFromJson(R"({"id":"th-kh","partner":"KH-NPA","kinds":["phone"],"tlp":"purple"})")
                .status()
                .field(),
            "tlp");
  EXPECT_EQ(AgreementFromJson(R"({"id":"th-kh","partner":"KH-NPA","kinds":["phone"],"tiers":["white"]})")
                .status()
                .field(),
            "tiers[0]");
  auto unknown_partner = AgreementFromJson(R"({"id":"th-mm","partner":"MM-X","kinds":["phone"]})");
  ASSERT_TRUE(unknown_partner.ok());
  EXPECT_EQ(exchange_->CreateAgreement(*unknown_partner, admin_).status().code(), StatusCode::kNotFound);
  const Agreement a = Make(R"({"id":"th-kh","partner":"KH-NPA","kinds":["phone"]})");
  EXPECT_EQ(exchange_->CreateAgreement(a, admin_).status().code(), StatusCode::kConflict);
  EXPECT_EQ(a.collection_id.size(), 36u);
  EXPECT_EQ(exchange_->AgreementOfCollection(a.collection_id)->id, "th-kh");
}

TEST_F(ExchangeTest, TheAgreementsKeyIsSealedAndShownOnce) {
  auto a = AgreementFromJson(R"({"id":"th-kh","partner":"KH-NPA","kinds":["phone"],"pseudonymise":true})");
  auto made = exchange_->CreateAgreement(*a, admin_);
  ASSERT_TRUE(made.ok());
  const std::string key_hex = made->second;
  EXPECT_EQ(key_hex.size(), 64u);
  auto rec = store_->Get(kAgreementCollection, "th-kh");
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->value.find(key_hex), std::string::npos);  // only sealed
  auto key = exchange_->AgreementKey("th-kh");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(HexEncode(std::string_view(reinterpret_cast<const char*>(key->data()), key->size())), key_hex);
}

TEST_F(ExchangeTest, TheExportHoldsTheAgreedKindsAndTiersOnly) {
  Report("1101700230708", "5551234567", "0812345678");
  Report("3100503321447", "5551234567", "0899999999");
  // Receiving accounts are dark grey after a victim's complaint; the phones and URL are not listed.
  const Agreement accounts = Make(R"({"id":"th-kh","partner":"KH-NPA","kinds":["bank_account","phone"]})");
  auto objects = Objects(accounts);
  ASSERT_EQ(objects.size(), 2u);  // the account's indicator and sighting
  EXPECT_EQ(objects[0]["type"], "indicator");
  EXPECT_EQ(objects[0]["pattern"],
            "[x-opencfr-identifier:kind = 'bank_account' AND x-opencfr-identifier:value = '025:5551234567']");
  EXPECT_EQ(objects[1]["count"], 2);
  const Agreement wide = Make(
      R"({"id":"th-kh-wide","partner":"KH-NPA","kinds":["bank_account","phone","url"],"tiers":["black","dark_grey","light_grey"],"tlp":"green"})");
  objects = Objects(wide);
  size_t indicators = 0;
  for (const auto& o : objects) {
    if (o["type"] == "indicator") ++indicators;
    EXPECT_EQ(o["object_marking_refs"][0], TlpMarkingId(Tlp::kGreen));
  }
  EXPECT_GE(indicators, 1u);
  // Since: nothing changed after now.
  ExportOptions later;
  later.since_ms = clock_.NowMillis();
  EXPECT_TRUE(Objects(accounts, later).empty());
}

TEST_F(ExchangeTest, PagesResumeWhereTheyStopped) {
  Report("1101700230708", "5551234567", "0812345678");
  Report("3100503321447", "5559999999", "0899999999");
  Report("1509900000017", "5550000001", "0898888888");
  const Agreement a = Make(R"({"id":"th-kh","partner":"KH-NPA","kinds":["bank_account"]})");
  ExportOptions o;
  o.limit = 2;
  auto first = exchange_->Export(a, o);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->entities, 2u);
  ASSERT_FALSE(first->next.empty());
  o.after = first->next;
  auto second = exchange_->Export(a, o);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->entities, 1u);
  EXPECT_TRUE(second->next.empty());
}

TEST_F(ExchangeTest, PseudonymisedExportsCarryNoClearValue) {
  Report("1101700230708", "5551234567", "0812345678");
  const Agreement a =
      Make(R"({"id":"th-cn","partner":"KH-NPA","kinds":["bank_account"],"pseudonymise":true})");
  auto r = exchange_->Export(a, {});
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->objects.empty());
  for (const auto& o : r->objects) EXPECT_EQ(o.find("5551234567"), std::string::npos) << o;
  const Key32 key = *exchange_->AgreementKey("th-cn");
  const json ind = json::parse(r->objects[0]);
  EXPECT_EQ(ind["extensions"][std::string(kExtensionId)]["pseudonym"],
            Pseudonym(key, ident::Kind::kBankAccount, "025:5551234567"));
}

TEST_F(ExchangeTest, EntitiesKnownOnlyFromARedImportAreNeverReshared) {
  Report("1101700230708", "5551234567", "0812345678");
  ASSERT_TRUE(registry_
                  ->Mutate(ident::Kind::kBankAccount, "014:4071234567", admin_,
                           [](registry::Entity* e, bool, registry::HistoryEvent* ev, store::WriteBatch*) {
                             e->tier = registry::Tier::kBlack;
                             e->sources = {"xchg:KH-NPA:red"};
                             ev->action = "imported";
                             return Status::Ok();
                           })
                  .ok());
  const Agreement a = Make(R"({"id":"th-kh","partner":"KH-NPA","kinds":["bank_account"]})");
  for (const auto& o : Objects(a)) EXPECT_EQ(o.dump().find("4071234567"), std::string::npos);
}

}  // namespace
}  // namespace cfr::exchange
