#include "cli/local_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/hex.h"
#include "store/testing.h"

namespace cfr::cli {
namespace {

class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cfr-local-store-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto opened = store::OpenTestStore((dir_ / "cfr.db").string());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
  }
  void TearDown() override {
    if (store_) (void)store_->Close();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(LocalStoreTest, TheFingerprintKeyComesFromTheOldestKeyAndOutlivesRotation) {
  const std::string path = (dir_ / "keyring").string();
  auto ring = auth::Keyring::LoadOrCreate(path);
  ASSERT_TRUE(ring.ok());
  auto first = ReportFingerprintKey(*store_, *ring);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->size(), 32u);
  ASSERT_TRUE(auth::Keyring::Rotate(path).ok());
  auto rotated = ReportFingerprintKey(*store_, *auth::Keyring::Load(path));
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(*rotated, *first);  // the saved fingerprints stay comparable
  auto none = store_->Get("meta", "report_fingerprint_key");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());  // nothing kept in the store
  auto other = auth::Keyring::LoadOrCreate((dir_ / "other").string());
  EXPECT_NE(*ReportFingerprintKey(*store_, *other), *first);  // the key file decides
}

TEST_F(LocalStoreTest, AnOlderDataDirectoryKeepsTheKeyItsFingerprintsWereMadeWith) {
  const std::string legacy(32, '\x42');
  ASSERT_TRUE(
      store_->Commit(store::WriteBatch().Put("meta", "report_fingerprint_key", HexEncode(legacy))).ok());
  auto ring = auth::Keyring::LoadOrCreate((dir_ / "keyring").string());
  EXPECT_EQ(*ReportFingerprintKey(*store_, *ring), legacy);
}

}  // namespace
}  // namespace cfr::cli
