#include "exchange/stix_import.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace cfr::exchange {
namespace {

using nlohmann::json;

std::string Read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(StixImportTest, TheOasisExamplesParse) {
  size_t files = 0, objects = 0, indicators = 0, mapped = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(CFR_STIX_EXAMPLES)) {
    if (entry.path().extension() != ".json") continue;
    auto b = ParseBundle(Read(entry.path()));
    ASSERT_TRUE(b.ok()) << entry.path() << ": " << b.status().ToString();
    ++files;
    objects += b->objects.size();
    indicators += b->indicators;
    mapped += b->mapped;
  }
  EXPECT_EQ(files, 8u);
  EXPECT_EQ(objects, 260u);
  EXPECT_EQ(indicators, 43u);
  EXPECT_GE(mapped, 20u);  // the domain-name indicators of the threat reports
}

TEST(StixImportTest, PatternsNameOurIdentifiers) {
  auto ids = IdentifiersOfPattern(
      "[domain-name:value = 'Evil.Example.COM' OR ipv4-addr:value = '10.0.0.1'] OR [url:value = "
      "'hxxps://krungthai-refund[.]com/login']");
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0].kind, ident::Kind::kDomain);
  EXPECT_EQ(ids[0].canonical, "evil.example.com");
  EXPECT_EQ(ids[1].kind, ident::Kind::kUrl);
  ids = IdentifiersOfPattern(
      "[x-opencfr-identifier:kind = 'phone' AND x-opencfr-identifier:value = '081-234-5678']");
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0].canonical, "+66812345678");
  ids = IdentifiersOfPattern("[x-opencfr-identifier:kind = 'phone' AND x-opencfr-identifier:pseudonym = '" +
                             std::string(64, 'a') + "']");
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0].pseudonym, std::string(64, 'a'));
  EXPECT_TRUE(IdentifiersOfPattern("[file:hashes.md5 = '001dd76872d80801692ff942308c64e6']").empty());
  EXPECT_TRUE(IdentifiersOfPattern("[url:value MATCHES '^https://']").empty());
  EXPECT_TRUE(IdentifiersOfPattern("[url:value = 'unterminated").empty());
  EXPECT_TRUE(
      IdentifiersOfPattern("[x-opencfr-identifier:kind = 'phone' AND x-opencfr-identifier:value = 'nope']")
          .empty());
}

std::string Indicator(const std::string& extra) {
  return R"({"type":"indicator","spec_version":"2.1","id":"indicator--3ac4beff-c3fd-5f68-acf4-50b9b9934b84",)"
         R"("created":"2026-11-20T00:00:00.000Z","modified":"2026-11-20T00:00:00.000Z","pattern_type":"stix",)"
         R"("valid_from":"2026-11-20T00:00:00Z","pattern":"[domain-name:value = 'scam.example']")" +
         extra + "}";
}

std::string Bundle(const std::string& objects) {
  return R"({"type":"bundle","id":"bundle--44af6c39-c09b-49c5-9de2-394224b04982","objects":[)" + objects +
         "]}";
}

TEST(StixImportTest, BadInputIsRejectedNamingTheObjectAndProperty) {
  auto field = [](const std::string& text) { return ParseBundle(text).status().field(); };
  EXPECT_EQ(field("{not json"), "body");
  EXPECT_EQ(field("[1,2]"), "body");
  EXPECT_EQ(field(R"({"type":"bundle","id":"bundle--x","objects":[]})"), "id");
  EXPECT_EQ(field(R"({"type":"bundle","id":"bundle--44af6c39-c09b-49c5-9de2-394224b04982","objects":{}})"),
            "objects");
  EXPECT_EQ(field(Bundle("1")), "objects[0]");
  EXPECT_EQ(field(Bundle(R"({"type":"indicator","id":"campaign--3ac4beff-c3fd-5f68-acf4-50b9b9934b84"})")),
            "objects[0].id");
  std::string v20 = Indicator("");
  v20.replace(v20.find(R"("spec_version":"2.1")"), 20, R"("spec_version":"2.0")");
  EXPECT_EQ(field(Bundle(v20)), "objects[0].spec_version");
  std::string no_pattern = Indicator("");
  no_pattern.replace(no_pattern.find(R"("pattern":)"),
                     std::string(R"("pattern":"[domain-name:value = 'scam.example']")").size(),
                     R"("name":"x")");
  EXPECT_EQ(field(Bundle(no_pattern)), "objects[0].pattern");
  std::string bad_time = Indicator("");
  bad_time.replace(bad_time.find("2026-11-20T00:00:00Z"), 20, "yesterday");
  EXPECT_EQ(field(Bundle(bad_time)), "objects[0].valid_from");
  EXPECT_EQ(
      field(Bundle(Indicator(
          R"(,"extensions":{"extension-definition--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061":{"extension_type":"property-extension"}})"))),
      "objects[0].extensions");
  EXPECT_EQ(field(Bundle(Indicator(R"(,"confidence":101)"))), "objects[0].confidence");
  EXPECT_EQ(
      field(Bundle(
          R"({"type":"relationship","spec_version":"2.1","id":"relationship--eca24e47-2259-4850-9705-fd1065c77236",)"
          R"("created":"2026-11-20T00:00:00.000Z","modified":"2026-11-20T00:00:00.000Z","relationship_type":"indicates",)"
          R"("source_ref":"indicator--3ac4beff-c3fd-5f68-acf4-50b9b9934b84"})")),
      "objects[0].target_ref");
  // One id and one modified time, two different objects.
  EXPECT_EQ(field(Bundle(Indicator("") + "," + Indicator(R"(,"name":"other")"))), "objects[1].id");
  ParseLimits small;
  small.max_bytes = 100;
  EXPECT_EQ(ParseBundle(Bundle(Indicator("")), small).status().field(), "body");
}

TEST(StixImportTest, MarkingsGiveTheTlpAndUnknownOnesAreRed) {
  auto b = ParseBundle(Bundle(Indicator(
      R"(,"object_marking_refs":["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421","marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"])")));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->objects[0].tlp, Tlp::kAmber);  // the stricter of amber (2.0) and green (1.0)
  EXPECT_FALSE(b->objects[0].unknown_marking);
  b = ParseBundle(Bundle(
      Indicator(R"(,"object_marking_refs":["marking-definition--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061"])")));
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->objects[0].unknown_marking);
  // The same object twice is one.
  b = ParseBundle(Bundle(Indicator("") + "," + Indicator("")));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->objects.size(), 1u);
  ASSERT_EQ(b->objects[0].identifiers.size(), 1u);
  EXPECT_EQ(b->objects[0].identifiers[0].canonical, "scam.example");
}

}  // namespace
}  // namespace cfr::exchange
