// cfr exchange: the cross-border exchange through a running server's API (C9).
//   cfr exchange export (--agreement A | --partner P) [--since T] > bundle.json
//   cfr exchange import FILE (--agreement A | --partner P)
//   cfr exchange add-partner --id KH-NPA --name … --country KH [--contact …] [--taxii-url …]
//                            [--taxii-collection ID] [--taxii-agreement A] [--taxii-api-key K]
//   cfr exchange add-agreement --id th-kh --partner KH-NPA --kinds phone,bank_account [--tiers …]
//                              [--tlp amber] [--pseudonymise] [--partner-may-push] [--key HEX]
//   cfr exchange list
//   cfr exchange pull --partner P [--from-start]
//     the server pulls the partner's collection with the settings and credential stored with it
//   cfr exchange pull --from URL [--collection ID] --remote-api-key K [--added-after T]
//                     (--agreement A | --partner P)
//     this command is the TAXII 2.1 client: it pages the partner's collection and imports each
//     page through our server
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "core/http_client.h"
#include "exchange/puller.h"

namespace cfr::cli {
namespace {

using nlohmann::json;

// Prints the server's error ("field: message") and returns the exit code: 2 for a request the
// server refused as invalid, 1 otherwise.
int Refused(const char* cmd, const HttpResult& r) {
  const json j = json::parse(r.body, nullptr, false);
  std::string message = r.body.substr(0, 500);
  std::string field;
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    message = j["error"].value("message", message);
    field = j["error"].value("field", "");
  }
  std::fprintf(stderr, "%s: HTTP %ld: %s%s%s\n", cmd, r.status, field.c_str(), field.empty() ? "" : ": ",
               message.c_str());
  return r.status == 400 || r.status == 404 || r.status == 409 ? kExitUsage : kExitFailure;
}

bool NeedKey(const char* cmd, const ExchangeArgs& a) {
  if (!a.api_key.empty()) return true;
  std::fprintf(stderr, "%s: needs --api-key KEY (or CFR_API_KEY): an administrator's key of the centre\n",
               cmd);
  return false;
}

// The agreement named, or the partner's only active one.
Result<std::string> AgreementOf(const ExchangeArgs& a) {
  if (!a.agreement.empty()) return a.agreement;
  if (a.partner.empty())
    return InvalidArgument("name the agreement (--agreement) or the partner (--partner)");
  CFR_ASSIGN_OR_RETURN(
      auto r, HttpGet(a.server + "/api/v1/exchange/agreements?partner=" + UrlEncode(a.partner), a.api_key));
  if (r.status != 200)
    return Unavailable("listing agreements: HTTP " + std::to_string(r.status) + " " + r.body);
  std::vector<std::string> active;
  for (const auto& item : json::parse(r.body, nullptr, false).value("items", json::array())) {
    if (item.value("active", false)) active.push_back(item.value("id", ""));
  }
  if (active.size() == 1) return active.front();
  return InvalidArgument("partner " + a.partner + " has " + std::to_string(active.size()) +
                         " active agreements; name one with --agreement");
}

// Prints a successful answer's body (exit 0), or what went wrong.
int Answer(const char* cmd, const Result<HttpResult>& r, long expected) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, r.status().message().c_str());
    return kExitFailure;
  }
  if (r->status != expected) return Refused(cmd, *r);
  std::printf("%s\n", r->body.c_str());
  return kExitOk;
}

std::string JoinedList(const std::vector<std::string>& items) {
  json out = json::array();
  for (const auto& item : items) {
    std::stringstream ss(item);
    std::string part;
    while (std::getline(ss, part, ',')) {
      if (!part.empty()) out.push_back(part);
    }
  }
  return out.dump();
}

}  // namespace

int RunExchangeExport(const ExchangeArgs& a) {
  const char* cmd = "cfr exchange export";
  if (!NeedKey(cmd, a)) return kExitUsage;
  auto id = AgreementOf(a);
  if (!id.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, id.status().message().c_str());
    return id.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  std::string url = a.server + "/api/v1/exchange/agreements/" + UrlEncode(*id) + "/bundle";
  if (!a.since.empty()) url += "?since=" + UrlEncode(a.since);
  auto r = HttpGet(url, a.api_key);
  if (!r.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, r.status().message().c_str());
    return kExitFailure;
  }
  if (r->status != 200) return Refused(cmd, *r);
  std::fwrite(r->body.data(), 1, r->body.size(), stdout);
  std::fputc('\n', stdout);
  const json b = json::parse(r->body, nullptr, false);
  std::fprintf(stderr, "%s: agreement %s: %zu STIX objects\n", cmd, id->c_str(),
               b.is_object() ? b.value("objects", json::array()).size() : size_t{0});
  return kExitOk;
}

int RunExchangeImport(const ExchangeArgs& a) {
  const char* cmd = "cfr exchange import";
  if (!NeedKey(cmd, a)) return kExitUsage;
  std::ifstream in(a.file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "%s: cannot read %s\n", cmd, a.file.c_str());
    return kExitUsage;
  }
  std::stringstream body;
  body << in.rdbuf();
  auto id = AgreementOf(a);
  if (!id.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, id.status().message().c_str());
    return id.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  return Answer(cmd,
                HttpPost(a.server + "/api/v1/exchange/agreements/" + UrlEncode(*id) + "/import", body.str(),
                         {"Content-Type: application/stix+json;version=2.1", AuthorizationHeader(a.api_key)}),
                200);
}

