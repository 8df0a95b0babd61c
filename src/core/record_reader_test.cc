#include "core/record_reader.h"

#include <gtest/gtest.h>

namespace cfr {
namespace {

// Reads `text` in chunks of `chunk` bytes.
template <typename Reader>
std::vector<TextRecord> ReadAll(Reader& reader, std::string_view text, size_t chunk) {
  std::vector<TextRecord> out;
  for (size_t i = 0; i < text.size(); i += chunk) reader.Feed(text.substr(i, chunk), &out);
  reader.Finish(&out);
  return out;
}

std::vector<TextRecord> Csv(std::string_view text, size_t chunk = 1 << 20, size_t max = 1 << 20) {
  CsvReader reader(max);
  return ReadAll(reader, text, chunk);
}

std::string Describe(const std::vector<TextRecord>& records) {
  std::string s;
  for (const auto& r : records) {
    s += std::to_string(r.line) + ":";
    if (!r.error.empty()) s += "ERROR";
    for (const auto& f : r.fields) s += "[" + f + "]";
    s += "\n";
  }
  return s;
}

TEST(CsvReaderTest, FieldsLinesAndRawText) {
  const std::string text =
      "\xEF\xBB\xBF"
      "a,b,c\r\n"
      "1,\"two, with comma\",3\r\n"
      "\r\n"
      "\"multi\nline\",\"say \"\"hi\"\"\",\n"
      "last,row,  padded  ";
  const auto records = Csv(text);
  EXPECT_EQ(Describe(records),
            "1:[a][b][c]\n2:[1][two, with comma][3]\n4:[multi\nline][say \"hi\"][]\n6:[last][row][padded]\n");
  EXPECT_EQ(records[1].raw, "1,\"two, with comma\",3");
  EXPECT_EQ(records[2].raw, "\"multi\nline\",\"say \"\"hi\"\"\",");
  // Any chunking gives the same records.
  for (size_t chunk : {1, 2, 3, 7, 64}) EXPECT_EQ(Describe(Csv(text, chunk)), Describe(records)) << chunk;
}

TEST(CsvReaderTest, AMalformedRecordIsAnErrorAndReadingGoesOn) {
  const auto records = Csv("a,b\n1,\"x\"y\n2,ok\n3,\"unterminated\n");
  EXPECT_EQ(Describe(records), "1:[a][b]\n2:ERROR\n3:[2][ok]\n4:ERROR\n");
  EXPECT_EQ(records[1].raw, "1,\"x\"y");
  EXPECT_NE(records[1].error.find("malformed CSV"), std::string::npos);
  EXPECT_NE(records[3].error.find("ends inside a quoted field"), std::string::npos);
}

TEST(CsvReaderTest, OverlongRecordsAreErrors) {
  const std::string big(100, 'x');
  const auto records = Csv("a\n" + big + "\nb\n", 7, 50);
  EXPECT_EQ(Describe(records), "1:[a]\n2:ERROR\n3:[b]\n");
}

TEST(LineReaderTest, LinesBlankLinesAndLimits) {
  LineReader reader(10);
  const auto records = ReadAll(reader, "{\"a\":1}\r\n\n  \n0123456789ABC\nlast", 3);
  EXPECT_EQ(Describe(records), "1:[{\"a\":1}]\n4:ERROR\n5:[last]\n");
  EXPECT_NE(records[1].error.find("longer than 10"), std::string::npos);
}

}  // namespace
}  // namespace cfr
