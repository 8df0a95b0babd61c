#include "registry/registry.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <limits>
#include <thread>

#include "store/sqlite/sqlite_store.h"
#include "store/testing.h"

namespace cfr::registry {
namespace {

const Actor kPolice{"pol.somchai", "RTP-CIB", "police"};
const Actor kBank{"kbank-fraud", "KBANK", "bank"};
const Actor kOperator{"op.nok", "AOC", "operator"};
const Actor kPublic{"anonymous", "", "public"};

class RegistryTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cfr-registry-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = std::move(*store::OpenTestStore((dir_ / "cfr.db").string()));
    registry_ = std::make_unique<Registry>(*store_, clock_);
  }
  void TearDown() override {
    registry_.reset();
    IgnoreError(store_->Close());
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  ManualClock clock_{1795789445123};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Registry> registry_;
};

TEST_F(RegistryTest, ListingCreatesTheEntityWithHistory) {
  auto e = registry_->List(ident::Kind::kBankAccount, "004:1234567890", "KBANK xxxxxx7890", Tier::kDarkGrey,
                           kBank, "mule account found by our monitoring");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->tier, Tier::kDarkGrey);
  EXPECT_EQ(e->version, 1);
  EXPECT_EQ(e->sources, std::vector<std::string>{"KBANK"});
  EXPECT_EQ(e->first_seen_ms, clock_.NowMillis());
  EXPECT_GT(e->risk_score, 0);
  clock_.Advance(60000);
  auto black =
      registry_->List(ident::Kind::kBankAccount, "004:1234567890", "", Tier::kBlack, kPolice, "case 12/2569");
  ASSERT_TRUE(black.ok());
  EXPECT_EQ(black->version, 2);
  EXPECT_EQ(black->sources, (std::vector<std::string>{"KBANK", "RTP-CIB"}));
  auto history = registry_->History(ident::Kind::kBankAccount, "004:1234567890", 0, 100);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].from_tier, "none");
  EXPECT_EQ((*history)[0].to_tier, "dark_grey");
  EXPECT_EQ((*history)[0].actor.agency, "KBANK");
  EXPECT_EQ((*history)[1].to_tier, "black");
  EXPECT_EQ((*history)[1].reason, "case 12/2569");
  EXPECT_EQ((*history)[1].at_ms, clock_.NowMillis());
  auto paged = registry_->History(ident::Kind::kBankAccount, "004:1234567890", 1, 100);
  ASSERT_TRUE(paged.ok());
  ASSERT_EQ(paged->size(), 1u);
  EXPECT_EQ((*paged)[0].version, 2);
}

TEST_F(RegistryTest, ListingRulesFollowTheRole) {
  auto bank_black = registry_->List(ident::Kind::kPhone, "+66812345678", "", Tier::kBlack, kBank, "x");
  ASSERT_FALSE(bank_black.ok());
  EXPECT_EQ(bank_black.status().code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(registry_->List(ident::Kind::kPhone, "+66812345678", "", Tier::kLightGrey, kPublic, "x").ok());
  auto white = registry_->List(ident::Kind::kPhone, "+66812345678", "", Tier::kWhite, kPolice, "x");
  ASSERT_FALSE(white.ok());
  EXPECT_EQ(white.status().field(), "tier");
  auto no_reason = registry_->List(ident::Kind::kPhone, "+66812345678", "", Tier::kDarkGrey, kOperator, "");
  EXPECT_EQ(no_reason.status().field(), "reason");
  // Nothing was written by the refused calls.
  auto e = registry_->Get(ident::Kind::kPhone, "+66812345678");
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->has_value());
}

TEST_F(RegistryTest, AcceptedAppealClearsTheEntity) {
  ASSERT_TRUE(registry_
                  ->List(ident::Kind::kPhone, "+66812345678", "081-234-5678", Tier::kDarkGrey, kOperator,
                         "victim report")
                  .ok());
  auto appeal = registry_->FileAppeal(ident::Kind::kPhone, "+66812345678", "this is my shop's number",
                                      "owner@example.com", kPublic);
  ASSERT_TRUE(appeal.ok()) << appeal.status().ToString();
  EXPECT_EQ(appeal->id, "APL-2026-000001");
  EXPECT_EQ(appeal->status, "pending");
  auto twice = registry_->FileAppeal(ident::Kind::kPhone, "+66812345678", "again", "x", kPublic);
  EXPECT_EQ(twice.status().code(), StatusCode::kConflict);
  auto by_public = registry_->DecideAppeal(appeal->id, true, "ok", kPublic);
  EXPECT_EQ(by_public.status().code(), StatusCode::kPermissionDenied);
  auto decided = registry_->DecideAppeal(appeal->id, true, "ownership verified with the telco", kPolice);
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->status, "accepted");
  auto e = registry_->Get(ident::Kind::kPhone, "+66812345678");
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ((*e)->tier, Tier::kWhite);
  EXPECT_EQ((*e)->appeal_status, "accepted");
  EXPECT_EQ(VerdictFor(**e), Verdict::kNone);
  auto history = registry_->History(ident::Kind::kPhone, "+66812345678", 0, 10);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[2].action, "appeal_accepted");
  EXPECT_EQ((*history)[2].actor.user, "pol.somchai");
  EXPECT_NE((*history)[2].reason.find("ownership verified"), std::string::npos);
  EXPECT_EQ(registry_->DecideAppeal(appeal->id, false, "no", kPolice).status().code(), StatusCode::kConflict);
}

