// RawRecordBatcher: whole records per batch (quoted newlines kept inside a CSV record), the CSV
// header at the head of every batch, and the server's line numbers mapped back to the file's.
#include "cli/import_file.h"

#include <gtest/gtest.h>

#include <vector>

namespace cfr::cli {
namespace {

std::vector<RawRecordBatcher::Batch> Cut(bool csv, size_t per_batch, const std::string& text, size_t piece) {
  std::vector<RawRecordBatcher::Batch> out;
  auto send = [&](const RawRecordBatcher::Batch& b) {
    out.push_back(b);
    return Status::Ok();
  };
  RawRecordBatcher batcher(csv, per_batch);
  for (size_t i = 0; i < text.size(); i += piece) EXPECT_TRUE(batcher.Feed(text.substr(i, piece), send).ok());
  EXPECT_TRUE(batcher.Finish(send).ok());
  return out;
}

TEST(RawRecordBatcherTest, CsvBatchesCarryTheHeaderAndMapLines) {
  const std::string file =
      "txn_id,note\n"                  // line 1
      "A,plain\n"                      // line 2
      "B,\"two\nlines\"\n"             // lines 3-4
      "C,x\n"                          // line 5
      "D,last without newline";        // line 6
  for (size_t piece : {1, 3, 1000}) {  // however the file is read
    const auto batches = Cut(true, 2, file, piece);
    ASSERT_EQ(batches.size(), 2u);
    EXPECT_EQ(batches[0].body, "txn_id,note\nA,plain\nB,\"two\nlines\"\n");
    EXPECT_EQ(batches[0].records, 2u);
    EXPECT_EQ(batches[0].FileLine(2), 2u);  // the server's line 2 is A's
    EXPECT_EQ(batches[0].FileLine(3), 3u);
    EXPECT_EQ(batches[0].FileLine(1), 0u);  // the header
    EXPECT_EQ(batches[1].body, "txn_id,note\nC,x\nD,last without newline\n");
    EXPECT_EQ(batches[1].FileLine(2), 5u);
    EXPECT_EQ(batches[1].FileLine(3), 6u);
  }
}

TEST(RawRecordBatcherTest, NdjsonLinesAreRecords) {
  const auto batches = Cut(false, 2, "{\"a\":\"x\\\"\"}\n{}\n\n{\"b\":1}", 4);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].body, "{\"a\":\"x\\\"\"}\n{}\n");
  EXPECT_EQ(batches[0].FileLine(1), 1u);
  // The blank line is passed on (the server skips it) so that lines keep their numbers.
  EXPECT_EQ(batches[1].body, "\n{\"b\":1}\n");
  EXPECT_EQ(batches[1].FileLine(2), 4u);
}

}  // namespace
}  // namespace cfr::cli
