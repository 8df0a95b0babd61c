#include "intake/intake.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>

#include <nlohmann/json.hpp>
#include <thread>

#include "core/hex.h"
#include "core/time.h"
#include "intake/intake_test_fixture.h"
#include "store/testing.h"

namespace cfr::intake {
namespace {

using nlohmann::json;

std::string ReportBody(const std::string& victim_nid, int64_t amount) {
  return R"({"victim":{"name":"Somsri K.","national_id":")" + victim_nid +
         R"(","province":"Bangkok"},"channel":"hotline","scam_type":"call_centre_impersonation",
    "occurred_at":"2026-11-27T09:10:00+07:00",
    "loss_transfers":[{"to":{"bank":"014","account":"4071234567"},"amount_satang":)" +
         std::to_string(amount) + R"(,"at":"2026-11-27T09:31:00+07:00"},
                      {"to":{"bank":"004","account":"1112223334"},"amount_satang":50000,"at":"2026-11-27T09:35:00+07:00"},
                      {"to":{"promptpay":"0899998888"},"amount_satang":900000,"at":"2026-11-27T09:40:00+07:00"}],
    "scammer_identifiers":[{"value":"02-123-4567"}]})";
}

// The report and victim records as nlohmann::json wrote them before they were written directly.
json ReferenceIdentifier(const ident::Identifier& id) {
  return {{"kind", ident::KindName(id.kind)}, {"canonical", id.canonical}, {"display", id.display}};
}

TEST_F(IntakeTest, ReportAndVictimRecordsAreTheJsonTheyWere) {
  const std::string body = R"({"victim":{"name":"Somsri \"K.\" ไทย","national_id":"1101700230708",
      "phone":"0812345678","email":"somsri@example.com","province":"Chiang Mai","age_band":"55-64"},
    "channel":"web","scam_type":"call_centre_impersonation","occurred_at":"2026-11-27T09:10:00+07:00",
    "narrative":"They said\nthey were police\t(DSI) \\ paid",
    "loss_transfers":[{"from":{"bank":"002","account":"1234567890"},"to":{"bank":"014","account":"4071234567"},
      "amount_satang":4500000,"at":"2026-11-27T09:31:00+07:00","channel":"promptpay","bank_reference":"REF-1"},
      {"to":{"promptpay":"0899998888"},"amount_satang":900000,"at":"2026-11-27T09:40:00+07:00"}],
    "scammer_identifiers":[{"value":"02-123-4567"},{"kind":"line_id","value":"@police.th"}],
    "evidence":[{"file_name":"slip 1.jpg","sha256":")" +
                           std::string(64, 'a') + R"(","media_type":"image/jpeg"}]})";
  ManualClock clock(1796680042651);
  auto report = ParseReport(body, clock);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  SubmitResult saved;
  saved.report_id = "RPT-2026-000042";
  saved.case_id = "CFR-2026-000007";
  const Actor actor{"operator-1", "AOC", "operator"};
  const auto urgent = Intake::UrgentActions(*report);
  for (int pass = 0; pass < 2; ++pass) {
    json transfers = json::array();
    for (const LossTransfer& t : report->loss_transfers) {
      transfers.push_back({{"to", ReferenceIdentifier(t.to)},
                           {"amount_satang", t.amount_satang},
                           {"at", FormatRfc3339Millis(t.at_ms)},
                           {"channel", t.channel},
                           {"bank_reference", t.bank_reference}});
    }
    json identifiers = json::array();
    for (const auto& id : report->scammer_identifiers) identifiers.push_back(ReferenceIdentifier(id));
    json evidence = json::array();
    for (const auto& ev : report->evidence)
      evidence.push_back({{"file_name", ev.file_name}, {"sha256", ev.sha256}, {"media_type", ev.media_type}});
    json urgent_json = json::array();
    for (const UrgentAction& a : urgent) {
      json j = {{"action", a.action},
                {"target", ReferenceIdentifier(a.target)},
                {"amount_satang", a.amount_satang}};
      if (const auto* bank = a.target.Find("bank_code")) j["bank_code"] = std::get<std::string>(bank->value);
      if (const auto* bank = a.target.Find("bank")) j["bank"] = std::get<std::string>(bank->value);
      urgent_json.push_back(std::move(j));
    }
    const json reference = {
        {"id", saved.report_id},
        {"case_id", saved.case_id},
        {"duplicate_of", saved.duplicate_of.empty() ? json(nullptr) : json(saved.duplicate_of)},
        {"channel", report->channel},
        {"scam_type", report->scam_type},
        {"occurred_at", FormatRfc3339Millis(report->occurred_at_ms)},
        {"has_narrative", !report->narrative.empty()},
        {"victim", {{"province", report->victim.province}, {"age_band", report->victim.age_band}}},
        {"loss_transfers", transfers},
        {"total_loss_satang", report->TotalLossSatang()},
        {"scammer_identifiers", identifiers},
        {"evidence", evidence},
        {"urgent_actions", urgent_json},
        {"submitted_by", {{"user", actor.user}, {"agency", actor.agency}, {"role", actor.role}}},
        {"saved_at", FormatRfc3339Millis(clock.NowMillis())}};
    EXPECT_EQ(ReportRecordJson(*report, saved, urgent, actor, clock.NowMillis()), reference.dump())
        << "pass " << pass;
    saved.duplicate_of = "RPT-2026-000041";  // the second pass: a duplicate
  }
  json accounts = json::array();
  for (size_t i = 0; i < report->loss_transfers.size(); ++i) {
    const auto& from = report->loss_transfers[i].from_account;
    if (!from) continue;
    json a = ReferenceIdentifier(*from);
    a["loss_transfer"] = i;
    accounts.push_back(std::move(a));
  }
  ASSERT_EQ(accounts.size(), 1u);
  const json victim = {{"report_id", saved.report_id},
                       {"name", report->victim.name},
                       {"national_id", report->victim.national_id},
                       {"phone", report->victim.phone},
                       {"email", report->victim.email},
                       {"province", report->victim.province},
                       {"age_band", report->victim.age_band},
                       {"accounts", accounts},
                       {"narrative", report->narrative}};
  EXPECT_EQ(VictimRecordJson(*report, saved.report_id), victim.dump());
}

