#include "exchange/exchange.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/hex.h"
#include "core/time.h"
#include "exchange/matcher.h"
#include "intake/intake_test_fixture.h"
#include "store/change_follower.h"
#include "store/testing.h"

namespace cfr::exchange {
namespace {

using nlohmann::json;

// Real parts: reports through Intake into a SQLite store; the exchange over the same store.
class ExchangeTest : public intake::IntakeTest {
 protected:
  void SetUp() override {
    IntakeTest::SetUp();
    exchange_ = std::make_unique<Exchange>(*store_, *registry_, cipher_, clock_, "AOC",
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

// The partner's side: a second centre with its own store, registry and exchange.
class ImportTest : public ExchangeTest {
 protected:
  void SetUp() override {
    ExchangeTest::SetUp();
    their_store_ = *store::OpenTestStore((dir_ / "partner.db").string());
    their_registry_ = std::make_unique<registry::Registry>(*their_store_, clock_);
    theirs_ = std::make_unique<Exchange>(*their_store_, *their_registry_, cipher_, clock_, "KH-NPA",
                                         "Cambodia NPA", nullptr);
    ASSERT_TRUE(
        theirs_->PutPartner(*PartnerFromJson(R"({"id":"AOC","name":"Thailand AOC","country":"TH"})"), admin_)
            .ok());
  }
  void TearDown() override {
    theirs_.reset();
    their_registry_.reset();
    IgnoreError(their_store_->Close());
    ExchangeTest::TearDown();
  }
  // Our agreement with them, and theirs with us under the same key.
  std::pair<Agreement, Agreement> Agree(const std::string& terms) {
    auto ours = AgreementFromJson(R"({"id":"th-kh","partner":"KH-NPA",)" + terms + "}");
    auto made = exchange_->CreateAgreement(*ours, admin_);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    auto theirs =
        AgreementFromJson(R"({"id":"kh-th","partner":"AOC","key":")" + made->second + R"(",)" + terms + "}");
    EXPECT_TRUE(theirs.ok()) << theirs.status().ToString();
    auto their_made = theirs_->CreateAgreement(*theirs, admin_);
    EXPECT_TRUE(their_made.ok()) << their_made.status().ToString();
    EXPECT_EQ(their_made->second, made->second);
    return {made->first, their_made->first};
  }
  std::string BundleOf(const Agreement& a) {
    auto policy = exchange_->PolicyOf(a);
    auto exported = exchange_->Export(a, {});
    EXPECT_TRUE(policy.ok() && exported.ok());
    std::vector<std::string> objects = exchange_->Preamble(*policy);
    objects.insert(objects.end(), exported->objects.begin(), exported->objects.end());
    return BundleJson(objects);
  }
  std::optional<registry::Entity> Theirs(ident::Kind kind, const std::string& canonical) {
    auto e = their_registry_->Get(kind, canonical);
    EXPECT_TRUE(e.ok());
    return e.ok() ? *e : std::nullopt;
  }

  std::unique_ptr<store::Store> their_store_;
  std::unique_ptr<registry::Registry> their_registry_;
  std::unique_ptr<Exchange> theirs_;
};

TEST_F(ImportTest, ClearIndicatorsArriveWithTheirProvenanceOnce) {
  Report("1101700230708", "5551234567", "0812345678");
  const auto [ours, theirs] = Agree(R"("kinds":["bank_account"],"tlp":"green")");
  const std::string bundle = BundleOf(ours);
  auto sum = theirs_->Import(theirs, bundle, admin_);
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->indicators, 1u);
  EXPECT_EQ(sum->entities, 1u);
  EXPECT_EQ(sum->raised, 1u);
  auto e = Theirs(ident::Kind::kBankAccount, "025:5551234567");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->tier, registry::Tier::kDarkGrey);
  EXPECT_EQ(e->sources, std::vector<std::string>{"xchg:AOC:green"});
  auto history = their_registry_->History(ident::Kind::kBankAccount, "025:5551234567", 0, 10);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].action, "partner_intel");
  EXPECT_NE((*history)[0].reason.find("partner AOC"), std::string::npos);
  // The same bundle again changes nothing.
  auto again = theirs_->Import(theirs, bundle, admin_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->unchanged, again->objects);
  EXPECT_EQ(again->entities, 0u);
  EXPECT_EQ(their_registry_->History(ident::Kind::kBankAccount, "025:5551234567", 0, 10)->size(), 1u);
}

TEST_F(ImportTest, PseudonymsMatchThePartnersOwnEntities) {
  Report("1101700230708", "5551234567", "0812345678");
  Report("3100503321447", "5559999999", "0899999999");
  const auto [ours, theirs] = Agree(R"("kinds":["bank_account"],"pseudonymise":true)");
  // The partner knows one of the two accounts already (its own reports).
  ASSERT_TRUE(their_registry_
                  ->Mutate(ident::Kind::kBankAccount, "025:5551234567", admin_,
                           [](registry::Entity* e, bool, registry::HistoryEvent* ev, store::WriteBatch*) {
                             e->tier = registry::Tier::kLightGrey;
                             ev->action = "listed";
                             return Status::Ok();
                           })
                  .ok());
  auto sum = theirs_->Import(theirs, BundleOf(ours), admin_);
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->pseudonyms_matched, 1u);
  EXPECT_EQ(sum->pseudonyms_unmatched, 1u);
  EXPECT_EQ(Theirs(ident::Kind::kBankAccount, "025:5551234567")->tier, registry::Tier::kDarkGrey);
  EXPECT_FALSE(Theirs(ident::Kind::kBankAccount, "025:5559999999"));  // never learned in clear
  store::ScanOptions o;
  auto unmatched = their_store_->Scan(kUnmatchedCollection, o);
  ASSERT_TRUE(unmatched.ok());
  EXPECT_EQ(unmatched->size(), 1u);
  // Pseudonyms under an agreement that exchanges clear values are refused.
  auto clear = AgreementFromJson(R"({"id":"kh-th-clear","partner":"AOC","kinds":["bank_account"]})");
  auto made = theirs_->CreateAgreement(*clear, admin_);
  ASSERT_TRUE(made.ok());
  EXPECT_EQ(theirs_->Import(made->first, BundleOf(ours), admin_).status().field(), "body");
}

