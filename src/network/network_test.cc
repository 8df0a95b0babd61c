#include "network/network.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "intake/intake_test_fixture.h"
#include "ledger/ledger.h"
#include "store/change_follower.h"

namespace cfr::network {
namespace {

// Real parts: reports through Intake, people through the Registry, transfers through the Ledger,
// all into a SQLite store, and the index fed by the change follower.
class NetworkTest : public intake::IntakeTest {
 protected:
  void SetUp() override {
    IntakeTest::SetUp();
    graph_ = std::make_unique<ledger::TransferGraph>(ledger::TransferGraph::StoreChunks(*store_));
    ledger_ = std::make_unique<ledger::Ledger>(*store_, *graph_);
    index_ = std::make_unique<NetworkIndex>(graph_.get());
    follower_ = std::make_unique<store::ChangeFollower>(
        *store_, std::vector<store::ChangeConsumer*>{graph_.get(), index_.get()});
  }
  void TearDown() override {
    follower_.reset();
    index_.reset();
    ledger_.reset();
    graph_.reset();
    IntakeTest::TearDown();
  }
  std::string Report(const std::string& victim_nid, const std::string& bank, const std::string& account,
                     int64_t amount, const std::string& identifier) {
    const std::string body =
        R"({"victim":{"name":"Somsri K.","national_id":")" + victim_nid +
        R"(","province":"Bangkok"},"channel":"hotline","scam_type":"call_centre_impersonation",
        "occurred_at":"2026-11-27T09:10:00+07:00",
        "loss_transfers":[{"to":{"bank":")" +
        bank + R"(","account":")" + account + R"("},"amount_satang":)" + std::to_string(amount) +
        R"(,"at":"2026-11-27T09:31:00+07:00"}],"scammer_identifiers":[{"value":")" + identifier + R"("}]})";
    auto r = Submit(body);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->report_id : "";
  }
  void Transfer(const std::string& id, const std::string& from, const std::string& to, int64_t amount) {
    ledger::Transfer t;
    t.bank = from.substr(0, 3);
    t.txn_id = id;
    t.from = from;
    t.to = to;
    t.amount_satang = amount;
    t.at_ms = 1795770000000;
    t.channel = "promptpay";
    auto s = ledger_->Ingest({{1, t}}, false);
    ASSERT_TRUE(s.ok() && s->saved == 1);
  }
  void CatchUp() { ASSERT_TRUE(follower_->CatchUp().ok()); }
  NetworkView Of(const std::string& key) {
    auto v = index_->Around(key, -1, 1000);
    EXPECT_TRUE(v.has_value()) << key;
    return v ? *v : NetworkView{};
  }
  // The maintained orders agree with the networks themselves, whatever merged or split.
  void CheckRanking() {
    for (auto sort : {NetworkIndex::Sort::kLoss, NetworkIndex::Sort::kVictims, NetworkIndex::Sort::kSize}) {
      size_t total = 0;
      const auto top = index_->Top(sort, 0, 1000, &total);
      ASSERT_EQ(top.size(), total);
      for (size_t i = 0; i < top.size(); ++i) {
        auto v = index_->Network(top[i].id, 10);
        ASSERT_TRUE(v.has_value());
        EXPECT_EQ(v->summary.id, top[i].id);
        EXPECT_EQ(v->summary.size, top[i].size);
        EXPECT_EQ(v->summary.victims, top[i].victims);
        EXPECT_EQ(v->summary.loss_satang, top[i].loss_satang);
        EXPECT_GE(top[i].size, 2u);
        if (i == 0) continue;
        const auto& a = top[i - 1];
        const auto& b = top[i];
        const int64_t ka = sort == NetworkIndex::Sort::kLoss      ? a.loss_satang
                           : sort == NetworkIndex::Sort::kVictims ? a.victims
                                                                  : static_cast<int64_t>(a.size);
        const int64_t kb = sort == NetworkIndex::Sort::kLoss      ? b.loss_satang
                           : sort == NetworkIndex::Sort::kVictims ? b.victims
                                                                  : static_cast<int64_t>(b.size);
        EXPECT_GE(ka, kb);
      }
    }
  }
  static bool Has(const NetworkView& v, const std::string& key) {
    return std::any_of(v.nodes.begin(), v.nodes.end(), [&](const NodeView& n) { return n.key == key; });
  }

