#include "auth/access.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "store/sqlite/sqlite_store.h"
#include "store/testing.h"

namespace cfr::auth {
namespace {

class AccessTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cfr-auth-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = store::OpenTestStore((dir_ / "cfr.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    access_ = std::make_unique<AccessControl>(*store_, clock_, Cheap());
  }
  void TearDown() override {
    access_.reset();
    if (store_) (void)store_->Close();
    std::filesystem::remove_all(dir_);
  }
  // The cheapest argon2id libsodium allows: the tests are about behaviour, not cost.
  static AccessControl::Options Cheap() {
    AccessControl::Options o;
    o.opslimit = 1;
    o.memlimit = 8192;
    return o;
  }
  NewKey Create(std::string_view role, std::string_view agency) {
    auto k = access_->CreateKey(role, agency, "", Actor::System());
    EXPECT_TRUE(k.ok()) << k.status().ToString();
    return k.ok() ? *k : NewKey{};
  }

  std::filesystem::path dir_;
  ManualClock clock_{1'790'000'000'000};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<AccessControl> access_;
};

TEST_F(AccessTest, AKeyAuthenticatesAsItsRoleAndAgency) {
  const NewKey k = Create("police", "rtp-cib");
  EXPECT_EQ(k.info.agency, "RTP-CIB");
  EXPECT_EQ(KeyIdOf(k.token), k.info.id);
  for (int i = 0; i < 2; ++i) {  // the second time from the cache
    auto a = access_->Authenticate(k.token);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ(a->role, "police");
    EXPECT_EQ(a->agency, "RTP-CIB");
    EXPECT_EQ(a->credential, "key:" + k.info.id);
  }
  auto agency = access_->GetAgency("RTP-CIB");
  ASSERT_TRUE(agency.ok() && agency->has_value());
  EXPECT_EQ((*agency)->kind, "police");
}

TEST_F(AccessTest, WrongMalformedAndUnknownTokensAreRefusedAlike) {
  const NewKey k = Create("bank", "004");
  EXPECT_EQ(k.info.agency, "KBANK");
  std::string wrong = k.token;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  std::string unknown = k.token;
  unknown[5] = unknown[5] == '0' ? '1' : '0';
  for (const std::string& t : {wrong, wrong, unknown, std::string("cfr_xyz"), std::string(), k.token + "x"}) {
    auto a = access_->Authenticate(t);
    ASSERT_FALSE(a.ok()) << t;
    EXPECT_EQ(a.status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(a.status().message(), "the API key is not valid (malformed, unknown or revoked)");
  }
  EXPECT_TRUE(access_->Authenticate(k.token).ok());  // a refused guess does not lock the key out
}

TEST_F(AccessTest, TheSecretIsNeverStored) {
  const NewKey k = Create("admin", "AOC");
  // Everything the store holds (on either backend), and on the embedded one its files too.
  std::string raw;
  auto all = store_->ReadChanges(0, 1000000);
  ASSERT_TRUE(all.ok());
  for (const auto& c : *all) raw += c.collection + c.key + c.value.value_or("");
  ASSERT_TRUE(store_->Close().ok());
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    std::ifstream in(entry.path(), std::ios::binary);
    raw.append(std::istreambuf_iterator<char>(in), {});
  }
  // cfr_<id>_<secret>: the secret is URL-safe base64, which may itself hold '_'.
  const std::string secret = k.token.substr(k.token.find('_', 4) + 1);
  ASSERT_GE(secret.size(), 20u);
  EXPECT_NE(raw.find(k.info.id), std::string::npos);  // the id is public
  EXPECT_EQ(raw.find(secret), std::string::npos);
  EXPECT_NE(raw.find("$argon2id$"), std::string::npos);
  store_.reset();
}

TEST_F(AccessTest, ARevokedKeyStopsAtOnceHereAndInAnotherServerFollowingTheStore) {
  const NewKey k = Create("telco", "AIS");
  AccessControl other(*store_, clock_, Cheap());
  ASSERT_TRUE(access_->Authenticate(k.token).ok());
  ASSERT_TRUE(other.Authenticate(k.token).ok());  // cached there too
  const uint64_t before = store_->LastSeq();
  ASSERT_TRUE(access_->RevokeKey(k.info.id, Actor::System()).ok());
  EXPECT_FALSE(access_->Authenticate(k.token).ok());
  auto changes = store_->ReadChanges(before, 100);
  ASSERT_TRUE(changes.ok());
  other.Apply(*changes);
  EXPECT_EQ(other.Authenticate(k.token).status().code(), StatusCode::kUnauthenticated);
  auto info = access_->GetKey(k.info.id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->revoked_ms, clock_.NowMillis());
  EXPECT_TRUE(access_->RevokeKey(k.info.id, Actor::System()).ok());  // twice: no-op
  EXPECT_EQ(access_->RevokeKey("0123456789abcdef", Actor::System()).code(), StatusCode::kNotFound);
}

TEST_F(AccessTest, RolesAndAgenciesAreChecked) {
  auto bad = access_->CreateKey("public", "AOC", "", Actor::System());
  EXPECT_EQ(bad.status().field(), "role");
  bad = access_->CreateKey("root", "AOC", "", Actor::System());
  EXPECT_EQ(bad.status().field(), "role");
  bad = access_->CreateKey("bank", "NOBANK", "", Actor::System());
  EXPECT_EQ(bad.status().field(), "agency");
  bad = access_->CreateKey("operator", "KBANK", "", Actor::System());
  EXPECT_EQ(bad.status().field(), "agency");
  bad = access_->CreateKey("police", "bad agency!", "", Actor::System());
  EXPECT_EQ(bad.status().field(), "agency");
  bad = access_->CreateKey("police", "", "", Actor::System());
  EXPECT_EQ(bad.status().field(), "agency");
}

TEST_F(AccessTest, AnAgencysAdministratorManagesItsOwnKeysOnly) {
  const Actor bank_admin{"ops", "KBANK", "admin", "key:x"};
  const Actor centre_admin{"root", "AOC", "admin", "key:y"};
  const Actor operator_{"somchai", "AOC", "operator", "key:z"};
  EXPECT_TRUE(access_->CreateKey("bank", "KBANK", "teller", bank_admin).ok());
  EXPECT_EQ(access_->CreateKey("bank", "SCB", "", bank_admin).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(access_->CreateKey("bank", "SCB", "", operator_).status().code(), StatusCode::kPermissionDenied);
  auto scb = access_->CreateKey("bank", "SCB", "", centre_admin);
  ASSERT_TRUE(scb.ok());
  EXPECT_EQ(access_->RevokeKey(scb->info.id, bank_admin).code(), StatusCode::kPermissionDenied);
  auto listed = access_->ListKeys("KBANK");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].name, "teller");
  EXPECT_EQ((*listed)[0].created_by, "ops@KBANK");
  auto all = access_->ListKeys("");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
}

}  // namespace
}  // namespace cfr::auth
