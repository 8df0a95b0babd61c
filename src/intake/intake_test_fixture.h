// The test fixture of intake's tests (and of the modules built on reports: cases, networks,
// statistics, exchange, evidence): a real store in a fresh directory — SQLite, or a PostgreSQL
// database of its own when CFR_TEST_STORE_POSTGRES names a server (store/testing.h) —, a registry
// and an Intake on a manual clock.
#ifndef CFR_INTAKE_INTAKE_TEST_FIXTURE_H_
#define CFR_INTAKE_INTAKE_TEST_FIXTURE_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "intake/intake.h"
#include "intake/report.h"
#include "store/testing.h"

namespace cfr::intake {

class IntakeTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cfr-intake-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto opened = store::OpenTestStore((dir_ / "cfr.db").string());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
    registry_ = std::make_unique<registry::Registry>(*store_, clock_);
    intake_ = std::make_unique<Intake>(*store_, *registry_, clock_, std::string(32, 'f'), cipher_);
  }
  void TearDown() override {
    intake_.reset();
    registry_.reset();
    IgnoreError(store_->Close());
    std::filesystem::remove_all(dir_);
  }
  Result<SubmitResult> Submit(const std::string& body, const std::string& key = "") {
    auto report = ParseReport(body, clock_);
    if (!report.ok()) return report.status();
    return intake_->Submit(*report, key, body, operator_);
  }
  registry::Entity EntityOf(ident::Kind kind, const std::string& canonical) {
    auto e = registry_->Get(kind, canonical);
    EXPECT_TRUE(e.ok() && e->has_value()) << canonical;
    return e.ok() && e->has_value() ? **e : registry::Entity{};
  }

  std::filesystem::path dir_;
  ManualClock clock_{1795789445123};
  Actor operator_{"op.nok", "AOC", "operator"};
  // The keyring of the tests: one fixed key.
  auth::PersonalDataCipher cipher_{auth::Keyring::ForTesting({{"k1", auth::Key32{7, 7, 7}}})};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<registry::Registry> registry_;
  std::unique_ptr<Intake> intake_;
};

}  // namespace cfr::intake

#endif  // CFR_INTAKE_INTAKE_TEST_FIXTURE_H_
