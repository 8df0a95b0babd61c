// cfr screen: asks a running server. Plain mode sends the values (POST /api/v1/screen); private
// mode normalises and hashes locally and sends only a short prefix of the keyed hash
// (GET /api/v1/screen/prefix/{hex}), so the server never learns what was screened.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "core/hex.h"
#include "core/http_client.h"
#include "core/text.h"
#include "ident/identifier.h"
#include "registry/screening_index.h"

namespace cfr::cli {
namespace {

using nlohmann::json;

std::string ServerError(const HttpResult& r) {
  const json j = json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("error"))
    return "HTTP " + std::to_string(r.status) + ": " + j["error"].value("message", "");
  return "HTTP " + std::to_string(r.status);
}

void PrintResult(const json& result, bool as_json) {
  if (as_json) {
    std::printf("%s\n", result.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
    return;
  }
  std::string reasons;
  for (const auto& r : result.value("reasons", json::array())) {
    if (!reasons.empty()) reasons += "; ";
    reasons += r.get<std::string>();
  }
  std::printf("%s\t%s\t%s\t%s\n", result.value("verdict", "").c_str(), result.value("kind", "").c_str(),
              result.value("canonical", "").c_str(), reasons.c_str());
}

int ScreenPlain(const ScreenArgs& args, const std::vector<std::string>& values) {
  json items = json::array();
  for (const std::string& v : values) {
    json item = {{"value", v}};
    if (!args.kind.empty()) item["kind"] = args.kind;
    if (!args.bank.empty()) item["bank"] = args.bank;
    items.push_back(item);
  }
  auto r =
      HttpPostJson(args.server + "/api/v1/screen",
                   json{{"items", items}}.dump(-1, ' ', false, json::error_handler_t::replace), args.api_key);
  if (!r.ok()) {
    std::fprintf(stderr, "cfr screen: %s\n", r.status().message().c_str());
    return kExitFailure;
  }
  if (r->status != 200) {
    std::fprintf(stderr, "cfr screen: the server refused: %s\n", ServerError(*r).c_str());
    return kExitFailure;
  }
  const json body = json::parse(r->body, nullptr, false);
  if (!body.is_object() || !body.contains("results") || body["results"].size() != values.size()) {
    std::fprintf(stderr, "cfr screen: unexpected answer from the server\n");
    return kExitFailure;
  }
  int failures = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const json& result = body["results"][i];
    if (result.contains("error")) {
      ++failures;
      std::fprintf(stderr, "cfr screen: %s: %s\n", QuoteForMessage(values[i], 80).c_str(),
                   result["error"].value("message", "").c_str());
      continue;
    }
    PrintResult(result, args.json);
  }
  return failures == 0 ? kExitOk : kExitFailure;
}

int ScreenPrivate(const ScreenArgs& args, const std::vector<std::string>& values) {
  std::string key_hex = args.key_hex;
  if (key_hex.empty()) {
    if (const char* env = std::getenv("CFR_SCREENING_PRIVATE_KEY")) key_hex = env;
  }
  if (key_hex.size() < 32 || key_hex.size() > 128 || key_hex.size() % 2 != 0 ||
      key_hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    std::fprintf(stderr,
                 "cfr screen --private: give the screening key (--key HEX or CFR_SCREENING_PRIVATE_KEY), "
                 "32 to 128 hex digits\n");
    return kExitUsage;
  }
  const std::string key = *HexDecode(key_hex);  // validated above
  const registry::PrivateScreeningIndex hasher(key);
  auto options = OptionsFromFlags("screen", args.kind, args.bank);
  if (!options) return kExitUsage;
  int failures = 0;
  for (const std::string& v : values) {
    auto id = ident::Normalize(v, *options);
    if (!id.ok()) {
      ++failures;
      std::fprintf(stderr, "cfr screen: %s: %s\n", QuoteForMessage(v, 80).c_str(),
                   id.status().message().c_str());
      continue;
    }
    const std::string full = registry::PrivateScreeningIndex::Hex(hasher.HashOf(id->kind, id->canonical));
    const std::string prefix = full.substr(0, static_cast<size_t>(args.prefix_length));
    auto r = HttpGet(args.server + "/api/v1/screen/prefix/" + prefix, args.api_key);
    if (!r.ok() || r->status != 200) {
      ++failures;
      std::fprintf(stderr, "cfr screen: %s\n",
                   r.ok() ? ServerError(*r).c_str() : r.status().message().c_str());
      continue;
    }
    const json body = json::parse(r->body, nullptr, false);
    std::string verdict = "none";
    size_t candidates = 0;
    for (const auto& m : body.value("matches", json::array())) {
      ++candidates;
      if (m.value("hash", "") == full) verdict = m.value("verdict", "none");
    }
    const json result = {{"verdict", verdict},
                         {"kind", ident::KindName(id->kind)},
                         {"canonical", id->canonical},
                         {"reasons", json::array({"private check: sent prefix " + prefix + ", " +
                                                  std::to_string(candidates) + " candidate hashes"})}};
    PrintResult(result, args.json);
  }
  return failures == 0 ? kExitOk : kExitFailure;
}

}  // namespace

int RunScreen(const ScreenArgs& args) {
  const std::vector<std::string> values = ReadValues(args.values);
  if (values.empty()) {
    std::fprintf(stderr, "cfr screen: give at least one VALUE (or - to read lines from stdin)\n");
    return kExitUsage;
  }
  if (values.size() > 10000) {
    std::fprintf(stderr, "cfr screen: at most 10000 values per call\n");
    return kExitUsage;
  }
  return args.is_private ? ScreenPrivate(args, values) : ScreenPlain(args, values);
}

}  // namespace cfr::cli