TEST_F(RegistryTest, RejectedAppealLeavesTheTier) {
  ASSERT_TRUE(
      registry_->List(ident::Kind::kUrl, "https://evil.example/", "", Tier::kBlack, kPolice, "phishing")
          .ok());
  auto appeal =
      registry_->FileAppeal(ident::Kind::kUrl, "https://evil.example/", "not mine", "x@example.com", kPublic);
  ASSERT_TRUE(appeal.ok());
  ASSERT_TRUE(registry_->DecideAppeal(appeal->id, false, "hosting records show otherwise", kOperator).ok());
  auto e = registry_->Get(ident::Kind::kUrl, "https://evil.example/");
  EXPECT_EQ((*e)->tier, Tier::kBlack);
  EXPECT_EQ((*e)->appeal_status, "rejected");
  // A new appeal may follow a rejected one.
  EXPECT_TRUE(
      registry_->FileAppeal(ident::Kind::kUrl, "https://evil.example/", "new evidence", "x", kPublic).ok());
}

TEST_F(RegistryTest, AppealOfUnknownIdentifierIsNotFound) {
  auto r = registry_->FileAppeal(ident::Kind::kPhone, "+66899999999", "why", "me", kPublic);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(registry_->GetAppeal("APL-2026-999999").status().code(), StatusCode::kNotFound);
}

TEST_F(RegistryTest, ConcurrentChangesLoseNothing) {
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto r = registry_->Mutate(ident::Kind::kPhone, "+66812345678", kOperator,
                                   [&](Entity* e, bool, HistoryEvent* ev, store::WriteBatch*) {
                                     e->reports += 1;
                                     e->sources.push_back("agency-" + std::to_string(t));
                                     ev->action = "report_linked";
                                     return Status::Ok();
                                   });
        ASSERT_TRUE(r.ok()) << r.status().ToString();
      }
    });
  }
  for (auto& th : threads) th.join();
  auto e = registry_->Get(ident::Kind::kPhone, "+66812345678");
  EXPECT_EQ((*e)->reports, 40);
  EXPECT_EQ((*e)->version, 40);
  auto history = registry_->History(ident::Kind::kPhone, "+66812345678", 0, 1000);
  EXPECT_EQ(history->size(), 40u);
}

TEST_F(RegistryTest, EntityRecordsRoundTrip) {
  Entity e;
  e.kind = ident::Kind::kCryptoWallet;
  e.canonical = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
  e.tier = Tier::kBlack;
  e.held = true;
  e.reports = 7;
  e.sources = {"RTP", "AMLO"};
  e.person = "6212509199088";
  e.person_tier = Tier::kDarkGrey;
  e.person_held = true;
  e.linked = {"phone:+66812345678"};
  auto back = DecodeEntity(EncodeEntity(e));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->person, e.person);
  EXPECT_EQ(back->person_tier, Tier::kDarkGrey);
  EXPECT_TRUE(back->person_held);
  EXPECT_EQ(back->linked, e.linked);
  EXPECT_EQ(back->canonical, e.canonical);
  EXPECT_EQ(back->tier, Tier::kBlack);
  EXPECT_TRUE(back->held);
  EXPECT_EQ(back->sources, e.sources);
  EXPECT_FALSE(DecodeEntity("{not json").ok());
  EXPECT_FALSE(DecodeEntity(R"({"kind":"fax","canonical":"x"})").ok());
}

// The record as the registry wrote it with nlohmann::json before it wrote records directly: both
// must read the same, and the direct writer must write the same JSON value.
nlohmann::json ReferenceEntityJson(const Entity& e) {
  return {{"kind", ident::KindName(e.kind)},
          {"canonical", e.canonical},
          {"display", e.display},
          {"tier", TierName(e.tier)},
          {"held", e.held},
          {"reports", e.reports},
          {"victims", e.victims},
          {"loss_satang", e.loss_satang},
          {"first_seen_ms", e.first_seen_ms},
          {"last_seen_ms", e.last_seen_ms},
          {"sources", e.sources},
          {"report_ids", e.report_ids},
          {"case_ids", e.case_ids},
          {"person", e.person},
          {"person_tier", TierName(e.person_tier)},
          {"person_held", e.person_held},
          {"linked", e.linked},
          {"risk_score", e.risk_score},
          {"risk_reasons", e.risk_reasons},
          {"appeal_id", e.appeal_id},
          {"appeal_status", e.appeal_status},
          {"version", e.version},
          {"updated_ms", e.updated_ms}};
}

