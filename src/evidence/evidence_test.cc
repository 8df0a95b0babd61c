#include "evidence/evidence.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "auth/audit.h"
#include "auth/audit_scope.h"
#include "evidence/qr_draw.h"
#include "evidence/slip_qr.h"
#include "evidence/verify.h"
#include "intake/intake_test_fixture.h"
#include "ledger/ledger.h"
#include "registry/screening_index.h"

namespace cfr::evidence {
namespace {

using nlohmann::json;

std::string Png(const SlipPicture& p, FileType type = FileType::kPng, int quality = 90) {
  auto g = DrawSlip(p);
  EXPECT_TRUE(g.ok());
  auto e = EncodeImage(g->pixels.data(), g->width, g->height, 1, type, quality);
  EXPECT_TRUE(e.ok());
  return *e;
}

// Everything on a real SQLite store through the audited store, as `cfr serve` runs it.
class EvidenceTest : public intake::IntakeTest {
 protected:
  void SetUp() override {
    IntakeTest::SetUp();
    std::vector<std::string> personal = intake::PersonalCollections();
    for (auto& c : PersonalCollections()) personal.push_back(c);
    audited_ = std::make_unique<auth::AuditedStore>(*store_, clock_, personal);
    book_ = std::make_unique<EvidenceBook>(*audited_, cipher_, clock_);
    graph_ = std::make_unique<ledger::TransferGraph>(ledger::TransferGraph::StoreChunks(*store_));
    ledger_ = std::make_unique<ledger::Ledger>(*store_, *graph_);
  }
  void TearDown() override {
    ledger_.reset();
    graph_.reset();
    book_.reset();
    audited_.reset();
    IntakeTest::TearDown();
  }
  // Brings the index up to the store, as its follower does.
  void Follow() {
    auto changes = store_->ReadChanges(seen_, 100000);
    ASSERT_TRUE(changes.ok());
    index_.Apply(*changes);
    screening_.Apply(*changes);
    if (!changes->empty()) seen_ = changes->back().seq;
  }
  std::string Report(const std::string& account, int64_t amount) {
    const std::string body = R"({"victim":{"name":"Somsri K.","phone":"08)" +
                             std::to_string(10000000 + amount % 89999999) +
                             R"("},"channel":"hotline","scam_type":"fake_shopping",
      "occurred_at":"2026-11-25T09:10:00+07:00",
      "loss_transfers":[{"to":{"bank":"KBANK","account":")" +
                             account + R"("},"amount_satang":)" + std::to_string(amount) +
                             R"(,"at":"2026-11-25T09:31:00+07:00"}]})";
    auto r = Submit(body);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->report_id : "";
  }
  void Transfer(const std::string& txn, int64_t amount, int64_t at_ms) {
    ledger::Transfer t;
    t.bank = "004";
    t.txn_id = txn;
    t.from = "004:1234567891";
    t.to = "004:9876543210";
    t.amount_satang = amount;
    t.at_ms = at_ms;
    t.channel = "promptpay";
    std::vector<ledger::TransferRow> rows(1);
    rows[0].line = 1;
    rows[0].transfer = t;
    auto s = ledger_->Ingest(rows, true);
    ASSERT_TRUE(s.ok() && s->saved == 1);
  }

  Actor officer_{"op.nok", "AOC", "operator", "key:1"};
  std::unique_ptr<auth::AuditedStore> audited_;
  std::unique_ptr<EvidenceBook> book_;
  std::unique_ptr<ledger::TransferGraph> graph_;
  std::unique_ptr<ledger::Ledger> ledger_;
  EvidenceIndex index_;
  registry::ScreeningIndex screening_;
  uint64_t seen_ = 0;
};

TEST_F(EvidenceTest, AFileIsStoredOnceSealedAndItsReadsAreAudited) {
  const std::string report = Report("123-4-56789-0", 150000);
  SlipPicture p;
  p.qr = BuildSlipQr({"004", "015330000001BPM00001"});
  p.amount_satang = 150000;
  const std::string png = Png(p);
  auto up = book_->Add(png, report, "", officer_);
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_TRUE(up->created);
  EXPECT_EQ(up->record.type, FileType::kPng);
  EXPECT_EQ(up->record.info.width, 1080);
  EXPECT_EQ(up->record.qr, std::vector<std::string>{p.qr});
  ASSERT_EQ(up->targets.size(), 2u);  // the report and its case
  EXPECT_EQ(up->targets[0], ReportTarget(report));
  EXPECT_TRUE(up->targets[1].starts_with("case:CFR-"));
  // The same bytes again: nothing new is stored.
  auto again = book_->Add(png, "", "", officer_);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->record.sha256, up->record.sha256);
  // The file comes back whole; the raw record is sealed (no PNG signature in it).
  {
    auth::AuditScope scope({officer_, "10.0.0.5", "GET /api/v1/evidence/{sha256}/file", "/"});
    auto bytes = book_->File(up->record.sha256);
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(*bytes, png);
  }
  auto raw = store_->Get(kEvidenceFileCollection, up->record.sha256);
  ASSERT_TRUE(raw.ok() && raw->has_value());
  EXPECT_EQ((*raw)->value.find("PNG"), std::string::npos);
  EXPECT_TRUE(auth::PersonalDataCipher::IsSealed((*raw)->value));
  // The read was audited.
  auto audit = store_->Scan("audit_pending", {});
  ASSERT_TRUE(audit.ok());
  bool read_audited = false;
  for (const auto& e : *audit)
    read_audited = read_audited || e.value.find(up->record.sha256) != std::string::npos;
  EXPECT_TRUE(read_audited);
}