int RunExchangeAddPartner(const ExchangeArgs& a) {
  const char* cmd = "cfr exchange add-partner";
  if (!NeedKey(cmd, a)) return kExitUsage;
  json body = {{"name", a.name}, {"country", a.country}};
  if (!a.contact.empty()) body["contact"] = a.contact;
  if (!a.taxii_url.empty()) body["taxii_url"] = a.taxii_url;
  if (!a.taxii_collection.empty()) body["taxii_collection"] = a.taxii_collection;
  if (!a.taxii_agreement.empty()) body["taxii_agreement"] = a.taxii_agreement;
  if (!a.remote_api_key.empty()) body["taxii_api_key"] = a.remote_api_key;  // kept sealed, never shown
  return Answer(
      cmd, HttpPutJson(a.server + "/api/v1/exchange/partners/" + UrlEncode(a.id), body.dump(), a.api_key),
      200);
}

int RunExchangeAddAgreement(const ExchangeArgs& a) {
  const char* cmd = "cfr exchange add-agreement";
  if (!NeedKey(cmd, a)) return kExitUsage;
  json body = {{"id", a.id},   {"partner", a.partner},           {"kinds", json::parse(JoinedList(a.kinds))},
               {"tlp", a.tlp}, {"pseudonymise", a.pseudonymise}, {"partner_may_push", a.partner_may_push}};
  if (!a.tiers.empty()) body["tiers"] = json::parse(JoinedList(a.tiers));
  if (!a.key.empty()) body["key"] = a.key;
  const int code =
      Answer(cmd, HttpPostJson(a.server + "/api/v1/exchange/agreements", body.dump(), a.api_key), 201);
  if (code == kExitOk)
    std::fprintf(stderr, "%s: the key above is shown once: hand it to the partner's centre out of band\n",
                 cmd);
  return code;
}

int RunExchangeList(const ExchangeArgs& a) {
  const char* cmd = "cfr exchange list";
  if (!NeedKey(cmd, a)) return kExitUsage;
  for (const char* what : {"partners", "agreements"}) {
    auto r = HttpGet(a.server + "/api/v1/exchange/" + what, a.api_key);
    if (!r.ok()) {
      std::fprintf(stderr, "%s: %s\n", cmd, r.status().message().c_str());
      return kExitFailure;
    }
    if (r->status != 200) return Refused(cmd, *r);
    for (const auto& item : json::parse(r->body, nullptr, false).value("items", json::array())) {
      if (std::string(what) == "partners") {
        std::printf("partner\t%s\t%s\t%s\n", item.value("id", "").c_str(), item.value("country", "").c_str(),
                    item.value("name", "").c_str());
      } else {
        std::printf("agreement\t%s\t%s\t%s\t%s\t%s\n", item.value("id", "").c_str(),
                    item.value("partner", "").c_str(), item.value("tlp", "").c_str(),
                    item.value("pseudonymise", false) ? "pseudonymised" : "clear",
                    item.value("active", false) ? "active" : "inactive");
      }
    }
  }
  return kExitOk;
}

int RunExchangePull(const ExchangeArgs& a) {
  const char* cmd = "cfr exchange pull";
  if (!NeedKey(cmd, a)) return kExitUsage;
  if (a.from.empty()) {  // the server pulls, with the partner's stored settings and credential
    if (a.partner.empty()) {
      std::fprintf(stderr, "%s: name the partner (--partner), or give --from for a pull by this command\n",
                   cmd);
      return kExitUsage;
    }
    const json body = {{"from_start", a.from_start}};
    return Answer(cmd,
                  HttpPostJson(a.server + "/api/v1/exchange/partners/" + UrlEncode(a.partner) + "/pull",
                               body.dump(), a.api_key),
                  200);
  }
  if (a.remote_api_key.empty()) {
    std::fprintf(stderr, "%s: --from needs --remote-api-key (the key the partner gave us)\n", cmd);
    return kExitUsage;
  }
  auto id = AgreementOf(a);
  if (!id.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, id.status().message().c_str());
    return id.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  const std::string local = a.server + "/api/v1/exchange/agreements/" + UrlEncode(*id) + "/import";
  exchange::TaxiiSource source;
  source.api_root = a.from;
  source.collection = a.collection;
  source.api_key = a.remote_api_key;
  source.added_after = a.added_after;
  source.page = a.page;
  json total = json::object();
  int refused = kExitOk;
  // Each page as received goes to our server's import (an envelope is imported as a bundle is).
  auto outcome = exchange::PullCollection(source, [&](std::string_view envelope) -> Status {
    CFR_ASSIGN_OR_RETURN(HttpResult imported, HttpPost(local, std::string(envelope),
                                                       {"Content-Type: application/stix+json;version=2.1",
                                                        AuthorizationHeader(a.api_key)}));
    if (imported.status != 200) {
      refused = Refused(cmd, imported);
      return Unavailable("our server refused a page");
    }
    const json summary = json::parse(imported.body, nullptr, false);  // (items() must not outlive it)
    for (const auto& [k, v] : summary.items()) {
      if (v.is_number_integer()) total[k] = total.value(k, int64_t{0}) + v.get<int64_t>();
    }
    return Status::Ok();
  });
  if (refused != kExitOk) return refused;
  if (!outcome.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, outcome.status().message().c_str());
    return outcome.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  total["collection"] = outcome->collection;
  total["pages"] = outcome->pages;
  total["next_added_after"] = outcome->last_added.empty() ? json(nullptr) : json(outcome->last_added);
  std::printf("%s\n", total.dump().c_str());
  return kExitOk;
}

}  // namespace cfr::cli