TEST_F(IntakeTest, SavesReportCaseUrgentActionsAndEntities) {
  auto r = Submit(ReportBody("1101700230708", 4500000));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->report_id, "RPT-2026-000001");
  EXPECT_EQ(r->case_id, "CFR-2026-000001");
  EXPECT_TRUE(r->duplicate_of.empty());
  const json j = json::parse(r->report_json);
  ASSERT_EQ(j["urgent_actions"].size(), 3u);
  EXPECT_EQ(j["urgent_actions"][0]["action"], "hold");  // largest first
  EXPECT_EQ(j["urgent_actions"][0]["target"]["canonical"], "014:4071234567");
  EXPECT_EQ(j["urgent_actions"][0]["bank"], "SCB");
  EXPECT_EQ(j["urgent_actions"][0]["amount_satang"], 4500000);
  EXPECT_EQ(j["urgent_actions"][1]["action"], "resolve_and_hold");
  EXPECT_EQ(j["urgent_actions"][2]["target"]["canonical"], "004:1112223334");
  EXPECT_EQ(j["total_loss_satang"], 5450000);
  EXPECT_FALSE(j.contains("national_id"));  // personal data stays out of the report record
  EXPECT_EQ(j["victim"].dump(), R"({"age_band":"","province":"Bangkok"})");
  const auto mule = EntityOf(ident::Kind::kBankAccount, "014:4071234567");
  EXPECT_EQ(mule.tier, registry::Tier::kDarkGrey);  // a victim complaint
  EXPECT_EQ(mule.reports, 1);
  EXPECT_EQ(mule.victims, 1);
  EXPECT_EQ(mule.loss_satang, 4500000);
  EXPECT_EQ(mule.report_ids, std::vector<std::string>{"RPT-2026-000001"});
  EXPECT_EQ(mule.case_ids, std::vector<std::string>{"CFR-2026-000001"});
  const auto phone = EntityOf(ident::Kind::kPhone, "+6621234567");
  EXPECT_EQ(phone.tier, registry::Tier::kNone);  // reported, not a receiving account
  EXPECT_EQ(phone.loss_satang, 5450000);
  EXPECT_EQ(registry::VerdictFor(phone), registry::Verdict::kLow);
  auto history = registry_->History(ident::Kind::kBankAccount, "014:4071234567", 0, 10);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].action, "report_linked");
  auto stored = intake_->ReportJson(r->report_id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, r->report_json);
  auto kase = intake_->CaseJson(r->case_id);
  ASSERT_TRUE(kase.ok());
  EXPECT_EQ(json::parse(*kase)["report_ids"], json::array({"RPT-2026-000001"}));
}

