#include "auth/keyring.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace cfr::auth {
namespace {

class KeyringTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cfr-keyring-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "keyring").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& text, mode_t mode = 0600) {
    std::ofstream(path_) << text;
    ::chmod(path_.c_str(), mode);
  }
  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(KeyringTest, CreatedOnceOwnerOnlyThenLoadedTheSame) {
  auto a = Keyring::LoadOrCreate(path_);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto b = Keyring::LoadOrCreate(path_);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->current_id(), "k1");
  EXPECT_EQ(a->CurrentSubkey("pii"), b->CurrentSubkey("pii"));
  EXPECT_NE(a->CurrentSubkey("pii"), a->CurrentSubkey("audit"));  // one subkey per purpose
}

TEST_F(KeyringTest, RotationAddsACurrentKeyAndKeepsTheOld) {
  ASSERT_TRUE(Keyring::LoadOrCreate(path_).ok());
  const Key32 old = Keyring::Load(path_)->CurrentSubkey("pii");
  auto id = Keyring::Rotate(path_);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "k2");
  auto ring = Keyring::Load(path_);
  ASSERT_TRUE(ring.ok());
  EXPECT_EQ(ring->current_id(), "k2");
  EXPECT_EQ(*ring->Subkey("k1", "pii"), old);
  EXPECT_NE(ring->CurrentSubkey("pii"), old);
  EXPECT_EQ(ring->Subkey("k9", "pii").status().code(), StatusCode::kNotFound);
}

TEST_F(KeyringTest, BadFilesAreRefusedNamingTheLine) {
  const std::string key(64, 'a');
  Write("k1 " + key + "\nk2 123\n");
  auto r = Keyring::Load(path_);
  EXPECT_EQ(r.status().field(), "security.key_file");
  EXPECT_NE(r.status().message().find("line 2"), std::string::npos) << r.status().message();
  Write("k1 " + key + "\nk1 " + key + "\n");
  EXPECT_NE(Keyring::Load(path_).status().message().find("twice"), std::string::npos);
  Write("# only a comment\n");
  EXPECT_EQ(Keyring::Load(path_).status().code(), StatusCode::kInvalidArgument);
  Write("k1 " + key + "\n", 0644);
  EXPECT_EQ(Keyring::Load(path_).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Keyring::Load((dir_ / "none").string()).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace cfr::auth
