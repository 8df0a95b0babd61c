#include "auth/audit.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "store/testing.h"

namespace cfr::auth {
namespace {

using nlohmann::json;

Keyring TestKeys(int n) {
  std::vector<std::pair<std::string, Key32>> keys;
  for (int i = 1; i <= n; ++i) {
    Key32 k{};
    k.fill(static_cast<unsigned char>(i));
    keys.emplace_back("k" + std::to_string(i), k);
  }
  return Keyring::ForTesting(keys);
}

class AuditTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cfr-audit-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Open();
  }
  void TearDown() override {
    Close();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    auto s = store::OpenTestStore((dir_ / "cfr.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    raw_ = std::move(*s);
    audited_ = std::make_unique<AuditedStore>(*raw_, clock_, std::vector<std::string>{"victim"});
  }
  void Close() {
    audited_.reset();
    if (raw_) (void)raw_->Close();
    raw_.reset();
  }
  // Runs SQL on the closed store's database (what someone with the file, or a login to the
  // database server, could do): the embedded store's SQL or PostgreSQL's, whichever the test runs on.
  void Tamper(const std::string& sqlite_sql, const std::string& postgres_sql) {
    Close();
    auto changed = store::TestRawSql((dir_ / "cfr.db").string(), sqlite_sql, postgres_sql);
    ASSERT_TRUE(changed.ok()) << changed.status().ToString();
    EXPECT_GT(*changed, 0) << sqlite_sql;
    Open();
  }
  // An audit record's key as an SQL literal in each dialect.
  static std::string SqliteKey(const std::string& key) { return "CAST('" + key + "' AS BLOB)"; }
  static std::string PostgresKey(const std::string& key) { return "convert_to('" + key + "', 'UTF8')"; }
  // Deletes the audit entry n.
  void RemoveEntry(uint64_t n) {
    const std::string sql = "DELETE FROM records WHERE collection = 'audit' AND key = ";
    Tamper(sql + SqliteKey(AuditKey(n)), sql + PostgresKey(AuditKey(n)));
  }
  // n writes by an officer, each its own commit, sealed.
  void WriteSealed(int n, const Keyring& keys) {
    AuditScope scope({Actor("somchai.k", "AOC", "operator", "key:0123"), "10.0.0.7", "POST /api/v1/reports",
                      "/api/v1/reports"});
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(
          audited_->Commit(store::WriteBatch().Put("report", "R" + std::to_string(written_++), "{}")).ok());
    }
    AuditChain chain(*raw_, keys);
    ASSERT_TRUE(chain.SealAll().ok());
  }
  AuditVerification Verify(const Keyring& keys) {
    auto v = AuditChain::Verify(*raw_, keys);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : AuditVerification{};
  }

  std::filesystem::path dir_;
  ManualClock clock_{1'790'000'000'000};
  std::unique_ptr<store::Store> raw_;
  std::unique_ptr<AuditedStore> audited_;
  int written_ = 0;
};

TEST_F(AuditTest, EveryWriteCarriesItsEntryInTheSameCommit) {
  const Keyring keys = TestKeys(1);
  WriteSealed(3, keys);
  const auto v = Verify(keys);
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.entries, 3u);
  EXPECT_EQ(v.pending, 0u);
  auto first = raw_->Get(kAuditCollection, AuditKey(1));
  ASSERT_TRUE(first.ok() && first->has_value());
  auto parsed = ParseAuditRecord((*first)->key, (*first)->value);
  ASSERT_TRUE(parsed);
  const json e = json::parse(parsed->json);
  EXPECT_EQ(e["user"], "somchai.k");
  EXPECT_EQ(e["agency"], "AOC");
  EXPECT_EQ(e["credential"], "key:0123");
  EXPECT_EQ(e["from"], "10.0.0.7");
  EXPECT_EQ(e["action"], "POST /api/v1/reports");
  EXPECT_EQ(e["kind"], "write");
  EXPECT_EQ(e["records"], json::array({"report/R0"}));
  EXPECT_EQ(e["at"], "2026-09-21T14:13:20.000Z");
}

