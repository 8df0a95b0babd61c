#include "core/status.h"

#include <gtest/gtest.h>

namespace cfr {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd", "x");
  return x / 2;
}

Result<int> Quarter(int x) {
  CFR_ASSIGN_OR_RETURN(int h, Half(x));
  CFR_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, CarriesCodeMessageAndField) {
  Status s = InvalidArgument("bad digit", "value");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(StatusCodeName(s.code()), "invalid_argument");
  EXPECT_EQ(s.message(), "bad digit");
  EXPECT_EQ(s.field(), "value");
  EXPECT_EQ(s.ToString(), "invalid_argument: bad digit (field: value)");
}

TEST(StatusTest, FieldPrefixBuildsPaths) {
  EXPECT_EQ(InvalidArgument("x", "value").WithFieldPrefix("items[1]").field(), "items[1].value");
  EXPECT_EQ(InvalidArgument("x").WithFieldPrefix("items[1]").field(), "items[1]");
  EXPECT_EQ(InvalidArgument("x", "[2]").WithFieldPrefix("items").field(), "items[2]");
  EXPECT_TRUE(Status().WithFieldPrefix("a").ok());
}

TEST(StatusTest, CopiesAreIndependent) {
  Status a = Conflict("taken");
  Status b = a;
  a = Status();
  EXPECT_TRUE(a.ok());
  EXPECT_EQ(b.code(), StatusCode::kConflict);
  EXPECT_EQ(b, Conflict("taken"));
}

TEST(ResultTest, ValueAndErrorPropagate) {
  auto ok = Quarter(8);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 2);
  auto bad = Quarter(6);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "odd");
}

TEST(ResultTest, OkStatusIsNotAValue) {
  Result<int> r{Status()};
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace cfr