TEST_F(IntakeTest, DuplicateJoinsTheCaseWithoutCountingTwice) {
  auto first = Submit(ReportBody("1101700230708", 4500000));
  ASSERT_TRUE(first.ok());
  auto again = Submit(ReportBody("1101700230708", 4500000));  // same victim, same loss
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->duplicate_of, first->report_id);
  EXPECT_EQ(again->case_id, first->case_id);
  EXPECT_NE(again->report_id, first->report_id);
  const auto mule = EntityOf(ident::Kind::kBankAccount, "014:4071234567");
  EXPECT_EQ(mule.reports, 1);
  EXPECT_EQ(mule.loss_satang, 4500000);
  EXPECT_EQ(mule.report_ids.size(), 2u);
  EXPECT_EQ(json::parse(*intake_->CaseJson(first->case_id))["report_ids"].size(), 2u);
  // Another victim paying the same mule: a new case, and the mule now has two victims.
  auto other = Submit(ReportBody("6212509199088", 300000));
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->duplicate_of.empty());
  EXPECT_NE(other->case_id, first->case_id);
  const auto mule2 = EntityOf(ident::Kind::kBankAccount, "014:4071234567");
  EXPECT_EQ(mule2.reports, 2);
  EXPECT_EQ(mule2.victims, 2);
  EXPECT_EQ(mule2.loss_satang, 4800000);
}

TEST_F(IntakeTest, SameVictimTwoLossesCountsOneVictim) {
  ASSERT_TRUE(Submit(ReportBody("1101700230708", 4500000)).ok());
  ASSERT_TRUE(Submit(ReportBody("1101700230708", 777700)).ok());  // a different loss
  const auto mule = EntityOf(ident::Kind::kBankAccount, "014:4071234567");
  EXPECT_EQ(mule.reports, 2);
  EXPECT_EQ(mule.victims, 1);
}

TEST_F(IntakeTest, ConcurrentReportsOfTheSameMulesAreEachCountedOnce) {
  // Four officers file 25 reports each at once, every one naming the same three receiving
  // identifiers: each report is saved once and counted once on each entity.
  auto national_id = [](int n) {
    std::string d = "1" + std::to_string(100000000000LL + n).substr(1);  // 12 digits
    int sum = 0;
    for (int i = 0; i < 12; ++i) sum += (d[i] - '0') * (13 - i);
    return d + std::to_string((11 - sum % 11) % 10);
  };
  constexpr int kThreads = 4, kEach = 25;
  std::atomic<int> saved{0};
  std::vector<std::thread> officers;
  for (int t = 0; t < kThreads; ++t) {
    officers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const int n = t * kEach + i;
        auto r = Submit(ReportBody(national_id(n), 100000 + n));
        EXPECT_TRUE(r.ok()) << r.status().ToString();
        if (r.ok() && r->duplicate_of.empty()) ++saved;
      }
    });
  }
  for (auto& o : officers) o.join();
  constexpr int kReports = kThreads * kEach;
  EXPECT_EQ(saved.load(), kReports);
  const auto mule = EntityOf(ident::Kind::kBankAccount, "014:4071234567");
  EXPECT_EQ(mule.reports, kReports);
  EXPECT_EQ(mule.victims, kReports);
  EXPECT_EQ(mule.loss_satang, int64_t{100000} * kReports + kReports * (kReports - 1) / 2);
  EXPECT_EQ(EntityOf(ident::Kind::kBankAccount, "004:1112223334").reports, kReports);
  EXPECT_EQ(EntityOf(ident::Kind::kPhone, "+6621234567").reports, kReports);
}

