#include "http/multipart.h"

#include <gtest/gtest.h>

namespace cfr::http {
namespace {

constexpr std::string_view kType = "multipart/form-data; boundary=----cfrBoundary7MA4";

std::string Body(const std::string& file) {
  return "------cfrBoundary7MA4\r\n"
         "Content-Disposition: form-data; name=\"report_id\"\r\n\r\n"
         "RPT-2026-000001\r\n"
         "------cfrBoundary7MA4\r\n"
         "Content-Disposition: form-data; name=\"file\"; filename=\"slip \\\"1\\\".png\"\r\n"
         "Content-Type: image/png\r\n\r\n" +
         file + "\r\n------cfrBoundary7MA4--\r\n";
}

TEST(MultipartTest, SplitsAFormWithAFileAndAField) {
  const std::string file("\x89PNG\r\n\x1a\n\0\r\n--not-the-boundary", 27);
  const std::string body = Body(file);
  auto parts = ParseMultipartForm(body, kType);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "report_id");
  EXPECT_EQ((*parts)[0].data, "RPT-2026-000001");
  EXPECT_EQ((*parts)[1].name, "file");
  EXPECT_EQ((*parts)[1].filename, "slip \"1\".png");
  EXPECT_EQ((*parts)[1].content_type, "image/png");
  EXPECT_EQ((*parts)[1].data, file);  // the bytes untouched, CR LF and NUL included
  EXPECT_TRUE(IsMultipartForm("Multipart/Form-Data; boundary=x"));
  // A quoted boundary, as some clients send it.
  std::string quoted = body;
  EXPECT_TRUE(ParseMultipartForm(quoted, "multipart/form-data; boundary=\"----cfrBoundary7MA4\"").ok());
}

TEST(MultipartTest, MalformedFormsSayWhatIsWrong) {
  const std::string good = Body("abc");
  struct Case {
    std::string body, type, expect;
  };
  const std::vector<Case> cases = {
      {good, "multipart/form-data", "no boundary"},
      {good, "multipart/form-data; boundary=other", "does not occur"},
      {good.substr(0, good.size() - 30), std::string(kType), "before the closing boundary"},
      {"------cfrBoundary7MA4\r\nX-Nothing: 1\r\n\r\nabc\r\n------cfrBoundary7MA4--", std::string(kType),
       "no Content-Disposition"},
      {"------cfrBoundary7MA4\r\nContent-Disposition: attachment; "
       "name=\"f\"\r\n\r\nabc\r\n------cfrBoundary7MA4--",
       std::string(kType), "not form-data"},
      {"------cfrBoundary7MA4garbage", std::string(kType), "CRLF"},
      {good, "application/json", "not multipart"},
  };
  for (const auto& c : cases) {
    auto parts = ParseMultipartForm(c.body, c.type);
    ASSERT_FALSE(parts.ok()) << c.expect;
    EXPECT_EQ(parts.status().field(), "body");
    EXPECT_NE(parts.status().message().find(c.expect), std::string::npos) << parts.status().message();
  }
  std::string many;
  for (int i = 0; i < 17; ++i)
    many += "------cfrBoundary7MA4\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n";
  many += "------cfrBoundary7MA4--";
  EXPECT_FALSE(ParseMultipartForm(many, kType).ok());
}

}  // namespace
}  // namespace cfr::http