TEST_F(EvidenceTest, BadFilesAndUnknownTargetsAreRefused) {
  auto gif = book_->Add("GIF89a\x01\x00\x01\x00", "", "", officer_);
  ASSERT_FALSE(gif.ok());
  EXPECT_EQ(gif.status().field(), "file");
  auto report = book_->Add(Png({}), "RPT-2026-999999", "", officer_);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(report.status().field(), "report_id");
  EvidenceOptions small;
  small.max_bytes = 1000;
  EvidenceBook tiny(*audited_, cipher_, clock_, small);
  auto big = tiny.Add(Png({}), "", "", officer_);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kPayloadTooLarge);
  // Nothing was stored by any of them.
  auto stored = store_->Scan(kEvidenceCollection, {});
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->empty());
}

// The issue's "done when": a genuine slip is verified against the ledger, an edited amount is a
// mismatch, a slip whose transaction does not exist is not_found; no QR and an altered QR too.
TEST_F(EvidenceTest, SlipsAreCheckedAgainstTheLedger) {
  const int64_t at = 1795700000000;
  Transfer("015330000001BPM00001", 150000, at);
  SlipPicture genuine;
  genuine.qr = BuildSlipQr({"004", "015330000001BPM00001"});
  genuine.amount_satang = 150000;
  auto rec = book_->Inspect(Png(genuine));
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();

  SlipClaims claims;
  claims.amount_satang = 150000;
  claims.at_ms = at + 20'000;  // the slip shows the minute
  claims.to_account = "004:9876543210";
  auto v = VerifySlip(rec->qr, claims, *graph_);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->status, "verified");
  ASSERT_TRUE(v->transfer.has_value());
  EXPECT_EQ(v->transfer->amount_satang, 150000);

  // The same slip with its amount edited to 15,000 baht.
  SlipClaims edited = claims;
  edited.amount_satang = 1500000;
  auto m = VerifySlip(rec->qr, edited, *graph_);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->status, "mismatch");
  ASSERT_EQ(m->differences.size(), 1u);
  EXPECT_EQ(m->differences[0].field, "amount_satang");
  EXPECT_EQ(m->differences[0].recorded, "150000");
  const json public_view = json::parse(SlipCheckJson(*m, false));
  EXPECT_FALSE(public_view.contains("transfer"));
  EXPECT_FALSE(public_view["differences"][0].contains("recorded"));
  // A different receiving account and a time far off.
  SlipClaims other = claims;
  other.to_account = "014:1111111111";
  other.at_ms = at + 3'600'000;
  auto m2 = VerifySlip(rec->qr, other, *graph_);
  ASSERT_TRUE(m2.ok());
  EXPECT_EQ(m2->status, "mismatch");
  EXPECT_EQ(m2->differences.size(), 2u);

  SlipPicture forged = genuine;
  forged.qr = BuildSlipQr({"004", "015330000999BPM09999"});
  auto f = book_->Inspect(Png(forged));
  ASSERT_TRUE(f.ok());
  auto nf = VerifySlip(f->qr, claims, *graph_);
  ASSERT_TRUE(nf.ok());
  EXPECT_EQ(nf->status, "not_found");

  SlipPicture blank = genuine;
  blank.qr = "";
  auto b = book_->Inspect(Png(blank));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(VerifySlip(b->qr, claims, *graph_)->status, "no_qr");

  std::string altered = genuine.qr.substr(0, genuine.qr.size() - 4) + "0000";
  auto inv = VerifySlip({altered}, claims, *graph_);
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->status, "invalid_qr");
  EXPECT_NE(inv->problem.find("CRC"), std::string::npos);
}

