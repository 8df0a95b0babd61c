#include "auth/pii.h"

#include <gtest/gtest.h>

namespace cfr::auth {
namespace {

Keyring Keys(int n) {
  std::vector<std::pair<std::string, Key32>> keys;
  for (int i = 1; i <= n; ++i) {
    Key32 k{};
    k.fill(static_cast<unsigned char>(40 + i));
    keys.emplace_back("k" + std::to_string(i), k);
  }
  return Keyring::ForTesting(keys);
}

TEST(PersonalDataCipherTest, SealedDataOpensOnlyForItsRecord) {
  const PersonalDataCipher c(Keys(1));
  const std::string plain = R"({"name":"สมศรี แก้วมณี","national_id":"1101700230708"})";
  const std::string sealed = c.Seal(plain, "victim/RPT-1");
  EXPECT_TRUE(PersonalDataCipher::IsSealed(sealed));
  EXPECT_EQ(sealed.find("1101700230708"), std::string::npos);
  EXPECT_EQ(sealed.find("สมศรี"), std::string::npos);
  EXPECT_NE(c.Seal(plain, "victim/RPT-1"), sealed);  // a fresh nonce each time
  EXPECT_EQ(*c.Open(sealed, "victim/RPT-1"), plain);
  EXPECT_EQ(c.Open(sealed, "victim/RPT-2").status().code(), StatusCode::kInvalidArgument);  // moved
  std::string altered = sealed;
  altered[altered.size() / 2] ^= 1;
  EXPECT_EQ(c.Open(altered, "victim/RPT-1").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.Open(plain, "victim/RPT-1").status().code(), StatusCode::kInvalidArgument);  // not sealed
  EXPECT_FALSE(c.Open(sealed.substr(0, 10), "victim/RPT-1").ok());
}

TEST(PersonalDataCipherTest, AfterRotationOldDataOpensAndIsFound) {
  const PersonalDataCipher before(Keys(1));
  const std::string sealed = before.Seal("secret", "victim/RPT-1");
  const std::string token = before.SearchToken("national_id", "1101700230708");
  const PersonalDataCipher after(Keys(2));
  EXPECT_EQ(*after.Open(sealed, "victim/RPT-1"), "secret");
  EXPECT_NE(after.SearchToken("national_id", "1101700230708"), token);
  const auto tokens = after.SearchTokens("national_id", "1101700230708");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[1], token);
  EXPECT_NE(after.SearchToken("phone", "1101700230708"), after.SearchToken("national_id", "1101700230708"));
  const PersonalDataCipher lost(Keyring::ForTesting({{"k2", Key32{}}}));  // k1 gone
  EXPECT_EQ(lost.Open(sealed, "victim/RPT-1").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace cfr::auth