  std::unique_ptr<ledger::TransferGraph> graph_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<NetworkIndex> index_;
  std::unique_ptr<store::ChangeFollower> follower_;
};

const std::string kA = "bank_account:014:4071234567";
const std::string kB = "bank_account:004:1112223334";
const std::string kC = "bank_account:006:5556667778";
const std::string kPhone = "phone:+66812345678";

TEST_F(NetworkTest, ReportsSharingAnIdentifierFormOneNetwork) {
  const std::string ra = Report("1101700230708", "014", "4071234567", 4500000, "081-234-5678");
  const std::string rb = Report("6212509199088", "004", "1112223334", 300000, "0812345678");
  Report("3100600123450", "006", "5556667778", 1000000, "line:scam_line");
  CatchUp();
  const NetworkView ab = Of(kA);
  EXPECT_TRUE(Has(ab, kB));
  EXPECT_TRUE(Has(ab, kPhone));
  EXPECT_TRUE(Has(ab, "report:" + ra));
  EXPECT_FALSE(Has(ab, kC));
  EXPECT_EQ(ab.summary.size, 5u);  // two reports, two accounts, the phone
  EXPECT_EQ(ab.summary.victims, 2);
  EXPECT_EQ(ab.summary.loss_satang, 4800000);
  EXPECT_EQ(ab.summary.banks, (std::vector<std::string>{"004", "014"}));
  // Every link has its reason and evidence.
  size_t received = 0, named = 0;
  for (const EdgeView& e : ab.edges) {
    EXPECT_FALSE(e.report.empty());
    received += e.reason == Reason::kReceivedLoss;
    named += e.reason == Reason::kNamedInReport;
    if (e.reason == Reason::kReceivedLoss && ab.nodes[e.to].key == kA) {
      EXPECT_EQ(e.amount_satang, 4500000);
    }
  }
  EXPECT_EQ(received, 2u);
  EXPECT_EQ(named, 2u);
  // By id, and the most damaging first.
  auto byid = index_->Network(ab.summary.id, 1000);
  ASSERT_TRUE(byid.has_value());
  EXPECT_EQ(byid->summary.size, 5u);
  size_t total = 0;
  auto top = index_->Top(NetworkIndex::Sort::kLoss, 0, 10, &total);
  ASSERT_EQ(total, 2u);
  EXPECT_EQ(top[0].id, ab.summary.id);
  EXPECT_EQ(top[1].loss_satang, 1000000);
  top = index_->Top(NetworkIndex::Sort::kSize, 1, 10, &total);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].size, 3u);
  // Depth: one link from the phone reaches the two reports only.
  auto near = index_->Around(kPhone, 1, 100);
  ASSERT_TRUE(near.has_value());
  EXPECT_EQ(near->nodes.size(), 3u);
  EXPECT_FALSE(index_->Network("NET-000000000000", 10).has_value());
  EXPECT_FALSE(index_->Network("not-an-id", 10).has_value());
  (void)rb;
}

