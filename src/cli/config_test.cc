#include "cli/config.h"

#include <gtest/gtest.h>

#include <map>

namespace cfr::cli {
namespace {

TEST(ConfigTest, LaterSourcesWin) {
  Config c;
  ASSERT_TRUE(
      ApplyToml("[server]\nlisten = \"0.0.0.0:9000\"\nthreads = 3\n[store]\ndata_dir = \"/var/lib/cfr\"\n",
                "file test.toml", &c)
          .ok());
  EXPECT_EQ(c.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.threads, 3);
  std::map<std::string, std::string> env = {{"CFR_SERVER_LISTEN", "127.0.0.1:9100"},
                                            {"CFR_LOG_FORMAT", "json"}};
  ASSERT_TRUE(ApplyEnvironment(
                  [&](const char* n) -> const char* {
                    auto it = env.find(n);
                    return it == env.end() ? nullptr : it->second.c_str();
                  },
                  &c)
                  .ok());
  EXPECT_EQ(c.listen, "127.0.0.1:9100");
  ASSERT_TRUE(ApplySetting("server.listen", "127.0.0.1:9200", "flag", &c).ok());
  EXPECT_EQ(c.listen, "127.0.0.1:9200");
  EXPECT_EQ(c.data_dir, "/var/lib/cfr");
  EXPECT_EQ(c.log_format, "json");
  EXPECT_TRUE(Validate(c).ok());
  const std::string toml = ToToml(c);
  EXPECT_NE(toml.find("listen = \"127.0.0.1:9200\""), std::string::npos);
  EXPECT_NE(toml.find("(flag;"), std::string::npos);
  EXPECT_NE(toml.find("(env CFR_LOG_FORMAT;"), std::string::npos);
  EXPECT_NE(toml.find("(file test.toml;"), std::string::npos);
  // The printed configuration reads back to the same values.
  Config again;
  ASSERT_TRUE(ApplyToml(toml, "printed", &again).ok());
  EXPECT_EQ(again.listen, c.listen);
  EXPECT_EQ(again.threads, c.threads);
}

TEST(ConfigTest, ErrorsNameTheKey) {
  Config c;
  auto unknown = ApplyToml("[server]\nlisen = \"x\"\n", "file a.toml", &c);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.field(), "server.lisen");
  EXPECT_NE(unknown.message().find("a.toml"), std::string::npos);
  auto type = ApplyToml("[server]\nthreads = \"four\"\n", "file a.toml", &c);
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.field(), "server.threads");
  auto syntax = ApplyToml("[server\n", "file a.toml", &c);
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.message().find("a.toml:1"), std::string::npos) << syntax.message();
  auto env = ApplySetting("server.threads", "x2", "env CFR_SERVER_THREADS", &c);
  ASSERT_FALSE(env.ok());
  EXPECT_NE(env.message().find("CFR_SERVER_THREADS"), std::string::npos);
}

TEST(ConfigTest, ValidationCatchesBadValues) {
  Config c;
  c.listen = "8080";
  EXPECT_EQ(Validate(c).field(), "server.listen");
  c.listen = "127.0.0.1:70000";
  EXPECT_EQ(Validate(c).field(), "server.listen");
  c = Config();
  c.log_level = "loud";
  EXPECT_EQ(Validate(c).field(), "log.level");
  c = Config();
  c.threads = -1;
  EXPECT_EQ(Validate(c).field(), "server.threads");
  c = Config();
  c.risk_tier_black = 101;
  EXPECT_EQ(Validate(c).field(), "risk.tier_black");
  c = Config();
  c.risk_recent_days = 0;
  EXPECT_EQ(Validate(c).field(), "risk.recent_days");
  std::string host;
  uint16_t port;
  ASSERT_TRUE(ParseListen("[::1]:8080", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 8080);
}

}  // namespace
TEST(ConfigTest, RiskWeightsComeFromTheConfiguration) {
  Config c;
  ASSERT_TRUE(ApplyToml("[risk]\ntier_black = 80\nrecent_days = 30\n", "file t.toml", &c).ok());
  ASSERT_TRUE(ApplySetting("risk.per_tenfold_loss_baht", "10", "env", &c).ok());
  ASSERT_TRUE(Validate(c).ok());
  const registry::RiskWeights w = RiskWeightsOf(c);
  EXPECT_EQ(w.tier_black, 80);
  EXPECT_EQ(w.recent_days, 30);
  EXPECT_EQ(w.per_tenfold_loss_baht, 10);
  EXPECT_EQ(w.tier_dark_grey, registry::RiskWeights{}.tier_dark_grey);
  registry::Entity e;
  e.tier = registry::Tier::kBlack;
  registry::ComputeRisk(w, 0, &e);
  EXPECT_EQ(e.risk_score, 80);
  EXPECT_EQ(ApplyToml("[risk]\ntier_purple = 1\n", "file t.toml", &c).field(), "risk.tier_purple");
}

}  // namespace cfr::cli
