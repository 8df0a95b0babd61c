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

// Thailand's international toll-free numbers (001800 + 7 digits) keep their two leading zeros
// in the national significant number; the canonical form must normalise to itself (found by
// fuzz_identifier_phone: the trunk-0 rule used to strip one of them).
TEST(PhoneTest, InternationalTollFreeIsAFixedPoint) {
  auto first = NormalizePhone("660018006600066", "TH");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->canonical, "+660018006600066");
  EXPECT_EQ(std::get<std::string>(first->Find("type")->value), "toll_free");
  auto again = NormalizePhone(first->canonical, "TH");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->canonical, first->canonical);
  // The trunk 0 after +66 is still dropped when one zero is written.
  auto trunk = NormalizePhone("+66 (0)81 234 5678", "TH");
  ASSERT_TRUE(trunk.ok());
  EXPECT_EQ(trunk->canonical, "+66812345678");
}

// libphonenumber strips Mexico's old mobile "1" after +52 once per parse; the canonical form is
// the stable one (found by fuzz_identifier_phone).
TEST(PhoneTest, CanonicalIsStableWhereTheLibraryStripsAPrefix) {
  auto first = NormalizePhone("+52114287012525", "TH");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto again = NormalizePhone(first->canonical, "TH");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->canonical, first->canonical);
}

}  // namespace
}  // namespace cfr::ident