TEST_F(IntakeTest, IdempotencyKeyReturnsTheFirstResult) {
  const std::string body = ReportBody("1101700230708", 4500000);
  auto first = Submit(body, "client-key-1");
  ASSERT_TRUE(first.ok());
  auto replay = Submit(body, "client-key-1");
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->report_id, first->report_id);
  EXPECT_EQ(replay->report_json, first->report_json);
  auto misuse = Submit(ReportBody("1101700230708", 1), "client-key-1");
  ASSERT_FALSE(misuse.ok());
  EXPECT_EQ(misuse.status().code(), StatusCode::kConflict);
  EXPECT_EQ(misuse.status().field(), "Idempotency-Key");
  const auto mule = EntityOf(ident::Kind::kBankAccount, "014:4071234567");
  EXPECT_EQ(mule.reports, 1);
  EXPECT_EQ(mule.report_ids.size(), 1u);  // no second report was saved
}

TEST_F(IntakeTest, ClearedAccountStaysWhite) {
  ASSERT_TRUE(registry_
                  ->List(ident::Kind::kBankAccount, "014:4071234567", "", registry::Tier::kDarkGrey,
                         {"p", "RTP", "police"}, "x")
                  .ok());
  auto appeal = registry_->FileAppeal(ident::Kind::kBankAccount, "014:4071234567", "mine", "me", operator_);
  ASSERT_TRUE(registry_->DecideAppeal(appeal->id, true, "ok", {"p", "RTP", "police"}).ok());
  ASSERT_TRUE(Submit(ReportBody("1101700230708", 4500000)).ok());
  EXPECT_EQ(EntityOf(ident::Kind::kBankAccount, "014:4071234567").tier, registry::Tier::kWhite);
}

// Lists every page of `q` and returns the report ids in order.
std::vector<std::string> ListAll(Intake& intake, ReportQuery q, int* pages = nullptr) {
  std::vector<std::string> ids;
  for (int page = 0; page < 1000; ++page) {
    auto r = intake.ListReports(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) break;
    for (const auto& j : r->reports_json) ids.push_back(json::parse(j)["id"]);
    if (pages != nullptr) *pages = page + 1;
    if (r->next_cursor.empty()) break;
    q.cursor = r->next_cursor;
  }
  return ids;
}