// A re-compressed copy of an earlier picture, uploaded with another report, is found as reuse
// (and the byte-identical file too); a different slip of the same layout is not.
TEST_F(EvidenceTest, AReusedScreenshotIsFoundAcrossReports) {
  const std::string first = Report("123-4-56789-0", 150000);
  const std::string second = Report("222-2-22222-2", 90000);
  const std::string third = Report("333-3-33333-3", 70000);
  SlipPicture p;
  p.qr = BuildSlipQr({"004", "015330000001BPM00001"});
  p.amount_satang = 150000;
  p.seed = 42;
  auto a = book_->Add(Png(p), first, "", officer_);
  ASSERT_TRUE(a.ok());
  auto b = book_->Add(Png(p, FileType::kJpeg, 55), second, "", officer_);
  ASSERT_TRUE(b.ok());
  ASSERT_NE(a->record.sha256, b->record.sha256);
  SlipPicture other = p;
  other.qr = BuildSlipQr({"004", "015330000002BPM00002"});
  other.seed = 43;
  other.amount_satang = 70000;
  auto c = book_->Add(Png(other), third, "", officer_);
  ASSERT_TRUE(c.ok());
  Follow();

  auto reuse = index_.ReuseOf(b->record.sha256, b->targets);
  ASSERT_EQ(reuse.size(), 1u);
  EXPECT_EQ(reuse[0].sha256, a->record.sha256);
  EXPECT_EQ(reuse[0].match, "visual");
  EXPECT_EQ(reuse[0].targets, (std::vector<std::string>{a->targets[1], a->targets[0]}));  // in order
  EXPECT_TRUE(index_.ReuseOf(c->record.sha256, c->targets).empty());

  // The very same bytes with the third report: identical reuse, seen from the third report.
  ASSERT_TRUE(book_->Link(a->record.sha256, third, "", officer_).ok());
  Follow();
  const auto from_third = index_.ReuseOf(a->record.sha256, c->targets);
  ASSERT_FALSE(from_third.empty());
  EXPECT_EQ(from_third[0].match, "identical");
  EXPECT_EQ(index_.FilesOf(ReportTarget(third)).size(), 2u);
}

TEST_F(EvidenceTest, AReportListingAFileIsLinkedToIt) {
  auto up = book_->Add(Png({}), "", "", officer_);
  ASSERT_TRUE(up.ok());
  const std::string body =
      R"({"victim":{"name":"Somchai","phone":"0891112222"},"channel":"web","scam_type":"fake_shopping",
      "occurred_at":"2026-11-25T09:10:00+07:00",
      "scammer_identifiers":[{"value":"@fakeshop.th"}],
      "evidence":[{"file_name":"slip.png","sha256":")" +
      up->record.sha256 + R"(","media_type":"image/png"}]})";
  auto r = Submit(body);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Follow();
  EXPECT_EQ(index_.FilesOf(ReportTarget(r->report_id)), std::vector<std::string>{up->record.sha256});
  EXPECT_EQ(index_.FilesOf(CaseTarget(r->case_id)), std::vector<std::string>{up->record.sha256});
}

TEST_F(EvidenceTest, AQrPayingAListedMuleIsFlagged) {
  auto listed = registry_->List(ident::Kind::kPhone, "+66812345678", "081-234-5678", registry::Tier::kBlack,
                                Actor("pol.anan", "RTP-CIB", "police"), "confirmed mule");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  Follow();
  SlipPicture p;
  p.payment_qr = PromptPayQrForMobile("0066812345678");
  auto rec = book_->Inspect(Png(p));
  ASSERT_TRUE(rec.ok());
  const auto found = ScreenPaymentQrs(rec->qr, screening_);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].proxy.canonical, "mobile:+66812345678");
  EXPECT_TRUE(found[0].flagged);
  const auto clean = ScreenPaymentQrs({PromptPayQrForMobile("0066899999999")}, screening_);
  ASSERT_EQ(clean.size(), 1u);
  EXPECT_FALSE(clean[0].flagged);
}

}  // namespace
}  // namespace cfr::evidence
