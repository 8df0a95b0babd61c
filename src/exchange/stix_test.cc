#include "exchange/stix.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace cfr::exchange {
namespace {

using nlohmann::json;

Key32 TestKey() {
  Key32 k;
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<unsigned char>(i);
  return k;
}

TEST(PseudonymTest, MatchesAnIndependentBlake2b) {
  // Python: hashlib.blake2b(b"phone:+66812345678", key=bytes(range(32)), digest_size=32).hexdigest()
  EXPECT_EQ(Pseudonym(TestKey(), ident::Kind::kPhone, "+66812345678"),
            "a5979084bd735ed1b5f4e803dda8c0397e80a7e8d70c126eed3912f250990c37");
  EXPECT_EQ(Pseudonym(TestKey(), ident::Kind::kBankAccount, "004:1234567890"),
            "686ae92c2b6ea57039bc18b719ce6a95980e8c78b793f4b3ba29ee8512768521");
  Key32 other = TestKey();
  other[0] ^= 1;
  EXPECT_NE(Pseudonym(other, ident::Kind::kPhone, "+66812345678"),
            Pseudonym(TestKey(), ident::Kind::kPhone, "+66812345678"));  // the agreement's key decides
}

TEST(StixIdTest, IsAUuid5InOurNamespace) {
  // Python: uuid.uuid5(uuid.UUID("6102bd1b-04a0-4390-a38b-8b75ad8c8385"), "phone:+66812345678")
  EXPECT_EQ(StixId("indicator", "phone:+66812345678"), "indicator--3ac4beff-c3fd-5f68-acf4-50b9b9934b84");
  EXPECT_EQ(AgencyIdentityId("AOC"), "identity--1b286c7b-befc-541b-b5fe-bbf536c6a581");
  EXPECT_TRUE(IsStixId(StixId("indicator", "x"), "indicator"));
  EXPECT_FALSE(IsStixId(StixId("indicator", "x"), "sighting"));
  EXPECT_TRUE(IsStixId(RandomStixId("bundle"), "bundle"));
  EXPECT_NE(RandomStixId("bundle"), RandomStixId("bundle"));
  EXPECT_FALSE(IsStixId("indicator--not-a-uuid"));
  EXPECT_FALSE(IsStixId("Indicator--3ac4beff-c3fd-5f68-acf4-50b9b9934b84"));
  EXPECT_FALSE(IsStixId("indicator--3ac4beff-c3fd-0f68-acf4-50b9b9934b84"));  // version 0
}

TEST(PatternTest, StandardObjectsInClearOurObjectOtherwise) {
  EXPECT_EQ(IndicatorPattern(ident::Kind::kUrl, "https://a.example/x?q='1'", false, ""),
            R"([url:value = 'https://a.example/x?q=\'1\''])");
  EXPECT_EQ(IndicatorPattern(ident::Kind::kDomain, "krungthai-refund.com", false, ""),
            "[domain-name:value = 'krungthai-refund.com']");
  EXPECT_EQ(IndicatorPattern(ident::Kind::kPhone, "+66812345678", false, ""),
            "[x-opencfr-identifier:kind = 'phone' AND x-opencfr-identifier:value = '+66812345678']");
  EXPECT_EQ(IndicatorPattern(ident::Kind::kUrl, "https://a.example/", true, "ab12"),
            "[x-opencfr-identifier:kind = 'url' AND x-opencfr-identifier:pseudonym = 'ab12']");
  EXPECT_EQ(PatternLiteral(R"(a\b)"), R"('a\\b')");
}

TEST(TlpTest, NamesMarkingsAndTheOlderIds) {
  EXPECT_EQ(ParseTlp("TLP:AMBER+STRICT"), Tlp::kAmberStrict);
  EXPECT_EQ(ParseTlp("white"), Tlp::kClear);
  EXPECT_FALSE(ParseTlp("purple"));
  EXPECT_EQ(TlpMarkingId(Tlp::kRed), "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1");
  EXPECT_EQ(TlpOfMarking("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"), Tlp::kRed);  // TLP 1.0
  EXPECT_FALSE(TlpOfMarking(StixId("marking-definition", "ours")));
  const json m = json::parse(TlpMarkingJson(Tlp::kGreen));
  EXPECT_EQ(m["name"], "TLP:GREEN");
  EXPECT_EQ(m["extensions"][std::string(kTlp2ExtensionId)]["tlp_2_0"], "green");
}

TEST(EntityObjectsTest, AnIndicatorAndItsSighting) {
  EntityFacts e;
  e.kind = ident::Kind::kBankAccount;
  e.canonical = "004:1234567890";
  e.tier = "dark_grey";
  e.reports = 3;
  e.victims = 2;
  e.loss_satang = 9000000;
  e.first_seen_ms = 1795392000000;
  e.last_seen_ms = 1795395600000;
  e.updated_ms = 1795395600000;
  ExportPolicy clear;
  clear.created_by_ref = AgencyIdentityId("AOC");
  std::vector<std::string> out;
  AppendEntityObjects(e, clear, &out);
  ASSERT_EQ(out.size(), 2u);
  const json ind = json::parse(out[0]);
  EXPECT_EQ(ind["type"], "indicator");
  EXPECT_EQ(ind["id"], IndicatorId(e, clear));
  EXPECT_EQ(ind["confidence"], 75);
  EXPECT_EQ(ind["valid_from"], "2026-11-23T00:00:00.000Z");
  EXPECT_EQ(ind["object_marking_refs"][0], TlpMarkingId(Tlp::kAmber));
  const json& x = ind["extensions"][std::string(kExtensionId)];
  EXPECT_EQ(x["identifier_kind"], "bank_account");
  EXPECT_EQ(x["value"], "004:1234567890");
  const json s = json::parse(out[1]);
  EXPECT_EQ(s["sighting_of_ref"], ind["id"]);
  EXPECT_EQ(s["count"], 3);

  ExportPolicy hashed = clear;
  hashed.pseudonymise = true;
  hashed.key = TestKey();
  out.clear();
  AppendEntityObjects(e, hashed, &out);
  for (const auto& o : out) EXPECT_EQ(o.find("1234567890"), std::string::npos) << o;
  const json p = json::parse(out[0]);
  EXPECT_EQ(p["extensions"][std::string(kExtensionId)]["pseudonym"],
            "686ae92c2b6ea57039bc18b719ce6a95980e8c78b793f4b3ba29ee8512768521");
  EXPECT_NE(p["id"], ind["id"]);  // not derived from the clear value
}

}  // namespace
}  // namespace cfr::exchange
