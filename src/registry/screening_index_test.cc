#include "registry/screening_index.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <thread>

#include "registry/registry.h"

namespace cfr::registry {
namespace {

ScreeningSummary Summary(uint32_t reports, Verdict v = Verdict::kHigh, Tier t = Tier::kDarkGrey) {
  ScreeningSummary s;
  s.reports = reports;
  s.victims = reports / 2;
  s.verdict = v;
  s.tier = t;
  s.held = reports % 2 == 1;
  s.first_seen_s = 1700000000 + reports;
  s.last_seen_s = 1800000000 + reports;
  return s;
}

TEST(ScreeningIndexTest, BehavesLikeAMapUnderRandomOperations) {
  ScreeningIndex index(16);  // tiny: forces several growths
  std::map<std::pair<uint64_t, uint64_t>, uint32_t> model;
  std::mt19937_64 rng(7);
  std::vector<IndexKey> keys;
  for (int i = 0; i < 5000; ++i) {
    // Few distinct low bits: long probe chains that exercise backward-shift deletion.
    keys.push_back({rng(), (rng() & ~uint64_t{0xFF}) | (rng() % 8)});
  }
  for (int op = 0; op < 60000; ++op) {
    const IndexKey& k = keys[rng() % keys.size()];
    if (rng() % 3 == 0) {
      index.Erase(k);
      model.erase({k.hi, k.lo});
    } else {
      const auto r = static_cast<uint32_t>(rng() % 100000);
      index.Upsert(k, Summary(r));
      model[{k.hi, k.lo}] = r;
    }
  }
  EXPECT_EQ(index.size(), model.size());
  for (const IndexKey& k : keys) {
    auto got = index.Lookup(k);
    auto it = model.find({k.hi, k.lo});
    ASSERT_EQ(got.has_value(), it != model.end());
    if (got) {
      EXPECT_EQ(got->reports, it->second);
      EXPECT_EQ(got->last_seen_s, 1800000000 + it->second);
      EXPECT_EQ(got->held, it->second % 2 == 1);
    }
  }
  EXPECT_LE(index.size() * 10, index.capacity() * 7);
  std::vector<std::optional<ScreeningSummary>> batch(keys.size());
  index.LookupBatch(keys, &batch);
  for (size_t i = 0; i < keys.size(); ++i) {
    const auto want = index.Lookup(keys[i]);
    ASSERT_EQ(batch[i].has_value(), want.has_value());
    if (want) {
      EXPECT_EQ(batch[i]->reports, want->reports);
    }
  }
}

TEST(ScreeningIndexTest, SummaryFieldsSurvivePacking) {
  ScreeningIndex index;
  ScreeningSummary s;
  s.verdict = Verdict::kBlocked;
  s.tier = Tier::kBlack;
  s.held = true;
  s.via_person = true;
  s.reports = 4000000000u;
  s.victims = (1 << 24) - 1;
  s.first_seen_s = 1;
  s.last_seen_s = 4000000000u;
  const IndexKey k = IndexKeyFor(ident::Kind::kPhone, "+66812345678");
  index.Upsert(k, s);
  auto got = index.Lookup(ident::Kind::kPhone, "+66812345678");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->verdict, Verdict::kBlocked);
  EXPECT_EQ(got->tier, Tier::kBlack);
  EXPECT_TRUE(got->held);
  EXPECT_TRUE(got->via_person);
  EXPECT_EQ(got->reports, 4000000000u);
  EXPECT_EQ(got->victims, (1u << 24) - 1);
  EXPECT_EQ(got->last_seen_s, 4000000000u);
  EXPECT_FALSE(
      index.Lookup(ident::Kind::kBankAccount, "+66812345678").has_value());  // kind is part of the key
}

TEST(ScreeningIndexTest, ReadersSeeConsistentEntriesWhileTheWriterWorks) {
  ScreeningIndex index(16);
  constexpr int kKeys = 2000;
  std::vector<IndexKey> keys;
  for (int i = 0; i < kKeys; ++i)
    keys.push_back(IndexKeyFor(ident::Kind::kPhone, "+6681" + std::to_string(i)));
  // Key i always carries reports == victims * 2 + i % 2: a torn read would break it.
  for (int i = 0; i < kKeys; i += 2) index.Upsert(keys[i], Summary(static_cast<uint32_t>(i * 2)));
  std::atomic<bool> stop{false};
  std::atomic<long> lookups{0};
  std::atomic<long> torn{0};
  std::vector<std::thread> readers;
  readers.reserve(2);
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      std::mt19937 rng(r);
      while (!stop.load()) {
        const int i = static_cast<int>(rng() % kKeys);
        auto got = index.Lookup(keys[i]);
        ++lookups;
        if (got && (got->victims != got->reports / 2 || got->last_seen_s != 1800000000 + got->reports))
          ++torn;
        if (i % 2 == 0 && !got) ++torn;  // even keys are never erased
      }
    });
  }
  // Overlap is the point: wait for the readers to run, then write until both sides have done
  // plenty concurrently (bounded in time, so a starved machine cannot hang the test).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (lookups.load() < 100 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  std::mt19937 rng(99);
  for (int round = 0;
       (round < 20000 || lookups.load() < 20000) && std::chrono::steady_clock::now() < deadline; ++round) {
    const int i = static_cast<int>(rng() % kKeys);
    if (i % 2 == 0) {
      index.Upsert(keys[i], Summary(static_cast<uint32_t>(rng() % 1000000)));
    } else if (rng() % 2) {
      index.Upsert(keys[i], Summary(static_cast<uint32_t>(rng() % 1000000)));
    } else {
      index.Erase(keys[i]);
    }
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_GE(lookups.load(), 100);
  EXPECT_EQ(torn.load(), 0);
}

