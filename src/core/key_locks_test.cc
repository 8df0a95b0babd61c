#include "core/key_locks.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace cfr {
namespace {

TEST(KeyLocksTest, TheSameKeyIsHeldByOneGuardAtATime) {
  KeyLocks locks;
  int counter = 0;  // not atomic: the lock is what protects it
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        auto g = locks.Lock({"entity:014:4070000001"});
        const int seen = counter;
        std::this_thread::yield();
        counter = seen + 1;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(counter, 80000);
}

TEST(KeyLocksTest, OverlappingSetsInAnyOrderDoNotDeadlock) {
  KeyLocks locks(64);  // few stripes: many keys share one
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) {
        std::vector<std::string> keys = {"a" + std::to_string(i % 7), "b" + std::to_string((i + t) % 5),
                                         "a" + std::to_string(i % 7)};  // a repeated key is one stripe
        if (t % 2 == 1) std::swap(keys[0], keys[1]);
        auto g = locks.Lock({keys[0], keys[1], keys[2]});
      }
      ++done;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(done.load(), 4);
}

TEST(KeyLocksTest, AGuardReleasesWhenMovedFromOrUnlocked) {
  KeyLocks locks(1);  // one stripe: every key collides
  auto g = locks.Lock({"x"});
  KeyLocks::Guard moved = std::move(g);
  moved.Unlock();
  auto again = locks.Lock({"y"});  // would block forever if "x" were still held
  KeyLocks::Guard assigned;
  assigned = std::move(again);
  assigned = KeyLocks::Guard();  // releases
  auto third = locks.Lock({"z"});
  SUCCEED();
}

}  // namespace
}  // namespace cfr