TEST_F(IntakeTest, ListsReportsNewestFirstWithFiltersAndCursors) {
  const char* types[] = {"investment", "fake_shopping", "call_centre_impersonation"};
  const char* provinces[] = {"Bangkok", "Chiang Mai", "Khon Kaen", "Songkhla"};
  const char* channels[] = {"hotline", "web", "bank"};
  struct Saved {
    std::string id, type, province, channel, account;
    int64_t saved_ms, occurred_ms;
  };
  std::vector<Saved> saved;
  const int64_t start = clock_.NowMillis();
  for (int i = 0; i < 60; ++i) {
    clock_.Advance(60000 * (1 + i % 3));  // some share a minute
    Saved s{"",
            types[i % 3],
            provinces[i % 4],
            channels[i % 3],
            "40700000" + std::to_string(10 + i % 7),
            clock_.NowMillis(),
            clock_.NowMillis() - 3600000LL * (i % 5)};
    const json body = {{"victim",
                        {{"name", "V" + std::to_string(i)},
                         {"phone", "08123400" + std::to_string(10 + i)},
                         {"province", s.province}}},
                       {"channel", s.channel},
                       {"scam_type", s.type},
                       {"occurred_at", FormatRfc3339Millis(s.occurred_ms)},
                       {"loss_transfers",
                        {{{"to", {{"bank", "014"}, {"account", s.account}}},
                          {"amount_satang", 1000 + i},
                          {"at", FormatRfc3339Millis(s.occurred_ms)}}}}};
    auto r = Submit(body.dump());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    s.id = r->report_id;
    s.account = "014:" + s.account;
    saved.push_back(s);
  }
  auto expect = [&](const std::function<bool(const Saved&)>& match) {
    std::vector<std::string> ids;
    for (auto it = saved.rbegin(); it != saved.rend(); ++it) {
      if (match(*it)) ids.push_back(it->id);
    }
    return ids;
  };
  ReportQuery all;
  all.limit = 7;
  int pages = 0;
  EXPECT_EQ(ListAll(*intake_, all, &pages), expect([](const Saved&) { return true; }));
  EXPECT_GE(pages, 9);

  ReportQuery q;
  q.limit = 5;
  q.scam_type = "investment";
  q.province = "Khon Kaen";
  EXPECT_EQ(ListAll(*intake_, q),
            expect([](const Saved& s) { return s.type == "investment" && s.province == "Khon Kaen"; }));

  // A tiny scan budget: pages may come back short or empty, but paging still sees every match.
  q = {};
  q.channel = "web";
  q.scan_budget = 4;
  EXPECT_EQ(ListAll(*intake_, q), expect([](const Saved& s) { return s.channel == "web"; }));

  // Received-time bounds are inclusive.
  q = {};
  q.received_since_ms = saved[10].saved_ms;
  q.received_until_ms = saved[20].saved_ms;
  q.limit = 3;
  EXPECT_EQ(ListAll(*intake_, q), expect([&](const Saved& s) {
              return s.saved_ms >= saved[10].saved_ms && s.saved_ms <= saved[20].saved_ms;
            }));
  EXPECT_EQ(ListAll(*intake_, q).size(), 11u);

  q = {};
  q.occurred_since_ms = start;
  q.occurred_until_ms = saved[30].occurred_ms;
  EXPECT_EQ(ListAll(*intake_, q), expect([&](const Saved& s) {
              return s.occurred_ms >= start && s.occurred_ms <= saved[30].occurred_ms;
            }));

  q = {};
  q.identifier = *ident::Normalize("4070000012", {.kind = ident::Kind::kBankAccount, .bank = "014"});
  q.limit = 2;
  EXPECT_EQ(ListAll(*intake_, q), expect([](const Saved& s) { return s.account == "014:4070000012"; }));
  EXPECT_EQ(ListAll(*intake_, q).size(), 9u);

  q = {};
  q.cursor = "zz";
  EXPECT_EQ(intake_->ListReports(q).status().field(), "cursor");
  q.identifier = *ident::Normalize("4070000012", {.kind = ident::Kind::kBankAccount, .bank = "014"});
  q.cursor = HexEncode("bank_account:014:4070000013");  // another identifier's position
  EXPECT_EQ(intake_->ListReports(q).status().field(), "cursor");
}

}  // namespace
}  // namespace cfr::intake

namespace cfr::intake {
namespace {

std::string VictimReport(const std::string& account) {
  return R"({"victim":{"name":"Somsri Kaewmanee","national_id":"1-1017-00230-70-8","phone":"081-111-2222",
    "email":"Somsri.K@example.co.th","province":"Chiang Mai","age_band":"55-64"},
    "channel":"hotline","scam_type":"call_centre_impersonation","occurred_at":"2026-11-27T09:10:00+07:00",
    "loss_transfers":[{"from":{"bank":"KBANK","account":"123-4-56789-0"},"to":{"bank":"014","account":")" +
         account + R"("},"amount_satang":4500000,"at":"2026-11-27T09:31:00+07:00"}]})";
}

