#include "store/change_tail.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace cfr::store {
namespace {

std::vector<Change> Commit(uint64_t first, std::vector<std::string> keys, std::string value = "v") {
  std::vector<Change> changes;
  for (const std::string& k : keys) changes.push_back(Change{first++, "c", k, value + k});
  return changes;
}

std::vector<uint64_t> Seqs(const std::vector<Change>& changes) {
  std::vector<uint64_t> seqs;
  for (const Change& c : changes) seqs.push_back(c.seq);
  return seqs;
}

TEST(ChangeTailTest, ReadsWhatItHoldsAndSendsTheRestToTheDatabase) {
  ChangeTail tail(1 << 20);
  EXPECT_FALSE(tail.Read(0, 100, 1 << 20).has_value());  // nothing yet: the database answers
  tail.Append(Commit(11, {"a", "b"}));
  tail.Append(Commit(13, {"c"}));
  tail.Append(Commit(14, {"d", "e", "f"}));
  EXPECT_FALSE(tail.Read(9, 100, 1 << 20).has_value());  // seq 10 is not in the tail
  EXPECT_EQ(Seqs(*tail.Read(10, 100, 1 << 20)), (std::vector<uint64_t>{11, 12, 13, 14, 15, 16}));
  EXPECT_EQ(Seqs(*tail.Read(12, 100, 1 << 20)), (std::vector<uint64_t>{13, 14, 15, 16}));
  EXPECT_EQ(Seqs(*tail.Read(14, 100, 1 << 20)), (std::vector<uint64_t>{15, 16}));  // inside a commit
  EXPECT_TRUE(tail.Read(16, 100, 1 << 20)->empty());                               // up to date
  EXPECT_TRUE(tail.Read(99, 100, 1 << 20)->empty());
  const auto page = *tail.Read(10, 100, 1 << 20);
  EXPECT_EQ(page[3].key, "d");
  EXPECT_EQ(page[3].value, "vd");
}

TEST(ChangeTailTest, PagesByCountAndBytes) {
  ChangeTail tail(1 << 20);
  tail.Append(Commit(1, {"a", "b", "c", "d", "e"}));
  EXPECT_EQ(Seqs(*tail.Read(0, 2, 1 << 20)), (std::vector<uint64_t>{1, 2}));
  // Each change is 1 + 2 bytes: the page ends with the change that passes 4 bytes.
  EXPECT_EQ(Seqs(*tail.Read(0, 100, 4)), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(Seqs(*tail.Read(0, 100, 1)), (std::vector<uint64_t>{1}));  // at least one
}

TEST(ChangeTailTest, AVersionSupersededLaterInTheTailIsSkipped) {
  ChangeTail tail(1 << 20);
  tail.Append(Commit(1, {"hot", "x"}, "1"));
  tail.Append(Commit(3, {"hot", "y"}, "2"));
  std::vector<Change> del;
  del.push_back(Change{5, "c", "x", std::nullopt});
  tail.Append(std::move(del));
  const auto page = *tail.Read(0, 100, 1 << 20);
  ASSERT_EQ(Seqs(page), (std::vector<uint64_t>{3, 4, 5}));  // hot@1 and x@2 are superseded
  EXPECT_EQ(page[0].value, "2hot");
  EXPECT_FALSE(page[2].value.has_value());  // the delete
  // A record of the same key in another collection is another record.
  tail.Append({Change{6, "other", "hot", "o"}});
  EXPECT_EQ(Seqs(*tail.Read(0, 100, 1 << 20)), (std::vector<uint64_t>{3, 4, 5, 6}));
  // A page that ends before the later version skips the earlier one too (it is not the latest).
  EXPECT_EQ(Seqs(*tail.Read(0, 1, 1 << 20)), (std::vector<uint64_t>{3}));
  // Versions within one commit too; and once a commit is evicted, its records' later versions
  // are still the latest.
  ChangeTail small(6 * (sizeof(Change) + 8));
  small.Append(Commit(1, {"a", "a", "b"}, "1"));
  EXPECT_EQ(Seqs(*small.Read(0, 100, 1 << 20)), (std::vector<uint64_t>{2, 3}));
  for (uint64_t s = 4; s <= 9; ++s) small.Append(Commit(s, {"a"}, std::to_string(s)));
  EXPECT_FALSE(small.Read(0, 100, 1 << 20).has_value());  // seq 1 is evicted
  const auto last = small.Read(6, 100, 1 << 20);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(Seqs(*last), (std::vector<uint64_t>{9}));
}

TEST(ChangeTailTest, OldestCommitsGoFirstAndAGapStartsOver) {
  ChangeTail tail(3 * (sizeof(Change) + 3));  // about three one-change commits
  for (uint64_t s = 1; s <= 10; ++s) tail.Append(Commit(s, {"k" + std::to_string(s % 10)}));
  EXPECT_LE(tail.bytes(), 3 * (sizeof(Change) + 3));
  EXPECT_FALSE(tail.Read(0, 100, 1 << 20).has_value());  // evicted: the database answers
  EXPECT_EQ(Seqs(*tail.Read(8, 100, 1 << 20)), (std::vector<uint64_t>{9, 10}));
  tail.Append(Commit(20, {"z"}));  // not 11: the tail starts over from 20
  EXPECT_EQ(tail.commits(), 1u);
  EXPECT_FALSE(tail.Read(10, 100, 1 << 20).has_value());
  EXPECT_EQ(Seqs(*tail.Read(19, 100, 1 << 20)), (std::vector<uint64_t>{20}));
  // One commit larger than the bound is not kept, and the tail still knows where it ends.
  ChangeTail small(8);
  small.Append(Commit(1, {"a"}, std::string(100, 'x')));
  EXPECT_EQ(small.commits(), 0u);
  EXPECT_FALSE(small.Read(0, 100, 1 << 20).has_value());
  EXPECT_TRUE(small.Read(1, 100, 1 << 20)->empty());
}

// Many commits over hot records and records changed once, in a tail small enough to evict all
// the time (and so prune its index of latest versions): every page holds exactly the latest version of each
// record changed after the seq asked, once — compared with a model after every commit.
TEST(ChangeTailTest, PagesHoldEachRecordsLatestVersionThroughEvictions) {
  ChangeTail tail(64 << 10);
  std::mt19937 rng(7);
  std::map<std::pair<std::string, std::string>, uint64_t> latest;  // record -> seq of its latest version
  std::map<uint64_t, std::string> value_at;
  uint64_t seq = 1;
  for (int commit = 0; commit < 6000; ++commit) {
    std::vector<Change> changes;
    const int n = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < n; ++i) {
      const std::string collection = rng() % 4 == 0 ? "d" : "c";
      // Hot records, and records changed once (their index entries go stale and are pruned).
      const std::string key =
          rng() % 3 == 0 ? "once" + std::to_string(seq) : "k" + std::to_string(rng() % 300);
      const std::string value = std::string(rng() % 64, 'x') + std::to_string(seq);
      latest[{collection, key}] = seq;
      value_at[seq] = value;
      changes.push_back(Change{seq++, collection, key, value});
    }
    tail.Append(std::move(changes));
    if (commit % 50 != 49) continue;
    // From a seq somewhere in the tail: the first it still holds, if asked from before it, is none.
    for (uint64_t after : {seq - 2, seq - 40, seq - 400}) {
      auto page = tail.Read(after, 1 << 20, size_t{1} << 30);
      if (!page) continue;  // no longer in the tail
      std::map<std::pair<std::string, std::string>, uint64_t> seen;
      for (const Change& c : *page) {
        ASSERT_TRUE(seen.emplace(std::make_pair(c.collection, c.key), c.seq).second)
            << c.collection << "/" << c.key << " twice in one page";
        ASSERT_EQ(c.value, value_at[c.seq]);
      }
      for (const auto& [record, at] : latest) {
        if (at <= after) continue;
        auto it = seen.find(record);
        ASSERT_NE(it, seen.end()) << record.second << " changed at " << at << " is missing";
        ASSERT_EQ(it->second, at) << record.second << ": not its latest version";
      }
      ASSERT_EQ(seen.size(),
                static_cast<size_t>(std::count_if(latest.begin(), latest.end(),
                                                  [&](const auto& e) { return e.second > after; })));
    }
  }
}

}  // namespace
}  // namespace cfr::store
