// Keeps the OpenAPI document true: every routed path is documented, every documented path is
// routed, every documented operation has responses, and each operation's x-cfr-roles are exactly
// the roles its route lets in.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>

#include "http/api.h"
#include "store/sqlite/sqlite_store.h"

namespace cfr::http {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST(OpenApiTest, DocumentMatchesRouter) {
  ApiContext ctx;  // routes do not touch the store while being registered
  Router router = BuildApiRouter(ctx);
  const auto doc = nlohmann::json::parse(OpenApiDocument());
  EXPECT_EQ(doc["openapi"], "3.1.0");
  std::set<std::pair<std::string, std::string>> routed;
  for (const auto& r : router.Routes()) routed.insert({Lower(r.method), r.pattern});
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      documented.insert({method, path});
      EXPECT_TRUE(op.contains("responses")) << method << " " << path;
      EXPECT_TRUE(op.contains("operationId")) << method << " " << path;
    }
  }
  for (const auto& r : routed)
    EXPECT_TRUE(documented.count(r)) << "undocumented route: " << r.first << " " << r.second;
  for (const auto& d : documented)
    EXPECT_TRUE(routed.count(d)) << "documented but not routed: " << d.first << " " << d.second;
  for (const auto& r : router.Routes()) {
    const auto& op = doc["paths"][r.pattern][Lower(r.method)];
    std::vector<std::string> want;
    for (auth::Role role : auth::AllRoles()) {
      if (r.roles.Has(role)) want.emplace_back(auth::RoleName(role));
    }
    ASSERT_TRUE(op.contains("x-cfr-roles")) << r.method << " " << r.pattern;
    EXPECT_EQ(op["x-cfr-roles"].get<std::vector<std::string>>(), want) << r.method << " " << r.pattern;
    EXPECT_TRUE(op["responses"].contains("401")) << r.method << " " << r.pattern;
    if (!r.roles.Has(auth::Role::kPublic)) {
      EXPECT_TRUE(op["responses"].contains("403")) << r.method << " " << r.pattern;
    }
  }
}

TEST(OpenApiTest, EveryReferenceResolves) {
  const auto doc = nlohmann::json::parse(OpenApiDocument());
  std::vector<std::string> refs;
  std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& j) {
    if (j.is_object()) {
      for (const auto& [k, v] : j.items()) {
        if (k == "$ref" && v.is_string()) refs.push_back(v.get<std::string>());
        walk(v);
      }
    } else if (j.is_array()) {
      for (const auto& v : j) walk(v);
    }
  };
  walk(doc);
  ASSERT_FALSE(refs.empty());
  for (const std::string& ref : refs) {
    ASSERT_TRUE(ref.starts_with("#/")) << ref;
    EXPECT_TRUE(doc.contains(nlohmann::json::json_pointer(ref.substr(1)))) << "dangling $ref " << ref;
  }
}

}  // namespace
}  // namespace cfr::http