TEST_F(ImportTest, AKeptPseudonymMatchesWhenItsEntityAppearsLater) {
  Report("1101700230708", "5551234567", "0812345678");
  const auto [ours, theirs] = Agree(R"("kinds":["bank_account"],"pseudonymise":true)");
  auto sum = theirs_->Import(theirs, BundleOf(ours), admin_);
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->pseudonyms_unmatched, 1u);  // the partner does not know the account yet
  PseudonymMatcher matcher(*theirs_);
  store::ChangeFollower follower(*their_store_, {&matcher});
  ASSERT_TRUE(follower.CatchUp().ok());
  EXPECT_EQ(matcher.matched(), 0u);
  // The partner's own victim reports the account: the kept pseudonym matches it now.
  ASSERT_TRUE(their_registry_
                  ->Mutate(ident::Kind::kBankAccount, "025:5551234567", admin_,
                           [](registry::Entity*, bool, registry::HistoryEvent* ev, store::WriteBatch*) {
                             ev->action = "report_linked";
                             return Status::Ok();
                           })
                  .ok());
  ASSERT_TRUE(follower.CatchUp().ok());
  EXPECT_EQ(matcher.matched(), 1u) << matcher.last_error().ToString();
  auto e = Theirs(ident::Kind::kBankAccount, "025:5551234567");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->tier, registry::Tier::kDarkGrey);
  EXPECT_EQ(e->sources, std::vector<std::string>{"xchg:AOC:amber"});
  store::ScanOptions o;
  EXPECT_TRUE(their_store_->Scan(kUnmatchedCollection, o)->empty());
  ASSERT_TRUE(follower.CatchUp().ok());
  EXPECT_EQ(matcher.matched(), 1u);  // once
}

TEST_F(ImportTest, APartnersLowerAssessmentNeverLowersOurTier) {
  Report("1101700230708", "5551234567", "0812345678");
  const auto [ours, theirs] = Agree(R"("kinds":["bank_account"])");
  ASSERT_TRUE(their_registry_
                  ->Mutate(ident::Kind::kBankAccount, "025:5551234567", admin_,
                           [](registry::Entity* e, bool, registry::HistoryEvent* ev, store::WriteBatch*) {
                             e->tier = registry::Tier::kBlack;
                             ev->action = "listed";
                             return Status::Ok();
                           })
                  .ok());
  auto sum = theirs_->Import(theirs, BundleOf(ours), admin_);
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->kept, 1u);
  EXPECT_EQ(Theirs(ident::Kind::kBankAccount, "025:5551234567")->tier, registry::Tier::kBlack);
  auto history = their_registry_->History(ident::Kind::kBankAccount, "025:5551234567", 1, 10);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_NE((*history)[0].reason.find("kept ours (black)"), std::string::npos) << (*history)[0].reason;
}

