#include "http/static_site.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "http/router.h"

namespace cfr::http {
namespace {

namespace fs = std::filesystem;

class StaticSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cfr-static-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "assets");
    Write("index.html", "<!doctype html><div id=root></div>");
    Write("assets/index-3f2a9c.js", "console.log(1)");
    Write("assets/noto-sans-thai.woff2", std::string("wOF2\0\1", 6));
    Write("favicon.svg", "<svg/>");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& content) {
    std::ofstream(dir_ / rel, std::ios::binary) << content;
  }
  static HttpRequest Get(std::string path, std::string accept = "*/*") {
    HttpRequest r;
    r.method = "GET";
    r.path = path;
    r.target = std::move(path);
    r.headers.emplace_back("accept", std::move(accept));
    return r;
  }
  static std::string HeaderOf(const HttpResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }
  fs::path dir_;
};

TEST_F(StaticSiteTest, ServesFilesWithTypesAndCaching) {
  auto site = StaticSite::Load(dir_.string());
  ASSERT_TRUE(site.ok()) << site.status().message();
  EXPECT_EQ((*site)->file_count(), 4u);

  auto index = (*site)->Serve(Get("/"));
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index->body, "<!doctype html><div id=root></div>");
  EXPECT_EQ(HeaderOf(*index, "Cache-Control"), "no-cache");
  EXPECT_NE(HeaderOf(*index, "Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);

  auto js = (*site)->Serve(Get("/assets/index-3f2a9c.js"));
  ASSERT_TRUE(js.has_value());
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(HeaderOf(*js, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_TRUE(HeaderOf(*js, "Content-Security-Policy").empty());

  auto font = (*site)->Serve(Get("/assets/noto-sans-thai.woff2"));
  ASSERT_TRUE(font.has_value());
  EXPECT_EQ(font->content_type, "font/woff2");
  EXPECT_EQ(font->body.size(), 6u);
}

TEST_F(StaticSiteTest, TextIsSentGzippedToBrowsersThatAcceptIt) {
  std::string script;
  for (int i = 0; i < 200; ++i)
    script += "function f" + std::to_string(i) + "() { return " + std::to_string(i) + "; }\n";
  Write("assets/big-1a2b.js", script);
  auto site = StaticSite::Load(dir_.string());
  ASSERT_TRUE(site.ok());
  HttpRequest request = Get("/assets/big-1a2b.js");
  request.headers.emplace_back("accept-encoding", "gzip, deflate, br");
  auto zipped = (*site)->Serve(request);
  ASSERT_TRUE(zipped.has_value());
  EXPECT_EQ(HeaderOf(*zipped, "Content-Encoding"), "gzip");
  EXPECT_EQ(HeaderOf(*zipped, "Vary"), "Accept-Encoding");
  EXPECT_LT(zipped->body.size(), script.size() / 3);
  // It inflates to the file.
  std::string inflated(script.size() + 16, '\0');
  z_stream z{};
  ASSERT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(zipped->body.data());
  z.avail_in = static_cast<uInt>(zipped->body.size());
  z.next_out = reinterpret_cast<Bytef*>(inflated.data());
  z.avail_out = static_cast<uInt>(inflated.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  inflated.resize(z.total_out);
  inflateEnd(&z);
  EXPECT_EQ(inflated, script);
  // Without gzip (or refusing it): the plain file, under another ETag.
  HttpRequest plain = Get("/assets/big-1a2b.js");
  plain.headers.emplace_back("accept-encoding", "gzip;q=0, identity");
  auto unzipped = (*site)->Serve(plain);
  ASSERT_TRUE(unzipped.has_value());
  EXPECT_TRUE(HeaderOf(*unzipped, "Content-Encoding").empty());
  EXPECT_EQ(unzipped->body, script);
  EXPECT_NE(HeaderOf(*unzipped, "ETag"), HeaderOf(*zipped, "ETag"));
  // Small files and fonts are sent as they are.
  HttpRequest font = Get("/assets/noto-sans-thai.woff2");
  font.headers.emplace_back("accept-encoding", "gzip");
  EXPECT_TRUE(HeaderOf(*(*site)->Serve(font), "Content-Encoding").empty());
}

TEST_F(StaticSiteTest, RevalidationAnswers304) {
  auto site = StaticSite::Load(dir_.string());
  ASSERT_TRUE(site.ok());
  auto first = (*site)->Serve(Get("/favicon.svg"));
  ASSERT_TRUE(first.has_value());
  const std::string etag = HeaderOf(*first, "ETag");
  ASSERT_FALSE(etag.empty());
  HttpRequest again = Get("/favicon.svg");
  again.headers.emplace_back("if-none-match", "\"other\", W/" + etag);
  auto second = (*site)->Serve(again);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->status, 304);
  EXPECT_TRUE(second->body.empty());
  HttpRequest stale = Get("/favicon.svg");
  stale.headers.emplace_back("if-none-match", "\"0000\"");
  EXPECT_EQ((*site)->Serve(stale)->status, 200);
}

TEST_F(StaticSiteTest, ConsoleRoutesGetIndexButApiPathsDoNot) {
  auto site = StaticSite::Load(dir_.string());
  ASSERT_TRUE(site.ok());
  // The browser opening a console route (even one with a dot: an entity's domain).
  auto page = (*site)->Serve(Get("/entities/domain/scam.example.com", "text/html,application/xhtml+xml"));
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->body, "<!doctype html><div id=root></div>");
  // A script asking for a missing file gets nothing (the router's JSON 404).
  EXPECT_FALSE((*site)->Serve(Get("/assets/missing.js")).has_value());
  EXPECT_FALSE((*site)->Serve(Get("/api/v1/nope", "text/html")).has_value());
  EXPECT_FALSE((*site)->Serve(Get("/taxii2/x/", "text/html")).has_value());
  EXPECT_FALSE((*site)->Serve(Get("/../" + dir_.filename().string() + "/index.html")).has_value());
  HttpRequest post = Get("/");
  post.method = "POST";
  EXPECT_FALSE((*site)->Serve(post).has_value());
}

TEST_F(StaticSiteTest, MissingDirectoryOrIndexFails) {
  EXPECT_FALSE(StaticSite::Load((dir_ / "nope").string()).ok());
  fs::remove(dir_ / "index.html");
  auto site = StaticSite::Load(dir_.string());
  ASSERT_FALSE(site.ok());
  EXPECT_NE(site.status().message().find("index.html"), std::string::npos);
}

TEST_F(StaticSiteTest, RouterFallsBackToTheSiteOnlyWhenNoRouteMatches) {
  auto site = StaticSite::Load(dir_.string());
  ASSERT_TRUE(site.ok());
  Router router;
  router.Add("GET", "/api/v1/me", auth::kEveryone,
             [](const HttpRequest&) { return HttpResponse::Json(200, "{}"); });
  router.SetFallback([s = site->get()](const HttpRequest& r) { return s->Serve(r); });
  HttpRequest me = Get("/api/v1/me", "text/html");
  EXPECT_EQ(router.Dispatch(&me).body, "{}");
  HttpRequest root = Get("/");
  EXPECT_EQ(router.Dispatch(&root).content_type, "text/html; charset=utf-8");
  HttpRequest unknown = Get("/api/v1/unknown", "text/html");
  auto r = router.Dispatch(&unknown);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
}

}  // namespace
}  // namespace cfr::http
