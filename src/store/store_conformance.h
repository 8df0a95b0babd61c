// The Store conformance suite: one set of tests every backend must pass unchanged.
//
// A backend's test file instantiates it:
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
//                            testing::Values(StoreFactory{"sqlite", &OpenMyStore}));
// where the factory opens (or reopens) a store whose data lives under `dir`.
#ifndef CFR_STORE_STORE_CONFORMANCE_H_
#define CFR_STORE_STORE_CONFORMANCE_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "store/store.h"

namespace cfr::store {

struct StoreFactory {
  std::string name;
  // Opens the store kept under `dir`; called again with the same dir to test durability.
  std::function<Result<std::unique_ptr<Store>>(const std::string& dir)> open;
};

inline std::ostream& operator<<(std::ostream& os, const StoreFactory& f) { return os << f.name; }

class StoreConformanceTest : public testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Closes the current store and opens it again on the same data.
  void Reopen();

  std::string dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace cfr::store

#endif  // CFR_STORE_STORE_CONFORMANCE_H_