TEST_F(ImportTest, AmberOrRedIntelligenceGoesNoFurther) {
  Report("1101700230708", "5551234567", "0812345678");
  const auto [ours, theirs] = Agree(R"("kinds":["bank_account"],"tlp":"red")");
  ASSERT_TRUE(theirs_->Import(theirs, BundleOf(ours), admin_).ok());
  EXPECT_EQ(Theirs(ident::Kind::kBankAccount, "025:5551234567")->sources,
            std::vector<std::string>{"xchg:AOC:red"});
  // The partner's own agreement with a third country shares nothing of it.
  ASSERT_TRUE(
      theirs_->PutPartner(*PartnerFromJson(R"({"id":"MM-CID","name":"Myanmar CID","country":"MM"})"), admin_)
          .ok());
  auto onward = theirs_->CreateAgreement(
      *AgreementFromJson(R"({"id":"kh-mm","partner":"MM-CID","kinds":["bank_account"],"tlp":"clear"})"),
      admin_);
  ASSERT_TRUE(onward.ok());
  auto exported = theirs_->Export(onward->first, {});
  ASSERT_TRUE(exported.ok());
  EXPECT_EQ(exported->entities, 0u);
}

TEST_F(ImportTest, ReferencesToUnknownObjectsRejectTheWholeBundle) {
  Report("1101700230708", "5551234567", "0812345678");
  const auto [ours, theirs] = Agree(R"("kinds":["bank_account"])");
  std::string bundle = BundleOf(ours);
  const json b = json::parse(bundle);
  json objects = b["objects"];
  objects.push_back({{"type", "relationship"},
                     {"spec_version", "2.1"},
                     {"id", "relationship--eca24e47-2259-4850-9705-fd1065c77236"},
                     {"created", "2026-11-20T00:00:00.000Z"},
                     {"modified", "2026-11-20T00:00:00.000Z"},
                     {"relationship_type", "indicates"},
                     {"source_ref", objects[3]["id"]},
                     {"target_ref", "campaign--b549a58c-afd9-4847-85c3-5be13d56d3cc"}});
  json with_dangling = b;
  with_dangling["objects"] = objects;
  auto sum = theirs_->Import(theirs, with_dangling.dump(), admin_);
  EXPECT_EQ(sum.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(sum.status().field(), "objects[" + std::to_string(objects.size() - 1) + "].target_ref");
  EXPECT_FALSE(Theirs(ident::Kind::kBankAccount, "025:5551234567"));  // nothing half-imported
  store::ScanOptions o;
  EXPECT_TRUE(their_store_->Scan(kReceivedCollection, o)->empty());
}

TEST_F(ExchangeTest, TaxiiPagesFollowTheOrderEntitiesChangedIn) {
  const Agreement a = Make(R"({"id":"th-kh","partner":"KH-NPA","kinds":["bank_account"]})");
  clock_.Advance(1000);
  Report("1101700230708", "5551234567", "0812345678");
  clock_.Advance(1000);
  Report("3100503321447", "5559999999", "0899999999");
  clock_.Advance(1000);
  Report("1509900000017", "5550000001", "0898888888");
  ExchangeFeed feed;
  store::ChangeFollower follower(*store_, {&feed});
  ASSERT_TRUE(follower.CatchUp().ok());
  PageRequest r;
  r.limit = 5;  // the preamble (3) and one account (2)
  auto first = exchange_->Page(a, feed, r);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->objects.size(), 5u);
  EXPECT_TRUE(first->more);
  EXPECT_EQ(json::parse(first->objects[0].json)["type"], "identity");
  EXPECT_NE(first->objects[3].json.find("025:5551234567"), std::string::npos);
  r.next = first->next;
  r.limit = 100;
  auto rest = exchange_->Page(a, feed, r);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->objects.size(), 4u);  // the two later accounts, oldest first
  EXPECT_FALSE(rest->more);
  EXPECT_NE(rest->objects[0].json.find("025:5559999999"), std::string::npos);
  EXPECT_LT(rest->objects[0].date_added_ms, rest->objects[2].date_added_ms);
  // added_after: only what changed after that time; match[type]: only sightings.
  PageRequest since;
  since.added_after_ms = rest->objects[0].date_added_ms;
  since.types = {"sighting"};
  auto later = exchange_->Page(a, feed, since);
  ASSERT_TRUE(later.ok());
  ASSERT_EQ(later->objects.size(), 1u);
  EXPECT_NE(later->objects[0].json.find("\"sighting\""), std::string::npos);
  PageRequest bad;
  bad.next = "not-a-token!";
  EXPECT_EQ(exchange_->Page(a, feed, bad).status().field(), "next");
}