TEST_F(AuditTest, AFailedWriteLeavesNoEntry) {
  ASSERT_TRUE(audited_->Commit(store::WriteBatch().Put("report", "R1", "{}")).ok());
  auto again = audited_->Commit(store::WriteBatch().Insert("report", "R1", "{}"));  // exists: conflict
  EXPECT_EQ(again.status().code(), StatusCode::kConflict);
  auto pending = raw_->Scan(kAuditPendingCollection, {});
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->size(), 1u);
}

TEST_F(AuditTest, ReadingPersonalDataIsAuditedOtherReadsAreNot) {
  ASSERT_TRUE(
      audited_->Commit(store::WriteBatch().Put("victim", "RPT-1", "secret").Put("report", "RPT-1", "{}"))
          .ok());
  ASSERT_TRUE(audited_->Get("report", "RPT-1").ok());
  ASSERT_TRUE(audited_->Get("victim", "missing").ok());  // nothing read: nothing to audit
  {
    AuditScope scope(
        {Actor("pol.anan", "RTP-CIB", "police", "key:9"), "10.1.1.1", "GET /api/v1/victims", "/x"});
    auto v = audited_->Get("victim", "RPT-1");
    ASSERT_TRUE(v.ok() && v->has_value());
    auto s = audited_->Scan("victim", {});
    ASSERT_TRUE(s.ok());
  }
  AuditChain chain(*raw_, TestKeys(1));
  ASSERT_TRUE(chain.SealAll().ok());
  auto all = raw_->Scan(kAuditCollection, {});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);  // the write, then two reads by the police
  for (int i : {1, 2}) {
    const json e = json::parse(ParseAuditRecord((*all)[i].key, (*all)[i].value)->json);
    EXPECT_EQ(e["kind"], "read");
    EXPECT_EQ(e["user"], "pol.anan");
    EXPECT_EQ(e["records"], json::array({"victim/RPT-1"}));
  }
}

TEST_F(AuditTest, AlteringOneByteIsFoundAndNamed) {
  const Keyring keys = TestKeys(1);
  WriteSealed(5, keys);
  // "somchai" -> "somchaj" in entry 3.
  Tamper(
      "UPDATE records SET value = CAST(replace(CAST(value AS TEXT), 'somchai', 'somchaj') AS BLOB) "
      "WHERE collection = 'audit' AND key = " +
          SqliteKey(AuditKey(3)),
      "UPDATE records SET value = convert_to(replace(convert_from(value, 'UTF8'), 'somchai', 'somchaj'), "
      "'UTF8') WHERE collection = 'audit' AND key = " +
          PostgresKey(AuditKey(3)));
  const auto v = Verify(keys);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad, 4u);
  EXPECT_NE(v.problem.find("entry 3 no longer matches"), std::string::npos) << v.problem;
}

TEST_F(AuditTest, RemovingAnEntryIsFound) {
  const Keyring keys = TestKeys(1);
  WriteSealed(5, keys);
  RemoveEntry(2);
  auto v = Verify(keys);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad, 2u);
  EXPECT_NE(v.problem.find("missing"), std::string::npos) << v.problem;
}

TEST_F(AuditTest, SwappingTwoEntriesIsFound) {
  const Keyring keys = TestKeys(1);
  WriteSealed(4, keys);
  const std::string a = AuditKey(2), b = AuditKey(3);
  const auto swap = [&](std::string (*literal)(const std::string&)) {
    const std::string set = "UPDATE records SET key = ", where = " WHERE collection = 'audit' AND key = ";
    return set + literal("x") + where + literal(a) + "; " + set + literal(a) + where + literal(b) + "; " +
           set + literal(b) + where + literal("x");
  };
  Tamper(swap(&SqliteKey), swap(&PostgresKey));
  const auto v = Verify(keys);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad, 2u);
}

TEST_F(AuditTest, DroppingTheLastEntryIsFoundByTheHead) {
  const Keyring keys = TestKeys(1);
  WriteSealed(4, keys);
  RemoveEntry(4);
  const auto v = Verify(keys);
  EXPECT_FALSE(v.intact);
  EXPECT_NE(v.problem.find("the head says 4 entries, the chain has 3"), std::string::npos) << v.problem;
}

TEST_F(AuditTest, AChainRecomputedWithoutTheKeyDoesNotVerify) {
  WriteSealed(3, TestKeys(1));
  const Keyring other = Keyring::ForTesting({{"k1", Key32{}}});  // same id, a different key
  const auto v = Verify(other);
  EXPECT_FALSE(v.intact);
}

