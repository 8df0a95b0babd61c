#include "auth/sessions.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "store/sqlite/sqlite_store.h"
#include "store/testing.h"

namespace cfr::auth {
namespace {

class SessionsTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cfr-sessions-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = *store::OpenTestStore((dir_ / "cfr.db").string());
    AccessControl::Options ao;
    ao.opslimit = 1;
    ao.memlimit = 8192;
    access_ = std::make_unique<AccessControl>(*store_, clock_, ao);
    SessionManager::Options so;
    so.opslimit = 1;
    so.memlimit = 8192;
    sessions_ = std::make_unique<SessionManager>(*store_, clock_, *access_, so);
    ASSERT_TRUE(
        sessions_->CreateUser("somchai.k", "operator", "AOC", "correct horse battery", Actor::System()).ok());
  }
  void TearDown() override {
    sessions_.reset();
    access_.reset();
    if (store_) (void)store_->Close();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  ManualClock clock_{1'790'000'000'000};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<AccessControl> access_;
  std::unique_ptr<SessionManager> sessions_;
};

TEST_F(SessionsTest, ALoginStartsASessionThatResumesUntilItExpires) {
  auto s = sessions_->Login("somchai.k", "correct horse battery");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->token.size(), 43u);
  EXPECT_EQ(s->csrf.size(), 43u);
  EXPECT_NE(s->token, s->csrf);
  EXPECT_EQ(s->actor.role, "operator");
  EXPECT_EQ(s->actor.agency, "AOC");
  EXPECT_EQ(s->actor.credential.rfind("session:", 0), 0u);
  for (int i = 0; i < 2; ++i) {  // from the store, then from the cache
    auto r = sessions_->Resume(s->token);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->actor.user, "somchai.k");
    EXPECT_EQ(r->csrf, s->csrf);
  }
  clock_.Advance(8LL * 3600 * 1000);
  EXPECT_EQ(sessions_->Resume(s->token).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(SessionsTest, WrongPasswordsAndUnknownNamesAreRefusedAlike) {
  for (auto [name, password] :
       {std::pair{"somchai.k", "wrong password!!"}, std::pair{"nobody.here", "whatever12345"},
        std::pair{"BAD NAME", "correct horse battery"}}) {
    auto s = sessions_->Login(name, password);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(s.status().message(), "wrong user name or password");
  }
  EXPECT_EQ(sessions_->Resume("not-a-token").status().code(), StatusCode::kUnauthenticated);
}

TEST_F(SessionsTest, LogoutAndDisablingEndSessions) {
  auto a = sessions_->Login("somchai.k", "correct horse battery");
  auto b = sessions_->Login("somchai.k", "correct horse battery");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(sessions_->Resume(a->token).ok());
  ASSERT_TRUE(sessions_->Logout(a->token).ok());
  EXPECT_FALSE(sessions_->Resume(a->token).ok());
  ASSERT_TRUE(sessions_->Resume(b->token).ok());  // cached
  ASSERT_TRUE(sessions_->DisableUser("somchai.k", Actor::System()).ok());
  EXPECT_FALSE(sessions_->Resume(b->token).ok());
  EXPECT_FALSE(sessions_->Login("somchai.k", "correct horse battery").ok());
}

TEST_F(SessionsTest, UsersAreCheckedLikeKeys) {
  const Actor bank_admin("ops", "KBANK", "admin", "key:x");
  EXPECT_EQ(sessions_->CreateUser("somchai.k", "operator", "AOC", "another long one", Actor::System())
                .status()
                .field(),
            "name");  // taken
  EXPECT_EQ(
      sessions_->CreateUser("x", "operator", "AOC", "another long one", Actor::System()).status().field(),
      "name");
  EXPECT_EQ(sessions_->CreateUser("new.one", "operator", "AOC", "short", Actor::System()).status().field(),
            "password");
  EXPECT_EQ(sessions_->CreateUser("new.one", "operator", "KBANK", "long enough pass", Actor::System())
                .status()
                .field(),
            "agency");
  EXPECT_EQ(sessions_->CreateUser("new.one", "bank", "SCB", "long enough pass", bank_admin).status().code(),
            StatusCode::kPermissionDenied);
  auto teller = sessions_->CreateUser("kbank.teller", "bank", "004", "long enough pass", bank_admin);
  ASSERT_TRUE(teller.ok()) << teller.status().ToString();
  EXPECT_EQ(teller->agency, "KBANK");
  EXPECT_EQ(sessions_->ListUsers("KBANK")->size(), 1u);
  EXPECT_EQ(sessions_->ListUsers("")->size(), 2u);
}

TEST_F(SessionsTest, NeitherPasswordsNorTokensAreStored) {
  auto s = sessions_->Login("somchai.k", "correct horse battery");
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(store_->Close().ok());
  std::string raw;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    std::ifstream in(e.path(), std::ios::binary);
    raw.append(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_EQ(raw.find("correct horse battery"), std::string::npos);
  EXPECT_EQ(raw.find(s->token), std::string::npos);
  store_.reset();
}

}  // namespace
}  // namespace cfr::auth
