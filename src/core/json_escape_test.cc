#include "core/json_escape.h"

#include <gtest/gtest.h>

namespace cfr {
namespace {

std::string Escaped(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

TEST(JsonEscapeTest, EscapesWhatJsonRequires) {
  EXPECT_EQ(Escaped("plain"), "\"plain\"");
  EXPECT_EQ(Escaped("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Escaped("\n\r\t\x01"), "\"\\n\\r\\t\\u0001\"");
  EXPECT_EQ(Escaped("ไทย 😀"), "\"ไทย 😀\"");
  EXPECT_EQ(Escaped("x\xFFy"), "\"x\xEF\xBF\xBDy\"");
  EXPECT_EQ(Escaped(std::string_view("\0", 1)), "\"\\u0000\"");
}

}  // namespace
}  // namespace cfr
