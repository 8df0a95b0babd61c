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

TEST(JsonWriterTest, WritesNestedStructuresWithTheirCommas) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject()
      .Member("a", "x\"y")
      .Member("b", int64_t{-12})
      .Member("c", true)
      .Key("d")
      .BeginArray()
      .Int(1)
      .BeginObject()
      .EndObject()
      .BeginArray()
      .EndArray()
      .Null()
      .EndArray()
      .StringOrNull("e", "")
      .StringOrNull("f", "v")
      .Strings("g", {"p", "q"})
      .Strings("h", {})
      .Key("i")
      .BeginObject()
      .Member("j", 0)
      .EndObject()
      .Key("k")
      .Raw("0.25")
      .Member("l", "m")
      .EndObject();
  EXPECT_EQ(
      out,
      R"({"a":"x\"y","b":-12,"c":true,"d":[1,{},[],null],"e":null,"f":"v","g":["p","q"],"h":[],"i":{"j":0},)"
      R"("k":0.25,"l":"m"})");
  std::string top;
  JsonWriter(&top).BeginArray().String("only").EndArray();
  EXPECT_EQ(top, R"(["only"])");
}

}  // namespace
}  // namespace cfr
