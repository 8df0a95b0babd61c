#include "store/store_conformance.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "store/change_follower.h"
#include "store/counter.h"

namespace cfr::store {

void StoreConformanceTest::SetUp() {
  std::random_device rd;
  dir_ = (std::filesystem::temp_directory_path() /
          ("cfr-store-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd())))
             .string();
  std::filesystem::create_directories(dir_);
  auto s = GetParam().open(dir_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  store_ = std::move(*s);
}

void StoreConformanceTest::TearDown() {
  if (store_) {
    EXPECT_TRUE(store_->Close().ok());
  }
  store_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void StoreConformanceTest::Reopen() {
  ASSERT_TRUE(store_->Close().ok());
  store_.reset();
  auto s = GetParam().open(dir_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  store_ = std::move(*s);
}

namespace {

std::string GetValue(Store& store, std::string_view collection, std::string_view key) {
  auto r = store.Get(collection, key);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok() || !r->has_value()) return "<none>";
  return (*r)->value;
}

TEST_P(StoreConformanceTest, EmptyStore) {
  EXPECT_EQ(store_->LastSeq(), 0u);
  EXPECT_EQ(GetValue(*store_, "c", "k"), "<none>");
  auto changes = store_->ReadChanges(0, 10);
  ASSERT_TRUE(changes.ok());
  EXPECT_TRUE(changes->empty());
  auto scan = store_->Scan("c", {});
  ASSERT_TRUE(scan.ok());
  EXPECT_TRUE(scan->empty());
  EXPECT_GE(store_->SchemaVersion(), 1);
}

TEST_P(StoreConformanceTest, PutGetBinaryKeysAndValues) {
  const std::string key("k\0\xff\x01", 4);
  const std::string value(
      "v\0\xfe"
      "abc",
      6);
  auto seq = store_->Commit(WriteBatch().Put("c", key, value).Put("c", "", "empty key"));
  ASSERT_TRUE(seq.ok()) << seq.status().ToString();
  EXPECT_EQ(*seq, 2u);
  EXPECT_EQ(GetValue(*store_, "c", key), value);
  EXPECT_EQ(GetValue(*store_, "c", ""), "empty key");
  EXPECT_EQ(GetValue(*store_, "other", key), "<none>");
  auto rec = store_->Get("c", key);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->seq, 1u);
}

TEST_P(StoreConformanceTest, EmptyValueIsNotADelete) {
  ASSERT_TRUE(store_->Commit(WriteBatch().Put("c", "k", "")).ok());
  EXPECT_EQ(GetValue(*store_, "c", "k"), "");
  auto changes = store_->ReadChanges(0, 10);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 1u);
  ASSERT_TRUE((*changes)[0].value.has_value());
}

TEST_P(StoreConformanceTest, OverwriteMovesSeq) {
  ASSERT_TRUE(store_->Commit(WriteBatch().Put("c", "a", "1")).ok());
  ASSERT_TRUE(store_->Commit(WriteBatch().Put("c", "b", "2")).ok());
  auto seq = store_->Commit(WriteBatch().Put("c", "a", "3"));
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 3u);
  EXPECT_EQ(GetValue(*store_, "c", "a"), "3");
  // The change feed holds the latest state of each record, in seq order.
  auto changes = store_->ReadChanges(0, 10);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ((*changes)[0].key, "b");
  EXPECT_EQ((*changes)[1].key, "a");
  EXPECT_EQ((*changes)[1].value, "3");
  EXPECT_EQ((*changes)[1].seq, 3u);
}

TEST_P(StoreConformanceTest, InsertConflictAppliesNothing) {
  ASSERT_TRUE(store_->Commit(WriteBatch().Insert("c", "k", "first")).ok());
  auto r = store_->Commit(WriteBatch().Put("c", "other", "x").Insert("c", "k", "second"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kConflict);
  EXPECT_EQ(GetValue(*store_, "c", "k"), "first");
  EXPECT_EQ(GetValue(*store_, "c", "other"), "<none>");
  EXPECT_EQ(store_->LastSeq(), 1u);
  // The numbers of a failed batch are not consumed.
  auto next = store_->Commit(WriteBatch().Put("c", "z", "1"));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, 2u);
}

TEST_P(StoreConformanceTest, UpdateOfMissingKeyIsNotFound) {
  auto r = store_->Commit(WriteBatch().Update("c", "missing", "v"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->Commit(WriteBatch().Insert("c", "k", "1").Update("c", "k", "2")).ok());
  EXPECT_EQ(GetValue(*store_, "c", "k"), "2");
}

TEST_P(StoreConformanceTest, PutIfSeqIsCompareAndSwap) {
  // Absent record: expected seq 0 creates it.
  auto created = store_->Commit(WriteBatch().PutIfSeq("c", "k", "v1", 0));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto again = store_->Commit(WriteBatch().PutIfSeq("c", "k", "v1b", 0));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kConflict);
  // Present record: only its current seq wins.
  auto updated = store_->Commit(WriteBatch().PutIfSeq("c", "k", "v2", *created));
  ASSERT_TRUE(updated.ok());
  auto stale = store_->Commit(WriteBatch().PutIfSeq("c", "k", "v3", *created).Put("c", "other", "x"));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict);
  EXPECT_EQ(GetValue(*store_, "c", "k"), "v2");
  EXPECT_EQ(GetValue(*store_, "c", "other"), "<none>");
}

TEST_P(StoreConformanceTest, ConcurrentReadModifyWriteLosesNoUpdate) {
  ASSERT_TRUE(store_->Commit(WriteBatch().Put("counter", "n", "0")).ok());
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        while (true) {  // the optimistic-concurrency loop every read-modify-write uses
          auto rec = store_->Get("counter", "n");
          if (!rec.ok() || !rec->has_value()) return;
          const int n = std::stoi((*rec)->value);
          auto r = store_->Commit(WriteBatch().PutIfSeq("counter", "n", std::to_string(n + 1), (*rec)->seq));
          if (r.ok()) break;
          if (r.status().code() != StatusCode::kConflict) return;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(GetValue(*store_, "counter", "n"), "100");
}

TEST_P(StoreConformanceTest, ManyConcurrentCommittersEachGetTheirOwnResult) {
  // Many committers at once (group commits): each learns its own batch's outcome — the inserts
  // that lost a race a conflict, the winners a sequence number that holds their record.
  constexpr int kThreads = 32, kPerThread = 40;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::atomic<int> won{0}, lost{0}, wrong{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Two threads race for each contested key; every commit also writes a key of its own.
        const std::string contested = std::to_string(t / 2) + "-" + std::to_string(i);
        const std::string mine = std::to_string(t) + "/" + std::to_string(i);
        auto r = store_->Commit(WriteBatch().Insert("race", contested, mine).Put("own", mine, mine));
        if (r.ok()) {
          ++won;
          if (GetValue(*store_, "race", contested) != mine || GetValue(*store_, "own", mine) != mine) ++wrong;
        } else if (r.status().code() == StatusCode::kConflict) {
          ++lost;
          if (GetValue(*store_, "own", mine) != "<none>") ++wrong;  // the whole batch is undone
        } else {
          ++wrong;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(won.load(), kThreads / 2 * kPerThread);
  EXPECT_EQ(lost.load(), kThreads / 2 * kPerThread);
}

TEST_P(StoreConformanceTest, CounterBlocksAreUniqueAcrossAllocators) {
  // Two allocators stand for two processes sharing the store.
  CounterBlocks a(*store_, 10);
  CounterBlocks b(*store_, 10);
  std::set<uint64_t> seen;
  std::mutex mu;
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      CounterBlocks& c = t % 2 == 0 ? a : b;
      uint64_t last = 0;
      for (int i = 0; i < 50; ++i) {
        auto n = c.Next("case");
        ASSERT_TRUE(n.ok()) << n.status().ToString();
        std::lock_guard lock(mu);
        EXPECT_TRUE(seen.insert(*n).second) << *n;
        if (t < 2) {
          EXPECT_GT(*n, last);  // increasing within one thread of one allocator
        }
        last = *n;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(seen.size(), 200u);
  auto fresh = NextCounterValue(*store_, "case");  // a plain increment continues above every block
  ASSERT_TRUE(fresh.ok());
  EXPECT_GT(*fresh, *seen.rbegin());
}

TEST_P(StoreConformanceTest, PutThenInsertInOneBatchConflicts) {
  auto r = store_->Commit(WriteBatch().Put("c", "k", "1").Insert("c", "k", "2"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kConflict);
  EXPECT_EQ(GetValue(*store_, "c", "k"), "<none>");
}

TEST_P(StoreConformanceTest, DeleteLeavesATombstoneInTheFeed) {
  ASSERT_TRUE(store_->Commit(WriteBatch().Put("c", "k", "v")).ok());
  auto del = store_->Commit(WriteBatch().Delete("c", "k"));
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(*del, 2u);
  EXPECT_EQ(GetValue(*store_, "c", "k"), "<none>");
  auto changes = store_->ReadChanges(1, 10);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_FALSE((*changes)[0].value.has_value());
  // Deleting a missing key changes nothing; inserting after a delete works.
  auto noop = store_->Commit(WriteBatch().Delete("c", "never"));
  ASSERT_TRUE(noop.ok());
  EXPECT_EQ(store_->LastSeq(), 2u);
  ASSERT_TRUE(store_->Commit(WriteBatch().Insert("c", "k", "again")).ok());
  EXPECT_EQ(GetValue(*store_, "c", "k"), "again");
  auto scan = store_->Scan("c", {});
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(scan->size(), 1u);
}

TEST_P(StoreConformanceTest, DeleteExistingTakesARecordOnlyOnce) {
  ASSERT_TRUE(store_->Commit(WriteBatch().Put("q", "job", "1")).ok());
  // The first taker deletes it and writes its claim in the same batch.
  auto first = store_->Commit(WriteBatch().DeleteExisting("q", "job").Put("done", "job", "by first"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // A second, with the same view, fails whole: its other writes do not happen.
  auto second = store_->Commit(WriteBatch().DeleteExisting("q", "job").Put("done", "job", "by second"));
  EXPECT_EQ(second.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(GetValue(*store_, "done", "job"), "by first");
  EXPECT_EQ(store_->LastSeq(), *first);
  // A tombstone is not a record.
  EXPECT_EQ(store_->Commit(WriteBatch().DeleteExisting("q", "never")).status().code(), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, ChangesPageInSeqOrder) {
  for (int i = 0; i < 25; ++i) {
    ASSERT_TRUE(store_->Commit(WriteBatch().Put("c", "k" + std::to_string(i), std::to_string(i))).ok());
  }
  uint64_t after = 0;
  std::vector<uint64_t> seen;
  while (true) {
    auto page = store_->ReadChanges(after, 7);
    ASSERT_TRUE(page.ok());
    if (page->empty()) break;
    for (const Change& c : *page) {
      EXPECT_GT(c.seq, after);
      after = c.seq;
      seen.push_back(c.seq);
    }
  }
  ASSERT_EQ(seen.size(), 25u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i + 1);
}

// A run of large records is read in pages of about kChangesBudgetBytes, never all at once, and a
// follower still reads to the end.
TEST_P(StoreConformanceTest, ChangesOfLargeRecordsArePagedByBytes) {
  const std::string big(15 << 20, 'x');  // 6 × 15 MiB: past the 64 MiB budget after the fifth
  for (int i = 0; i < 6; ++i)
    ASSERT_TRUE(store_->Commit(WriteBatch().Put("files", std::to_string(i), big)).ok());
  auto first = store_->ReadChanges(0, 100);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->size(), 5u);
  auto rest = store_->ReadChanges(first->back().seq, 100);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ(rest->front().key, "5");
  EXPECT_EQ(rest->front().value->size(), big.size());
  struct Counter : ChangeConsumer {
    size_t n = 0;
    void Apply(const std::vector<Change>& changes) override { n += changes.size(); }
  } counter;
  ChangeFollower follower(*store_, {&counter});
  ASSERT_TRUE(follower.CatchUp().ok());
  EXPECT_EQ(counter.n, 6u);
}

TEST_P(StoreConformanceTest, ScanOrdersBytewiseWithPrefixAndPaging) {
  WriteBatch b;
  for (const char* k : {"b", "a", "a\xff", "ab", "a\x01", "c"}) b.Put("c", k, k);
  b.Put("d", "a", "other collection");
  ASSERT_TRUE(store_->Commit(b).ok());
  ASSERT_TRUE(store_->Commit(WriteBatch().Delete("c", "ab")).ok());
  auto all = store_->Scan("c", {});
  ASSERT_TRUE(all.ok());
  std::vector<std::string> keys;
  for (const auto& r : *all) keys.push_back(r.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "a\x01", "a\xff", "b", "c"}));
  ScanOptions prefix;
  prefix.prefix = "a";
  auto with_prefix = store_->Scan("c", prefix);
  ASSERT_TRUE(with_prefix.ok());
  EXPECT_EQ(with_prefix->size(), 3u);
  ScanOptions page;
  page.limit = 2;
  page.start_after = "a\x01";
  auto paged = store_->Scan("c", page);
  ASSERT_TRUE(paged.ok());
  ASSERT_EQ(paged->size(), 2u);
  EXPECT_EQ((*paged)[0].key, "a\xff");
  EXPECT_EQ((*paged)[1].key, "b");
}

TEST_P(StoreConformanceTest, ConcurrentCommitsGetUniqueSeqs) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<uint64_t> seqs;
  std::atomic<int> failures{0};
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string key = std::to_string(t) + ":" + std::to_string(i);
        auto r = store_->Commit(WriteBatch().Put("c", key, key).Put("c2", key, key));
        if (!r.ok()) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mu);
        seqs.insert(*r);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(seqs.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(store_->LastSeq(), static_cast<uint64_t>(2 * kThreads * kPerThread));
  ScanOptions all;
  all.limit = 100000;
  auto scan = store_->Scan("c2", all);
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(scan->size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST_P(StoreConformanceTest, ConcurrentInsertsOfOneKeyHaveOneWinner) {
  std::atomic<int> wins{0};
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      auto r = store_->Commit(WriteBatch().Insert("idem", "client-key-1", std::to_string(t)));
      if (r.ok()) {
        ++wins;
      } else if (r.status().code() == StatusCode::kConflict) {
        ++conflicts;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(conflicts.load(), 7);
}

TEST_P(StoreConformanceTest, AcknowledgedWritesSurviveReopen) {
  ASSERT_TRUE(store_->Commit(WriteBatch().Put("c", "a", "1").Put("c", "b", "2")).ok());
  ASSERT_TRUE(store_->Commit(WriteBatch().Delete("c", "b")).ok());
  Reopen();
  EXPECT_EQ(GetValue(*store_, "c", "a"), "1");
  EXPECT_EQ(GetValue(*store_, "c", "b"), "<none>");
  EXPECT_EQ(store_->LastSeq(), 3u);
  auto next = store_->Commit(WriteBatch().Put("c", "c", "3"));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, 4u);
}

TEST_P(StoreConformanceTest, WaitForChangesWakesOnCommit) {
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    IgnoreError(store_->Commit(WriteBatch().Put("c", "k", "v")).status());
  });
  const auto start = std::chrono::steady_clock::now();
  const uint64_t seq = store_->WaitForChanges(0, std::chrono::seconds(5));
  const auto waited = std::chrono::steady_clock::now() - start;
  writer.join();
  EXPECT_EQ(seq, 1u);
  EXPECT_LT(waited, std::chrono::seconds(2));
  EXPECT_EQ(store_->WaitForChanges(1, std::chrono::milliseconds(10)), 1u);  // times out
}

TEST_P(StoreConformanceTest, LimitsAreEnforced) {
  auto no_collection = store_->Commit(WriteBatch().Put("", "k", "v"));
  ASSERT_FALSE(no_collection.ok());
  EXPECT_EQ(no_collection.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(no_collection.status().field(), "mutations[0].collection");
  auto long_key = store_->Commit(WriteBatch().Put("c", "ok", "v").Put("c", std::string(2000, 'k'), "v"));
  ASSERT_FALSE(long_key.ok());
  EXPECT_EQ(long_key.status().field(), "mutations[1].key");
  EXPECT_EQ(store_->LastSeq(), 0u);
  const std::string big(1 << 20, 'x');
  ASSERT_TRUE(store_->Commit(WriteBatch().Put("c", "big", big)).ok());
  EXPECT_EQ(GetValue(*store_, "c", "big"), big);
}

TEST_P(StoreConformanceTest, GetManyReadsEveryKeyInTheOrderAsked) {
  const std::string binary("k\0\xff", 3);
  ASSERT_TRUE(store_->Commit(WriteBatch().Put("c", "a", "1").Put("c", binary, "2").Put("d", "a", "3")).ok());
  ASSERT_TRUE(store_->Commit(WriteBatch().Put("c", "gone", "x")).ok());
  ASSERT_TRUE(store_->Commit(WriteBatch().Delete("c", "gone")).ok());
  auto none = store_->GetMany({});
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());
  auto got =
      store_->GetMany({{"d", "a"}, {"c", "missing"}, {"c", binary}, {"c", "gone"}, {"c", "a"}, {"d", "a"}});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 6u);
  ASSERT_TRUE((*got)[0].has_value());
  EXPECT_EQ((*got)[0]->collection, "d");
  EXPECT_EQ((*got)[0]->value, "3");
  EXPECT_FALSE((*got)[1].has_value());
  ASSERT_TRUE((*got)[2].has_value());
  EXPECT_EQ((*got)[2]->key, binary);
  EXPECT_EQ((*got)[2]->value, "2");
  EXPECT_FALSE((*got)[3].has_value());  // a tombstone is not a record
  ASSERT_TRUE((*got)[4].has_value());
  EXPECT_EQ((*got)[4]->value, "1");
  EXPECT_EQ((*got)[4]->seq, 1u);
  ASSERT_TRUE((*got)[5].has_value());  // asked twice, answered twice
  EXPECT_EQ((*got)[5]->value, "3");
}

TEST_P(StoreConformanceTest, GetManyReadsOneSnapshot) {
  // A writer keeps two records equal, changing both in each batch: every GetMany sees them equal.
  ASSERT_TRUE(store_->Commit(WriteBatch().Put("c", "x", "0").Put("c", "y", "0")).ok());
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 1; i <= 300 && !stop.load(); ++i) {
      const std::string v = std::to_string(i);
      if (!store_->Commit(WriteBatch().Put("c", "x", v).Put("c", "y", v)).ok()) {
        ADD_FAILURE() << "commit " << i << " failed";
        break;
      }
    }
    stop.store(true);
  });
  int reads = 0;
  while (!stop.load() || reads < 10) {
    auto got = store_->GetMany({{"c", "x"}, {"c", "y"}});
    const bool same = got.ok() && (*got)[0] && (*got)[1] && (*got)[0]->value == (*got)[1]->value;
    if (!same) {
      ADD_FAILURE() << "read " << reads << " saw two states: " << got.status().ToString();
      break;
    }
    ++reads;
  }
  stop.store(true);
  writer.join();
}

TEST_P(StoreConformanceTest, ClosedStoreRefusesWork) {
  ASSERT_TRUE(store_->Close().ok());
  ASSERT_TRUE(store_->Close().ok());  // idempotent
  auto r = store_->Commit(WriteBatch().Put("c", "k", "v"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(store_->Get("c", "k").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(store_->GetMany({{"c", "k"}}).status().code(), StatusCode::kUnavailable);
}

class CountingConsumer : public ChangeConsumer {
 public:
  void Apply(const std::vector<Change>& changes) override {
    std::lock_guard lock(mu);
    for (const Change& c : changes) {
      if (c.value) {
        state[c.key] = *c.value;
      } else {
        state.erase(c.key);
      }
      last = c.seq;
    }
  }
  std::mutex mu;
  std::map<std::string, std::string> state;
  uint64_t last = 0;
};

TEST_P(StoreConformanceTest, FollowerConvergesToStoreState) {
  ASSERT_TRUE(store_->Commit(WriteBatch().Put("c", "a", "1").Put("c", "b", "2")).ok());
  CountingConsumer consumer;
  ChangeFollower follower(*store_, {&consumer}, std::chrono::milliseconds(10));
  ASSERT_TRUE(follower.CatchUp().ok());
  EXPECT_TRUE(follower.caught_up());
  EXPECT_EQ(follower.applied_seq(), 2u);
  follower.Start();
  auto seq = store_->Commit(WriteBatch().Put("c", "a", "3").Delete("c", "b").Put("c", "d", "4"));
  ASSERT_TRUE(seq.ok());
  EXPECT_TRUE(follower.WaitForApplied(*seq, std::chrono::seconds(5)));
  EXPECT_GE(follower.applied_seq(), *seq);
  EXPECT_FALSE(follower.WaitForApplied(*seq + 100, std::chrono::milliseconds(20)));  // times out
  follower.Stop();
  EXPECT_EQ(follower.lag(), 0u);
  std::lock_guard lock(consumer.mu);
  EXPECT_EQ(consumer.state, (std::map<std::string, std::string>{{"a", "3"}, {"d", "4"}}));
}

}  // namespace
}  // namespace cfr::store