// An agreement made after the entities: they were added to its collection when it was made, so
// the objects come in the order of date_added (the preamble first) and a client resuming after the
// last object's date_added gets nothing more — nor misses anything that changes later.
TEST_F(ExchangeTest, EntitiesOlderThanTheAgreementAreAddedWithIt) {
  Report("1101700230708", "5551234567", "0812345678");
  clock_.Advance(1000);
  Report("3100503321447", "5559999999", "0899999999");
  clock_.Advance(1000);
  const Agreement a = Make(R"({"id":"th-kh","partner":"KH-NPA","kinds":["bank_account"]})");
  ExchangeFeed feed;
  store::ChangeFollower follower(*store_, {&feed});
  ASSERT_TRUE(follower.CatchUp().ok());
  PageRequest all;
  auto page = exchange_->Page(a, feed, all);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->objects.size(), 7u);  // the preamble and two accounts
  for (size_t i = 1; i < page->objects.size(); ++i) {
    EXPECT_LE(page->objects[i - 1].date_added_ms, page->objects[i].date_added_ms) << i;
  }
  EXPECT_EQ(page->objects.back().date_added_ms, a.created_ms);
  PageRequest since;
  since.added_after_ms = page->objects.back().date_added_ms;
  EXPECT_TRUE(exchange_->Page(a, feed, since)->objects.empty());
  PageRequest before;  // a time before the agreement: everything
  before.added_after_ms = a.created_ms - 1;
  EXPECT_EQ(exchange_->Page(a, feed, before)->objects.size(), 7u);
  clock_.Advance(1000);
  Report("1509900000017", "5550000001", "0898888888");
  ASSERT_TRUE(follower.CatchUp().ok());
  auto later = exchange_->Page(a, feed, since);
  ASSERT_TRUE(later.ok());
  ASSERT_EQ(later->objects.size(), 2u);
  EXPECT_NE(later->objects[0].json.find("025:5550000001"), std::string::npos);
}

// Widened terms share entities that changed long before: they are added to the collection when
// the terms change, so a partner resuming where it stopped receives them.
TEST_F(ExchangeTest, WidenedTermsAddTheEntitiesTheyNowShare) {
  Report("1101700230708", "5551234567", "0812345678");  // its account is dark grey, its phone not
  clock_.Advance(1000);
  const Agreement a = Make(R"({"id":"th-kh","partner":"KH-NPA","kinds":["phone"]})");
  ExchangeFeed feed;
  store::ChangeFollower follower(*store_, {&feed});
  ASSERT_TRUE(follower.CatchUp().ok());
  auto before = exchange_->Page(a, feed, PageRequest{});
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->objects.size(), 3u);  // the preamble alone
  PageRequest resume;
  resume.added_after_ms = before->objects.back().date_added_ms;
  clock_.Advance(1000);
  Agreement wider = a;
  wider.kinds.push_back(ident::Kind::kBankAccount);
  auto updated = exchange_->UpdateAgreement(wider, admin_);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  auto after = exchange_->Page(*updated, feed, resume);
  ASSERT_TRUE(after.ok());
  bool account = false;
  for (const auto& o : after->objects)
    account = account || o.json.find("025:5551234567") != std::string::npos;
  EXPECT_TRUE(account) << "the account the widened terms share did not come";
}

// match[version]: we keep each object's current version only.
TEST_F(ExchangeTest, VersionsMatchTheCurrentOne) {
  const Agreement a = Make(R"({"id":"th-kh","partner":"KH-NPA","kinds":["bank_account"]})");
  clock_.Advance(1000);
  Report("1101700230708", "5551234567", "0812345678");
  clock_.Advance(1000);
  Report("3100503321447", "5551234567", "0899999999");  // the same account again: a new version
  ExchangeFeed feed;
  store::ChangeFollower follower(*store_, {&feed});
  ASSERT_TRUE(follower.CatchUp().ok());
  PageRequest last;
  auto page = exchange_->Page(a, feed, last);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->objects.size(), 5u);
  const json indicator = json::parse(page->objects[3].json);
  ASSERT_EQ(indicator["type"], "indicator");
  ASSERT_NE(indicator["created"], indicator["modified"]);
  PageRequest first;  // the first version of the indicator is gone; the preamble's is current
  first.version_last = false;
  first.version_first = true;
  auto firsts = exchange_->Page(a, feed, first);
  ASSERT_TRUE(firsts.ok());
  EXPECT_EQ(firsts->objects.size(), 3u);
  for (const auto& o : firsts->objects) {
    const json j = json::parse(o.json);
    EXPECT_NE(j["type"], "indicator");
    EXPECT_EQ(j.value("modified", j["created"].get<std::string>()), j["created"]);
  }
  PageRequest at;  // the indicator's version by its timestamp
  at.version_last = false;
  at.version_times = {*ParseRfc3339(indicator["modified"].get<std::string>())};
  auto exact = exchange_->Page(a, feed, at);
  ASSERT_TRUE(exact.ok());
  bool found = false;
  for (const auto& o : exact->objects) found = found || json::parse(o.json)["id"] == indicator["id"];
  EXPECT_TRUE(found);
  at.version_times = {*ParseRfc3339(indicator["created"].get<std::string>())};
  auto older = exchange_->Page(a, feed, at);
  ASSERT_TRUE(older.ok());
  for (const auto& o : older->objects) EXPECT_NE(json::parse(o.json)["id"], indicator["id"]);
}

}  // namespace
}  // namespace cfr::exchange