TEST(ScreeningIndexTest, FollowsEntityChanges) {
  ScreeningIndex index;
  PrivateScreeningIndex priv(std::string(32, 'k'));
  Entity e;
  e.kind = ident::Kind::kBankAccount;
  e.canonical = "004:1234567890";
  e.tier = Tier::kBlack;
  e.reports = 3;
  const std::string key = EntityKey(e.kind, e.canonical);
  std::vector<store::Change> changes = {{1, "entity", key, EncodeEntity(e)}, {2, "other", "x", "y"}};
  index.Apply(changes);
  priv.Apply(changes);
  auto got = index.Lookup(e.kind, e.canonical);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->verdict, Verdict::kBlocked);
  const auto h = priv.HashOf(e.kind, e.canonical);
  const std::string hex = PrivateScreeningIndex::Hex(h);
  auto matches = priv.MatchPrefix(hex.substr(0, 5));
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].first, h);
  EXPECT_EQ(matches[0].second, Verdict::kBlocked);
  EXPECT_TRUE(priv.MatchPrefix(hex[0] == '0' ? "ffff" : "0000").empty() ||
              priv.MatchPrefix(hex[0] == '0' ? "ffff" : "0000")[0].first != h);
  // A lower tier: still listed, the verdict changes in place (one hash per entity).
  e.tier = Tier::kDarkGrey;
  priv.Apply({{3, "entity", key, EncodeEntity(e)}});
  ASSERT_NE(VerdictFor(e), Verdict::kBlocked);
  ASSERT_EQ(priv.MatchPrefix(hex.substr(0, 6)).size(), 1u);
  EXPECT_EQ(priv.MatchPrefix(hex.substr(0, 6))[0].second, VerdictFor(e));
  // Cleared on appeal: screening answers none but still knows the entity (white).
  e.tier = Tier::kWhite;
  index.Apply({{3, "entity", key, EncodeEntity(e)}});
  priv.Apply({{3, "entity", key, EncodeEntity(e)}});
  EXPECT_EQ(index.Lookup(e.kind, e.canonical)->verdict, Verdict::kNone);
  EXPECT_TRUE(priv.MatchPrefix(hex.substr(0, 6)).empty());
  index.Apply({{4, "entity", key, std::nullopt}});
  EXPECT_FALSE(index.Lookup(e.kind, e.canonical).has_value());
}

TEST(PrivateScreeningTest, HashIsKeyedBlake2bOfKindAndCanonical) {
  // Independent computation: BLAKE2b-256, key "0123456789abcdef0123456789abcdef", message
  // "phone:+66812345678", computed with Python's hashlib.blake2b(digest_size=32, key=…).
  PrivateScreeningIndex priv("0123456789abcdef0123456789abcdef");
  EXPECT_EQ(PrivateScreeningIndex::Hex(priv.HashOf(ident::Kind::kPhone, "+66812345678")),
            "cf6a87209a12df36f2fbf277effc8ca8b8712a79580343fdfd1297d0440c6e7a");
}

}  // namespace
}  // namespace cfr::registry