void ExpectSameEntity(const Entity& a, const Entity& b) {
  EXPECT_EQ(ReferenceEntityJson(a), ReferenceEntityJson(b));
}

TEST_F(RegistryTest, EntityRecordsAreTheJsonTheyWereAndReadBothWays) {
  Entity e;
  e.kind = ident::Kind::kBankAccount;
  e.canonical = "014:4070000098";
  e.display = std::string("quote \" back\\slash \b\f\n\r\t \x01 \x7f ไทย bad \xff\xc3 end");
  e.tier = Tier::kDarkGrey;
  e.held = true;
  e.reports = 123456789012345;
  e.victims = -1;
  e.loss_satang = std::numeric_limits<int64_t>::max();
  e.first_seen_ms = 1796680042651;
  e.last_seen_ms = 1796680042652;
  e.sources = {"AOC", "SCB", ""};
  e.report_ids = {"RPT-2026-000001", "RPT-2026-000002"};
  e.case_ids = {"CFR-2026-000001"};
  e.person = "6212509199088";
  e.person_tier = Tier::kBlack;
  e.person_held = true;
  e.linked = {};
  e.risk_score = 87;
  e.risk_reasons = {"dark grey", "2 reports"};
  e.appeal_id = "APL-2026-000003";
  e.appeal_status = "pending";
  e.version = 9;
  e.updated_ms = 1796680042653;
  const std::string written = EncodeEntity(e);
  const auto parsed = nlohmann::json::parse(written, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << written;
  // The same value as the DOM writer's (invalid UTF-8 replaced there as here), the same keys.
  EXPECT_EQ(parsed, nlohmann::json::parse(ReferenceEntityJson(e).dump(
                        -1, ' ', false, nlohmann::json::error_handler_t::replace)));
  auto back = DecodeEntity(written);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->display, parsed["display"].get<std::string>());
  Entity expected = e;
  expected.display = back->display;
  ExpectSameEntity(*back, expected);
  // A record the DOM writer wrote (another key order) reads the same.
  auto old = DecodeEntity(ReferenceEntityJson(expected).dump());
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  ExpectSameEntity(*old, expected);
  // Missing optional fields take their defaults; updated_ms falls back to the last sighting.
  auto sparse = DecodeEntity(R"({"kind":"phone","canonical":"+66812345678","last_seen_ms":5,"extra":[1]})");
  ASSERT_TRUE(sparse.ok()) << sparse.status().ToString();
  EXPECT_EQ(sparse->kind, ident::Kind::kPhone);
  EXPECT_EQ(sparse->tier, Tier::kNone);
  EXPECT_EQ(sparse->updated_ms, 5);
  EXPECT_TRUE(sparse->report_ids.empty());
  // A field of the wrong type, a missing kind or value, an unknown tier: corrupt, and said which.
  auto wrong = DecodeEntity(R"({"kind":"phone","canonical":"+66812345678","reports":"7"})");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("reports"), std::string::npos) << wrong.status().message();
  EXPECT_FALSE(DecodeEntity(R"({"kind":"phone","canonical":"x","report_ids":["a",1]})").ok());
  EXPECT_FALSE(DecodeEntity(R"({"kind":"phone","canonical":"x","tier":"purple"})").ok());
  EXPECT_FALSE(DecodeEntity(R"({"canonical":"x"})").ok());
  EXPECT_FALSE(DecodeEntity(R"({"kind":"phone"})").ok());
  EXPECT_FALSE(DecodeEntity(R"(["kind","phone"])").ok());
  EXPECT_FALSE(DecodeEntity("").ok());
}

