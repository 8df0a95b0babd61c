#include <gtest/gtest.h>

#include <random>

#include "ident/identifier.h"
#include "ident/internal/phone_internal.h"

namespace cfr::ident {
namespace {

// The fast path's table is derived from libphonenumber; it must never disagree with it.
TEST(PhoneTest, FastPathAgreesWithLibphonenumberOnRandomThaiNumbers) {
  std::mt19937_64 rng(20261122);
  int compared = 0;
  int valid = 0;
  for (int i = 0; i < 20000; ++i) {
    const int len = 8 + static_cast<int>(rng() % 2);
    std::string nsn;
    nsn.push_back(static_cast<char>('1' + rng() % 9));
    while (static_cast<int>(nsn.size()) < len) nsn.push_back(static_cast<char>('0' + rng() % 10));
    for (const std::string& input : {"0" + nsn, "+66" + nsn}) {
      auto fast = NormalizePhone(input, "TH");
      auto slow = internal::NormalizePhoneSlow(input, "TH");
      ASSERT_EQ(fast.ok(), slow.ok()) << input;
      ++compared;
      if (!fast.ok()) continue;
      ++valid;
      EXPECT_EQ(fast->canonical, slow->canonical) << input;
      EXPECT_EQ(fast->display, slow->display) << input;
      ASSERT_EQ(fast->attributes.size(), slow->attributes.size());
      EXPECT_EQ(std::get<std::string>(fast->Find("type")->value),
                std::get<std::string>(slow->Find("type")->value))
          << input;
    }
  }
  EXPECT_EQ(compared, 40000);
  EXPECT_GT(valid, 10000);  // the sample must exercise the valid cells, not only rejections
}

TEST(PhoneTest, TableDecidesMostThaiCells) {
  const auto stats = internal::GetThaiTableStats();
  EXPECT_GT(stats.valid, 100);
  EXPECT_GT(stats.valid + stats.invalid, stats.undecided);
}

TEST(PhoneTest, NumberTypeAndDisplay) {
  auto m = NormalizePhone("๐๘๑-๒๓๔-๕๖๗๘");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->canonical, "+66812345678");
  EXPECT_EQ(m->display, "081-234-5678");
  EXPECT_EQ(std::get<std::string>(m->Find("type")->value), "mobile");
  EXPECT_EQ(std::get<int64_t>(m->Find("country_code")->value), 66);
  auto us = NormalizePhone("650-253-0000", "US");
  ASSERT_TRUE(us.ok()) << us.status().ToString();
  EXPECT_EQ(us->canonical, "+16502530000");
  EXPECT_EQ(us->display, "+1 650-253-0000");
}

}  // namespace
}  // namespace cfr::ident
