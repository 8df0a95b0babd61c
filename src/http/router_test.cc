#include "http/router.h"

#include <gtest/gtest.h>

namespace cfr::http {
namespace {

HttpResponse Echo(const HttpRequest& r) {
  std::string body;
  for (const auto& [k, v] : r.path_params) body += k + "=" + v + ";";
  return HttpResponse::Json(200, body);
}

TEST(RouterTest, MatchesLiteralsAndCaptures) {
  Router router;
  router.Add("GET", "/api/v1/entities/{kind}/{canonical}", auth::kEveryone, Echo);
  router.Add("GET", "/api/v1/entities/{kind}/{canonical}/history", auth::kEveryone, Echo);
  HttpRequest req;
  req.method = "GET";
  req.path = "/api/v1/entities/phone/+66812345678";
  auto r = router.Dispatch(&req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "kind=phone;canonical=+66812345678;");
  req.path = "/api/v1/entities/url/https%3A%2F%2Fa.com%2F/history";
  r = router.Dispatch(&req);
  EXPECT_EQ(r.body, "kind=url;canonical=https://a.com/;");
  // As the server receives it: the decoded path has '/' where the link had %2F; the target as
  // sent keeps the link inside its segment.
  req.target = "/api/v1/entities/url/https%3A%2F%2Fa.com%2Flogin?x=1";
  req.path = "/api/v1/entities/url/https://a.com/login";
  r = router.Dispatch(&req);
  EXPECT_EQ(r.body, "kind=url;canonical=https://a.com/login;");
  req.target = "/api/v1/%65ntities/phone/0812345678";  // an encoded letter in a fixed segment
  req.path = "/api/v1/entities/phone/0812345678";
  EXPECT_EQ(router.Dispatch(&req).body, "kind=phone;canonical=0812345678;");
}

TEST(RouterTest, UnknownPathIs404AndWrongMethodIs405) {
  Router router;
  router.Add("POST", "/api/v1/reports", auth::kEveryone, Echo);
  HttpRequest req;
  req.method = "GET";
  req.path = "/api/v1/reports";
  auto r = router.Dispatch(&req);
  EXPECT_EQ(r.status, 405);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].second, "POST");
  EXPECT_NE(r.body.find("\"code\":\"invalid_argument\""), std::string::npos);
  req.path = "/api/v1/nothing";
  r = router.Dispatch(&req);
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("\"code\":\"not_found\""), std::string::npos);
  req.path = "/api/v1/reports/";  // trailing slash is a different path
  EXPECT_EQ(router.Dispatch(&req).status, 404);
}

TEST(RouterTest, EmptyCaptureDoesNotMatch) {
  Router router;
  router.Add("GET", "/a/{x}", auth::kEveryone, Echo);
  HttpRequest req;
  req.method = "GET";
  req.path = "/a/";
  EXPECT_EQ(router.Dispatch(&req).status, 404);
}

TEST(HttpTypesTest, QueryDecoding) {
  auto q = ParseQuery("value=081-234-5678&kind=phone&x=a+b%20c&bad=%zz&&flag");
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q[0].second, "081-234-5678");
  EXPECT_EQ(q[2].second, "a b c");
  EXPECT_EQ(q[3].second, "%zz");
  EXPECT_EQ(q[4].first, "flag");
  std::string out;
  EXPECT_FALSE(PercentDecode("%4", &out, false));
  EXPECT_TRUE(PercentDecode("%E0%B8%81", &out, false));
  EXPECT_EQ(out, "ก");
}

TEST(RouterTest, CountsRequestsAndLatencyPerRouteForPrometheus) {
  Router router;
  router.Add("GET", "/api/v1/cases/{id}", auth::kEveryone, Echo);
  HttpRequest req;
  req.method = "GET";
  req.path = "/api/v1/cases/CFR-1";
  router.Dispatch(&req);
  router.Dispatch(&req);
  req.path = "/nowhere";
  router.Dispatch(&req);
  std::string text;
  router.WriteMetrics(&text);
  EXPECT_NE(text.find("# TYPE cfr_http_requests_total counter\n"), std::string::npos) << text;
  EXPECT_NE(
      text.find("cfr_http_requests_total{method=\"GET\",route=\"/api/v1/cases/{id}\",code=\"2xx\"} 2\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("cfr_http_requests_total{method=\"\",route=\"other\",code=\"4xx\"} 1\n"),
            std::string::npos)
      << text;
  // A histogram: cumulative buckets ending at +Inf, equal to the count.
  EXPECT_NE(text.find("cfr_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/cases/"
                      "{id}\",le=\"+Inf\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("cfr_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/cases/{id}\"} 2\n"),
      std::string::npos)
      << text;
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Histogram h({0.001, 0.01});
  h.Observe(0.0005);
  h.Observe(0.005);
  h.Observe(0.005);
  h.Observe(3);
  std::string text;
  h.Write("x_seconds", "a=\"b\"", &text);
  EXPECT_EQ(text,
            "x_seconds_bucket{a=\"b\",le=\"0.001\"} 1\n"
            "x_seconds_bucket{a=\"b\",le=\"0.01\"} 3\n"
            "x_seconds_bucket{a=\"b\",le=\"+Inf\"} 4\n"
            "x_seconds_sum{a=\"b\"} 3.0105\n"
            "x_seconds_count{a=\"b\"} 4\n");
  EXPECT_EQ(EscapeLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace cfr::http