TEST_F(RegistryTest, APersonsTierReachesEveryLinkedIdentifier) {
  const std::string nid = "1101700230708";
  const Actor telco{"ais-fraud", "AIS", "telco"};
  auto account = registry_->LinkPerson(ident::Kind::kBankAccount, "004:1234567890", "", nid, "", kBank,
                                       "account holder (KYC)");
  ASSERT_TRUE(account.ok()) << account.status().ToString();
  EXPECT_EQ(account->person, nid);
  EXPECT_EQ(VerdictFor(*account), Verdict::kNone);
  ASSERT_TRUE(
      registry_->LinkPerson(ident::Kind::kPhone, "+66812345678", "", nid, "", telco, "SIM owner").ok());
  auto person = registry_->Get(ident::Kind::kNationalId, nid);
  ASSERT_TRUE(person.ok() && person->has_value());
  EXPECT_EQ((*person)->linked,
            (std::vector<std::string>{"bank_account:004:1234567890", "phone:+66812345678"}));

  // The police list the person black: both identifiers are blocked, each with a history entry.
  ASSERT_TRUE(registry_->List(ident::Kind::kNationalId, nid, "", Tier::kBlack, kPolice, "mule herder").ok());
  auto phone = **registry_->Get(ident::Kind::kPhone, "+66812345678");
  EXPECT_EQ(phone.tier, Tier::kNone);  // its own tier is unchanged
  EXPECT_EQ(phone.person_tier, Tier::kBlack);
  EXPECT_EQ(EffectiveTier(phone), Tier::kBlack);
  EXPECT_TRUE(TierFromPerson(phone));
  EXPECT_EQ(VerdictFor(phone), Verdict::kBlocked);
  EXPECT_NE(phone.risk_reasons[0].find("owner's tier black"), std::string::npos);
  auto history = registry_->History(ident::Kind::kPhone, "+66812345678", 0, 10);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].action, "person_changed");
  EXPECT_EQ((*history)[1].actor.agency, "RTP-CIB");

  // An identifier linked later gets the person's tier at once.
  auto wallet =
      registry_->LinkPerson(ident::Kind::kCryptoWallet, "eth:0x52908400098527886e0f7030069857d2e4169ee7", "",
                            nid, "", kPolice, "seized phone");
  ASSERT_TRUE(wallet.ok()) << wallet.status().ToString();
  EXPECT_EQ(VerdictFor(*wallet), Verdict::kBlocked);

  // An identifier cleared on appeal stays cleared whatever its owner's tier.
  auto appeal =
      registry_->FileAppeal(ident::Kind::kBankAccount, "004:1234567890", "my salary account", "me", kPublic);
  ASSERT_TRUE(appeal.ok());
  ASSERT_TRUE(registry_->DecideAppeal(appeal->id, true, "verified", kPolice).ok());
  EXPECT_EQ(VerdictFor(**registry_->Get(ident::Kind::kBankAccount, "004:1234567890")), Verdict::kNone);

  // Unlinked, the phone is back to its own tier.
  auto unlinked = registry_->UnlinkPerson(ident::Kind::kPhone, "+66812345678", telco, "SIM re-registered");
  ASSERT_TRUE(unlinked.ok());
  EXPECT_EQ(VerdictFor(*unlinked), Verdict::kNone);
  EXPECT_EQ((*registry_->Get(ident::Kind::kNationalId, nid))->linked.size(), 2u);

  // The person's tier removed: the wallet is no longer blocked.
  ASSERT_TRUE(registry_->List(ident::Kind::kNationalId, nid, "", Tier::kNone, kPolice, "acquitted").ok());
  EXPECT_EQ(VerdictFor(**registry_->Get(ident::Kind::kCryptoWallet,
                                        "eth:0x52908400098527886e0f7030069857d2e4169ee7")),
            Verdict::kNone);
}

TEST_F(RegistryTest, LinkRulesAndMoves) {
  const Actor analyst{"an.p", "AOC", "analyst"};
  EXPECT_EQ(registry_->LinkPerson(ident::Kind::kPhone, "+66812345678", "", "1101700230708", "", analyst, "x")
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(
      registry_->LinkPerson(ident::Kind::kNationalId, "3100503321447", "", "1101700230708", "", kPolice, "x")
          .status()
          .field(),
      "kind");
  EXPECT_EQ(registry_->LinkPerson(ident::Kind::kPhone, "+66812345678", "", "1101700230708", "", kPolice, "")
                .status()
                .field(),
            "reason");
  // Linking to another person moves the link.
  ASSERT_TRUE(
      registry_->List(ident::Kind::kNationalId, "1101700230708", "", Tier::kBlack, kPolice, "x").ok());
  ASSERT_TRUE(
      registry_->LinkPerson(ident::Kind::kPhone, "+66812345678", "", "1101700230708", "", kPolice, "a").ok());
  auto moved =
      registry_->LinkPerson(ident::Kind::kPhone, "+66812345678", "", "3100503321447", "", kPolice, "b");
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->person, "3100503321447");
  EXPECT_EQ(EffectiveTier(*moved), Tier::kNone);
  EXPECT_TRUE((*registry_->Get(ident::Kind::kNationalId, "1101700230708"))->linked.empty());
  EXPECT_EQ((*registry_->Get(ident::Kind::kNationalId, "3100503321447"))->linked.size(), 1u);
  EXPECT_EQ(registry_->UnlinkPerson(ident::Kind::kPhone, "+66899999999", kPolice, "x").status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace cfr::registry