TEST_F(AuditTest, EntriesAreSealedInCommitOrderByTheFollowerAndOnlyOnceByTwoServers) {
  const Keyring keys = TestKeys(1);
  AuditChain a(*raw_, keys), b(*raw_, keys);
  store::ChangeFollower follow_a(*raw_, {&a}), follow_b(*raw_, {&b});
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(audited_->Commit(store::WriteBatch().Put("report", "R" + std::to_string(i), "{}")).ok());
  }
  ASSERT_TRUE(follow_a.CatchUp().ok());
  ASSERT_TRUE(follow_b.CatchUp().ok());  // the same pending entries: already sealed by a
  EXPECT_TRUE(a.last_error().ok());
  EXPECT_TRUE(b.last_error().ok()) << b.last_error().ToString();
  const auto v = Verify(keys);
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.entries, 30u);
  for (int i = 0; i < 30; ++i) {
    auto rec = raw_->Get(kAuditCollection, AuditKey(static_cast<uint64_t>(i) + 1));
    ASSERT_TRUE(rec.ok() && rec->has_value());
    EXPECT_EQ(json::parse(ParseAuditRecord((*rec)->key, (*rec)->value)->json)["records"][0],
              "report/R" + std::to_string(i));
  }
}

TEST_F(AuditTest, AChainBeingSealedVerifiesIntactThroughout) {
  // The verify endpoint runs while the servers seal: entries sealed during a check are not a break.
  const Keyring keys = TestKeys(1);
  AuditChain chain(*raw_, keys);
  store::ChangeFollower follower(*raw_, {&chain}, std::chrono::milliseconds(1));
  ASSERT_TRUE(follower.CatchUp().ok());
  follower.Start();
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      IgnoreError(
          audited_->Commit(store::WriteBatch().Put("report", "R" + std::to_string(i), "{}")).status());
    }
  });
  int checks = 0;
  uint64_t seen = 0;
  while (checks < 40 || seen < 200) {
    const auto v = Verify(keys);
    ASSERT_TRUE(v.intact) << v.problem;
    seen = v.entries;
    ++checks;
  }
  stop = true;
  writer.join();
  follower.Stop();
}

// A store whose next `failures` commits fail after they were saved (as a commit whose answer
// was lost on the way back would): the sealer must not seal those entries a second time.
class LostAnswerStore final : public store::Store {
 public:
  explicit LostAnswerStore(store::Store& inner) : inner_(inner) {}
  std::atomic<int> failures{0};
  Result<uint64_t> Commit(const store::WriteBatch& batch) override {
    auto r = inner_.Commit(batch);
    if (r.ok() && failures.load() > 0) {
      --failures;
      return Unavailable("store: the connection was lost");
    }
    return r;
  }
  Result<std::optional<store::Record>> Get(std::string_view c, std::string_view k) override {
    return inner_.Get(c, k);
  }
  Result<std::vector<std::optional<store::Record>>> GetMany(const std::vector<store::RecordKey>& k) override {
    return inner_.GetMany(k);
  }
  Result<std::vector<store::Record>> Scan(std::string_view c, const store::ScanOptions& o) override {
    return inner_.Scan(c, o);
  }
  Result<std::vector<store::Change>> ReadChanges(uint64_t after, size_t limit) override {
    return inner_.ReadChanges(after, limit);
  }
  uint64_t LastSeq() const override { return inner_.LastSeq(); }
  uint64_t WaitForChanges(uint64_t after, std::chrono::milliseconds timeout) override {
    return inner_.WaitForChanges(after, timeout);
  }
  int SchemaVersion() const override { return inner_.SchemaVersion(); }
  Status Close() override { return Status::Ok(); }

 private:
  store::Store& inner_;
};