// A transfer between two reported accounts joins their networks, whichever came first; the
// network keeps the earlier id and the later id finds the merged network.
TEST_F(NetworkTest, TransfersJoinNetworksInAnyOrder) {
  Report("1101700230708", "014", "4071234567", 4500000, "081-234-5678");
  Report("3100600123450", "006", "5556667778", 1000000, "line:scam_line");
  CatchUp();
  const std::string first_id = Of(kA).summary.id;
  const std::string second_id = Of(kC).summary.id;
  ASSERT_NE(first_id, second_id);
  Transfer("T1", "014:4071234567", "006:5556667778", 2000000);
  Transfer("T2", "014:4071234567", "006:5556667778", 500000);
  CatchUp();
  const NetworkView joined = Of(kC);
  EXPECT_TRUE(Has(joined, kA));
  EXPECT_EQ(joined.summary.id, first_id);
  EXPECT_EQ(joined.summary.victims, 2);
  auto merged = index_->Network(second_id, 100);
  ASSERT_TRUE(merged.has_value());
  EXPECT_EQ(merged->summary.id, first_id);
  const auto link = std::find_if(joined.edges.begin(), joined.edges.end(),
                                 [](const EdgeView& e) { return e.reason == Reason::kTransfer; });
  ASSERT_NE(link, joined.edges.end());
  EXPECT_EQ(joined.nodes[link->from].key, kA);  // the payer first
  EXPECT_EQ(link->transfers, 2);
  EXPECT_EQ(link->amount_satang, 2500000);

  // The transfer first, the report naming its receiver later.
  Transfer("T3", "006:5556667778", "002:9998887776", 700000);
  CatchUp();
  Report("5100700123458", "002", "9998887776", 100000, "https://scam.example/pay");
  CatchUp();
  EXPECT_TRUE(Has(Of(kA), "bank_account:002:9998887776"));
  CheckRanking();
}

TEST_F(NetworkTest, PeopleJoinAndClearedIdentifiersSplit) {
  const std::string ra = Report("1101700230708", "014", "4071234567", 4500000, "081-234-5678");
  Report("6212509199088", "004", "1112223334", 300000, "0812345678");
  Report("3100600123450", "006", "5556667778", 1000000, "line:scam_line");
  // The owner of account C also owns account A.
  const Actor bank{"kbank.fraud", "KBANK", "bank"};
  ASSERT_TRUE(registry_
                  ->LinkPerson(ident::Kind::kBankAccount, "006:5556667778", "", "1103700012346", "", bank,
                               "account holder")
                  .ok());
  ASSERT_TRUE(registry_
                  ->LinkPerson(ident::Kind::kBankAccount, "014:4071234567", "", "1103700012346", "", bank,
                               "account holder")
                  .ok());
  CatchUp();
  NetworkView all = Of(kA);
  EXPECT_TRUE(Has(all, kC));
  EXPECT_TRUE(Has(all, "national_id:1103700012346"));
  EXPECT_EQ(all.summary.victims, 3);

  // The shared phone is cleared on appeal: B's report no longer joins A's network.
  const Actor officer{"somchai.k", "AOC", "operator"};
  auto appeal =
      registry_->FileAppeal(ident::Kind::kPhone, "+66812345678", "my number", "0812345678", officer);
  ASSERT_TRUE(appeal.ok()) << appeal.status().ToString();
  ASSERT_TRUE(registry_->DecideAppeal(appeal->id, true, "verified owner", officer).ok());
  CatchUp();
  all = Of(kA);
  EXPECT_FALSE(Has(all, kB));
  EXPECT_TRUE(Has(all, kC));
  EXPECT_EQ(all.summary.victims, 2);
  EXPECT_EQ(Of(kB).summary.victims, 1);
  CheckRanking();

  // Unlinking the person splits C off again.
  ASSERT_TRUE(
      registry_->UnlinkPerson(ident::Kind::kBankAccount, "006:5556667778", bank, "wrong holder").ok());
  CatchUp();
  EXPECT_FALSE(Has(Of(kA), kC));
  EXPECT_EQ(Of(kA).summary.victims, 1);
  CheckRanking();
  size_t total = 0;
  EXPECT_EQ(index_->Top(NetworkIndex::Sort::kSize, 0, 10, &total).size(), 3u);  // A, B and C apart
  (void)ra;
}

}  // namespace
}  // namespace cfr::network