TEST_F(IntakeTest, TheRawStoreHoldsNoPersonalDataInClear) {
  ASSERT_TRUE(Submit(VictimReport("4071234567")).ok());
  ASSERT_TRUE(store_->Close().ok());
  // What someone with the embedded store's files, or with the PostgreSQL database, can read.
  std::string raw;
  if (store::TestPostgresServer().empty()) {
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      std::ifstream in(entry.path(), std::ios::binary);
      raw.append(std::istreambuf_iterator<char>(in), {});
    }
  } else {
    auto records = store::TestPostgresRawRecords((dir_ / "cfr.db").string());
    ASSERT_TRUE(records.ok()) << records.status().ToString();
    raw = std::move(*records);
  }
  ASSERT_GT(raw.size(), 2000u);  // the report, its victim, case and entities
  for (const char* secret :
       {"Somsri", "Kaewmanee", "1101700230708", "811112222", "somsri.k", "Somsri.K", "1234567890"}) {
    EXPECT_EQ(raw.find(secret), std::string::npos) << secret << " is in the store file in clear";
  }
  EXPECT_NE(raw.find("Chiang Mai"), std::string::npos);  // the province alone is kept for statistics
  store_ = *store::OpenTestStore((dir_ / "cfr.db").string());
  registry_ = std::make_unique<registry::Registry>(*store_, clock_);
  intake_ = std::make_unique<Intake>(*store_, *registry_, clock_, std::string(32, 'f'), cipher_);
  auto victim = intake_->VictimJson("RPT-2026-000001");
  ASSERT_TRUE(victim.ok()) << victim.status().ToString();
  const json v = json::parse(*victim);
  EXPECT_EQ(v["name"], "Somsri Kaewmanee");
  EXPECT_EQ(v["national_id"], "1101700230708");
  EXPECT_EQ(v["phone"], "+66811112222");
  EXPECT_EQ(v["email"], "somsri.k@example.co.th");
  ASSERT_EQ(v["accounts"].size(), 1u);  // the victim's own account, kept with the personal data
  EXPECT_EQ(v["accounts"][0]["canonical"], "004:1234567890");
  EXPECT_EQ(v["accounts"][0]["loss_transfer"], 0);
  EXPECT_EQ(json::parse(*intake_->ReportJson("RPT-2026-000001"))["loss_transfers"][0].count("from"), 0u);
  EXPECT_EQ(intake_->VictimJson("RPT-2026-000009").status().code(), StatusCode::kNotFound);
}

TEST_F(IntakeTest, AVictimsReportsAreFoundByKeyedHash) {
  ASSERT_TRUE(Submit(VictimReport("4071234567")).ok());
  ASSERT_TRUE(Submit(VictimReport("4079999999")).ok());  // the same victim, another loss
  ASSERT_TRUE(Submit(ReportBody("3100503321447", 100000)).ok());
  const std::vector<std::string> both = {"RPT-2026-000001", "RPT-2026-000002"};
  EXPECT_EQ(*intake_->ReportsOfVictim("national_id", "1101700230708"), both);
  EXPECT_EQ(*intake_->ReportsOfVictim("phone", "+66811112222"), both);
  EXPECT_EQ(*intake_->ReportsOfVictim("email", "somsri.k@example.co.th"), both);
  EXPECT_EQ(*intake_->ReportsOfVictim("bank_account", "004:1234567890"), both);
  EXPECT_EQ(*intake_->ReportsOfVictim("national_id", "3100503321447"),
            std::vector<std::string>{"RPT-2026-000003"});
  EXPECT_TRUE(intake_->ReportsOfVictim("phone", "+66899999999")->empty());
}

TEST_F(IntakeTest, VictimsWrittenInClearByAnOlderVersionAreSealedAtStart) {
  const std::string clear =
      R"({"report_id":"RPT-2025-000001","name":"Old Victim","national_id":"1101700230708"})";
  ASSERT_TRUE(store_->Commit(store::WriteBatch().Put(kVictimCollection, "RPT-2025-000001", clear)).ok());
  EXPECT_EQ(*intake_->VictimJson("RPT-2025-000001"), clear);  // still readable before
  EXPECT_EQ(*intake_->SealLegacyVictims(), 1u);
  auto rec = store_->Get(kVictimCollection, "RPT-2025-000001");
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->value.find("Old Victim"), std::string::npos);
  EXPECT_EQ(*intake_->VictimJson("RPT-2025-000001"), clear);
  EXPECT_EQ(*intake_->ReportsOfVictim("national_id", "1101700230708"),
            std::vector<std::string>{"RPT-2025-000001"});
  EXPECT_EQ(*intake_->SealLegacyVictims(), 0u);  // idempotent: once per data directory
  ASSERT_TRUE(store_->Commit(store::WriteBatch().Put(kVictimCollection, "RPT-2025-000002", clear)).ok());
  EXPECT_EQ(*intake_->SealLegacyVictims(), 0u);  // not scanned again (new victims are written sealed)
}

