// Runs the declarative case table in testdata/cases.tsv, then checks properties that a table
// cannot: every spelling meets, different identifiers stay apart, detection round-trips.
#include "ident/identifier.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "ident/bank.h"

namespace cfr::ident {
namespace {

struct Case {
  int line;
  std::string kind;
  std::string input;
  std::string expected;
  std::string attributes;
};

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, sep)) out.push_back(part);
  if (!s.empty() && s.back() == sep) out.push_back("");
  return out;
}

std::vector<Case> LoadCases() {
  std::ifstream in("src/ident/testdata/cases.tsv");
  EXPECT_TRUE(in.good()) << "run from the source root (ctest does)";
  std::vector<Case> cases;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    auto f = Split(line, '\t');
    while (f.size() < 4) f.push_back("");
    cases.push_back({n, f[0], f[1], f[2], f[3]});
  }
  return cases;
}

std::string AttributeText(const Identifier& id, const std::string& name) {
  if (name == "display") return id.display;
  const Attribute* a = id.Find(name);
  if (a == nullptr) return "<missing>";
  if (auto* s = std::get_if<std::string>(&a->value)) return *s;
  if (auto* i = std::get_if<int64_t>(&a->value)) return std::to_string(*i);
  return std::get<bool>(a->value) ? "true" : "false";
}

TEST(IdentifierTableTest, EveryCaseHolds) {
  const auto cases = LoadCases();
  ASSERT_GE(cases.size(), 400u);
  std::set<std::string> kinds_covered;
  for (const Case& c : cases) {
    SCOPED_TRACE("cases.tsv line " + std::to_string(c.line) + ": " + c.kind + " '" + c.input + "'");
    NormalizeOptions opts;
    std::string kind_text = c.kind;
    bool detect = false;
    if (!kind_text.empty() && kind_text[0] == '?') {
      detect = true;
      kind_text.erase(0, 1);
    }
    const size_t at = kind_text.find('@');
    std::string bank;
    if (at != std::string::npos) {
      bank = kind_text.substr(at + 1);
      kind_text.erase(at);
      opts.bank = bank;
    }
    if (!detect) {
      auto k = ParseKind(kind_text);
      ASSERT_TRUE(k.ok()) << k.status().ToString();
      opts.kind = *k;
    }  // NOLINT
    auto r = Normalize(c.input, opts);
    if (c.expected.starts_with("!")) {
      ASSERT_FALSE(r.ok()) << "expected an error, got " << r->canonical;
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(r.status().message().find(c.expected.substr(1)), std::string::npos) << r.status().message();
      EXPECT_FALSE(r.status().field().empty());
      continue;
    }
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (!kind_text.empty()) {
      EXPECT_EQ(KindName(r->kind), kind_text);
      kinds_covered.insert(kind_text);
    }
    if (c.expected != "*") {
      EXPECT_EQ(r->canonical, c.expected);
    }
    for (const std::string& kv : Split(c.attributes, ';')) {
      if (kv.empty()) continue;
      const size_t eq = kv.find('=');
      EXPECT_EQ(AttributeText(*r, kv.substr(0, eq)), kv.substr(eq + 1)) << kv;
    }
    // Normalising the canonical value again (same kind) must be a fixed point.
    if (!detect && c.expected != "*") {
      NormalizeOptions again = opts;
      auto r2 = Normalize(r->canonical, again);
      ASSERT_TRUE(r2.ok()) << "canonical value does not re-normalise: " << r2.status().ToString();
      EXPECT_EQ(r2->canonical, r->canonical);
    }
  }
  EXPECT_EQ(kinds_covered.size(), std::size(kAllKinds));
}

TEST(IdentifierTest, DifferentIdentifiersStayApart) {
  const std::vector<std::pair<Kind, std::string>> inputs = {{Kind::kPhone, "0812345678"},
                                                            {Kind::kPhone, "0812345679"},
                                                            {Kind::kPhone, "021234567"},
                                                            {Kind::kBankAccount, "004:1234567890"},
                                                            {Kind::kBankAccount, "014:1234567890"},
                                                            {Kind::kEmail, "a@example.com"},
                                                            {Kind::kEmail, "a@example.org"},
                                                            {Kind::kUrl, "https://example.com/a"},
                                                            {Kind::kUrl, "http://example.com/a"},
                                                            {Kind::kUrl, "https://example.com/A"},
                                                            {Kind::kSocial, "facebook:scampage"},
                                                            {Kind::kSocial, "instagram:scampage"},
                                                            {Kind::kLineId, "scampage"}};
  std::set<std::pair<Kind, std::string>> seen;
  for (const auto& [kind, value] : inputs) {
    NormalizeOptions o;
    o.kind = kind;
    auto r = Normalize(value, o);
    ASSERT_TRUE(r.ok()) << value << ": " << r.status().ToString();
    EXPECT_TRUE(seen.insert({r->kind, r->canonical}).second) << value;
  }
}

TEST(IdentifierTest, KindNamesRoundTrip) {
  for (Kind k : kAllKinds) {
    auto parsed = ParseKind(KindName(k));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, k);
  }
  auto bad = ParseKind("fax");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().field(), "kind");
  EXPECT_NE(bad.status().message().find("crypto_wallet"), std::string::npos);
}

TEST(IdentifierTest, BankListIsWellFormed) {
  std::set<std::string> codes;
  for (const Bank& b : AllBanks()) {
    EXPECT_EQ(b.code.size(), 3u);
    EXPECT_TRUE(codes.insert(b.code).second) << b.code;
    EXPECT_FALSE(b.account_lengths.empty()) << b.code;
    EXPECT_EQ(FindBank(b.code), &b);
    EXPECT_EQ(FindBank(b.short_name), &b);
    EXPECT_EQ(FindBank(b.swift_bic), &b);
  }
  EXPECT_GE(AllBanks().size(), 20u);
  EXPECT_EQ(FindBank("nope"), nullptr);
}

TEST(IdentifierTest, BadUtf8NeverCrashesAnyKind) {
  const std::string inputs[] = {"\xFF\xFE",
                                "08\xC0\x80"
                                "12345678",
                                "https://\xE0\xB8.com",
                                std::string("a\0b", 3),
                                std::string(10000, '9'),
                                "@\xF0\x9F"};
  for (const auto& v : inputs) {
    for (Kind k : kAllKinds) {
      NormalizeOptions o;
      o.kind = k;
      auto r = Normalize(v, o);
      if (!r.ok()) {
        EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
      }
    }
    IgnoreError(Detect(v).status());
  }
}

}  // namespace
}  // namespace cfr::ident