TEST_F(AuditTest, TheSealingThreadSealsEveryEntryOnceInCommitOrderBesideAnotherServer) {
  // Two servers' chains, each sealing on its own thread while writes go on: every entry once, in
  // the order of the commits, and each chain can say when what was committed is sealed.
  const Keyring keys = TestKeys(1);
  AuditChain a(*raw_, keys), b(*raw_, keys);
  store::ChangeFollower follow_a(*raw_, {&a}, std::chrono::milliseconds(5));
  store::ChangeFollower follow_b(*raw_, {&b}, std::chrono::milliseconds(5));
  ASSERT_TRUE(follow_a.CatchUp().ok());
  ASSERT_TRUE(follow_b.CatchUp().ok());
  a.Start();
  b.Start();
  follow_a.Start();
  follow_b.Start();
  constexpr int kWrites = 300;
  for (int i = 0; i < kWrites; ++i) {
    ASSERT_TRUE(audited_->Commit(store::WriteBatch().Put("report", "R" + std::to_string(i), "{}")).ok());
  }
  const uint64_t committed = raw_->LastSeq();
  EXPECT_TRUE(a.WaitForSealed(committed, std::chrono::seconds(10)));
  EXPECT_TRUE(b.WaitForSealed(committed, std::chrono::seconds(10)));
  follow_a.Stop();
  follow_b.Stop();
  a.Stop();
  b.Stop();
  EXPECT_TRUE(a.last_error().ok()) << a.last_error().ToString();
  EXPECT_TRUE(b.last_error().ok()) << b.last_error().ToString();
  const auto v = Verify(keys);
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.entries, static_cast<uint64_t>(kWrites));
  EXPECT_EQ(v.pending, 0u);
  for (int i = 0; i < kWrites; ++i) {
    auto rec = raw_->Get(kAuditCollection, AuditKey(static_cast<uint64_t>(i) + 1));
    ASSERT_TRUE(rec.ok() && rec->has_value());
    EXPECT_EQ(json::parse(ParseAuditRecord((*rec)->key, (*rec)->value)->json)["records"][0],
              "report/R" + std::to_string(i));
  }
}

TEST_F(AuditTest, StoppingTheSealerSealsWhatWasHandedOver) {
  const Keyring keys = TestKeys(1);
  AuditChain chain(*raw_, keys);
  chain.Start();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(audited_->Commit(store::WriteBatch().Put("report", "R" + std::to_string(i), "{}")).ok());
  }
  store::ChangeFollower follower(*raw_, {&chain});
  ASSERT_TRUE(follower.CatchUp().ok());  // hands the 20 entries over and returns
  chain.Stop();
  const auto v = Verify(keys);
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.entries, 20u);
  EXPECT_EQ(v.pending, 0u);
}

TEST_F(AuditTest, ASealWhoseAnswerWasLostIsNotSealedAgain) {
  const Keyring keys = TestKeys(1);
  LostAnswerStore lossy(*raw_);
  AuditChain chain(lossy, keys);
  chain.Start();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(audited_->Commit(store::WriteBatch().Put("report", "R" + std::to_string(i), "{}")).ok());
  }
  lossy.failures = 1;  // the first seal is saved, but the sealer hears that it failed
  store::ChangeFollower follower(*raw_, {&chain});
  ASSERT_TRUE(follower.CatchUp().ok());
  // The sealer tries again after a pause, finds the entries sealed and reports success.
  EXPECT_TRUE(chain.WaitForSealed(raw_->LastSeq(), std::chrono::seconds(10)));
  for (int i = 10; i < 15; ++i) {
    ASSERT_TRUE(audited_->Commit(store::WriteBatch().Put("report", "R" + std::to_string(i), "{}")).ok());
  }
  ASSERT_TRUE(follower.CatchUp().ok());
  EXPECT_TRUE(chain.WaitForSealed(raw_->LastSeq(), std::chrono::seconds(10)));
  chain.Stop();
  EXPECT_TRUE(chain.last_error().ok()) << chain.last_error().ToString();
  const auto v = Verify(keys);
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.entries, 15u);
  EXPECT_EQ(v.pending, 0u);
}

TEST_F(AuditTest, AfterKeyRotationOldEntriesStillVerify) {
  WriteSealed(2, TestKeys(1));
  WriteSealed(2, TestKeys(2));  // sealed with k2 now
  EXPECT_TRUE(Verify(TestKeys(2)).intact);
  const auto without_k1 = Verify(Keyring::ForTesting({{"k2", TestKeys(2).CurrentSubkey("x")}}));
  EXPECT_FALSE(without_k1.intact);
  EXPECT_NE(without_k1.problem.find("names key k1"), std::string::npos) << without_k1.problem;
}

}  // namespace
}  // namespace cfr::auth