TEST_F(IntakeTest, VictimAccountsKeptInReportsByAnOlderVersionMoveIntoTheSealedRecord) {
  const std::string report =
      R"({"id":"RPT-2025-000001","loss_transfers":[{"from":{"kind":"bank_account","canonical":"004:1234567890",)"
      R"("display":"KBANK 123-4-56789-0"},"to":{"kind":"bank_account","canonical":"014:4071234567"}}]})";
  ASSERT_TRUE(store_
                  ->Commit(store::WriteBatch()
                               .Put("report", "RPT-2025-000001", report)
                               .Put(kVictimCollection, "RPT-2025-000001",
                                    R"({"report_id":"RPT-2025-000001","name":"Old Victim"})"))
                  .ok());
  EXPECT_EQ(*intake_->SealLegacyVictims(), 2u);  // sealed, then the account moved
  auto rec = store_->Get("report", "RPT-2025-000001");
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->value.find("1234567890"), std::string::npos);
  EXPECT_NE((*rec)->value.find("4071234567"), std::string::npos);  // the receiving side stays
  const json v = json::parse(*intake_->VictimJson("RPT-2025-000001"));
  EXPECT_EQ(v["name"], "Old Victim");
  EXPECT_EQ(v["accounts"][0]["canonical"], "004:1234567890");
  EXPECT_EQ(*intake_->ReportsOfVictim("bank_account", "004:1234567890"),
            std::vector<std::string>{"RPT-2025-000001"});
  EXPECT_EQ(*intake_->MoveLegacyVictimAccounts(), 0u);  // once
}

// The narrative is free text that names people, accounts and places: it is personal data, kept
// in the sealed victim record, never in clear in the report.
TEST_F(IntakeTest, TheNarrativeIsSealedWithTheVictim) {
  json body = json::parse(VictimReport("4071234567"));
  body["narrative"] = "Khun Somsak from the DSI said my account 123-4-56789-0 was frozen";
  auto r = Submit(body.dump());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const json report = json::parse(*intake_->ReportJson(r->report_id));
  EXPECT_EQ(report.count("narrative"), 0u);
  EXPECT_EQ(report["has_narrative"], true);
  EXPECT_EQ(json::parse(*intake_->VictimJson(r->report_id))["narrative"], body["narrative"]);
  for (const char* collection : {"report", "victim"}) {
    auto rec = store_->Get(collection, r->report_id);
    ASSERT_TRUE(rec.ok() && rec->has_value());
    EXPECT_EQ((*rec)->value.find("Somsak"), std::string::npos) << collection;
  }
}

TEST_F(IntakeTest, NarrativesKeptInReportsByAnOlderVersionMoveIntoTheSealedRecord) {
  ASSERT_TRUE(store_
                  ->Commit(store::WriteBatch()
                               .Put("report", "RPT-2025-000001",
                                    R"({"id":"RPT-2025-000001","narrative":"Khun Somsak called me"})")
                               .Put(kVictimCollection, "RPT-2025-000001",
                                    R"({"report_id":"RPT-2025-000001","name":"Old Victim"})"))
                  .ok());
  EXPECT_EQ(*intake_->SealLegacyVictims(), 2u);  // sealed, then the narrative moved
  auto rec = store_->Get("report", "RPT-2025-000001");
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->value.find("Somsak"), std::string::npos);
  EXPECT_EQ(json::parse((*rec)->value)["has_narrative"], true);
  EXPECT_EQ(json::parse(*intake_->VictimJson("RPT-2025-000001"))["narrative"], "Khun Somsak called me");
  EXPECT_EQ(*intake_->MoveLegacyNarratives(), 0u);  // once
}

}  // namespace
}  // namespace cfr::intake
