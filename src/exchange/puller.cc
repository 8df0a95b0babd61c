#include "exchange/puller.h"

#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "auth/audit_scope.h"
#include "core/http_client.h"
#include "core/time.h"

namespace cfr::exchange {
namespace {

using nlohmann::json;

constexpr const char* kTaxiiAccept = "Accept: application/taxii+json;version=2.1";

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// "HTTP 401 (unauthorized: the key is not valid)" from a TAXII error body, or the status alone.
Status Refused(const std::string& what, const HttpResult& r) {
  std::string message = what + ": the partner answered HTTP " + std::to_string(r.status);
  const json j = json::parse(r.body, nullptr, false);
  if (j.is_object()) {
    const auto title = j.find("title");
    const auto description = j.find("description");
    if (title != j.end() && title->is_string()) message += " (" + title->get<std::string>();
    if (description != j.end() && description->is_string()) message += ": " + description->get<std::string>();
    if (title != j.end() && title->is_string()) message += ")";
  }
  return Unavailable(message);
}

}  // namespace

Result<TaxiiPullOutcome> PullCollection(const TaxiiSource& source,
                                        const std::function<Status(std::string_view envelope)>& on_page) {
  if (source.api_root.empty())
    return InvalidArgument("the partner's TAXII API root is required", "taxii_url");
  std::string root = source.api_root;
  if (root.back() != '/') root += '/';
  const std::vector<std::string> headers = {kTaxiiAccept, AuthorizationHeader(source.api_key)};
  TaxiiPullOutcome out;
  out.collection = source.collection;
  out.last_added = source.added_after;
  if (out.collection.empty()) {  // the partner's only collection for us
    CFR_ASSIGN_OR_RETURN(HttpResult r, HttpGetWith(root + "collections/", headers));
    if (r.status != 200) return Refused("listing collections", r);
    const json j = json::parse(r.body, nullptr, false);
    const json* list = nullptr;
    if (j.is_object() && j.contains("collections") && j["collections"].is_array()) list = &j["collections"];
    const size_t n = list == nullptr ? 0 : list->size();
    if (n != 1 || !(*list)[0].is_object() || !(*list)[0].contains("id") || !(*list)[0]["id"].is_string()) {
      return InvalidArgument("the partner offers " + std::to_string(n) + " collections; name the one to pull",
                             "taxii_collection");
    }
    out.collection = (*list)[0]["id"].get<std::string>();
  }
  const std::string base =
      root + "collections/" + UrlEncode(out.collection) +
      "/objects/?limit=" + std::to_string(source.page == 0 ? 1000 : source.page) +
      (source.added_after.empty() ? "" : "&added_after=" + UrlEncode(source.added_after));
  std::string next;
  for (;;) {
    // The same filter with every page, as TAXII 2.1 asks of a client using `next`.
    const std::string url = next.empty() ? base : base + "&next=" + UrlEncode(next);
    CFR_ASSIGN_OR_RETURN(HttpResult r, HttpGetWith(url, headers));
    if (r.status != 200) return Refused("page " + std::to_string(out.pages + 1), r);
    const json envelope = json::parse(r.body, nullptr, false);
    if (!envelope.is_object()) {
      return InvalidArgument("page " + std::to_string(out.pages + 1) + " is not a TAXII envelope", "body");
    }
    ++out.pages;
    const auto objects = envelope.find("objects");
    if (objects != envelope.end() && objects->is_array() && !objects->empty()) {
      CFR_RETURN_IF_ERROR(on_page(r.body));
      out.objects += objects->size();
      if (std::string last = r.Header("x-taxii-date-added-last"); !last.empty())
        out.last_added = std::move(last);
    }
    const auto more = envelope.find("more");
    const auto token = envelope.find("next");
    if (more == envelope.end() || !more->is_boolean() || !more->get<bool>()) break;
    if (token == envelope.end() || !token->is_string() || token->get<std::string>().empty()) break;
    if (token->get<std::string>() == next) {
      return InvalidArgument("the partner gave the same `next` twice", "next");  // never loop for ever
    }
    next = token->get<std::string>();
  }
  return out;
}

std::string PullReportJson(const PullReport& r) {
  json j = json::parse(ImportSummaryJson(r.imported));
  j["partner"] = r.partner;
  j["agreement"] = r.agreement;
  j["collection"] = r.collection;
  j["pages"] = r.pages;
  j["added_after"] = r.added_after.empty() ? json(nullptr) : json(r.added_after);
  j["next_added_after"] = r.next_added_after.empty() ? json(nullptr) : json(r.next_added_after);
  j["started_at"] = FormatRfc3339Millis(r.started_ms);
  j["finished_at"] = FormatRfc3339Millis(r.finished_ms);
  return Dump(j);
}

Puller::Puller(Exchange& exchange, store::Store& store, Clock& clock, size_t page)
    : exchange_(exchange), store_(store), clock_(clock), page_(page) {}

Result<PullReport> Puller::Pull(std::string_view partner_id, const Actor& by, bool from_start) {
  CFR_ASSIGN_OR_RETURN(const Partner partner, exchange_.GetPartner(partner_id));
  {
    std::lock_guard lock(mu_);
    if (!running_.insert(partner.id).second)
      return Conflict("a pull from " + partner.id + " is already running");
  }
  auto report = PullLocked(partner, by, from_start);
  if (!report.ok() && report.status().code() == StatusCode::kConflict) {  // the settings: say so
    PullReport failed;
    failed.partner = partner.id;
    failed.started_ms = failed.finished_ms = clock_.NowMillis();
    RecordState(partner.id, failed, report.status());
  }
  std::lock_guard lock(mu_);
  running_.erase(partner.id);
  return report;
}

Result<PullReport> Puller::PullLocked(const Partner& partner, const Actor& by, bool from_start) {
  if (partner.taxii_url.empty())
    return Conflict("partner " + partner.id + " has no TAXII API root to pull from", "taxii_url");
  auto key = exchange_.PartnerTaxiiKey(partner.id);
  if (!key.ok()) return Conflict(key.status().message(), "taxii_api_key");
  // The agreement the objects arrive under: the one named, else the partner's only active one.
  Agreement agreement;
  if (!partner.taxii_agreement.empty()) {
    CFR_ASSIGN_OR_RETURN(agreement, exchange_.GetAgreement(partner.taxii_agreement));
    if (agreement.partner != partner.id)
      return Conflict("agreement " + agreement.id + " is with another partner", "taxii_agreement");
  } else {
    CFR_ASSIGN_OR_RETURN(auto all, exchange_.Agreements(partner.id));
    std::vector<Agreement> active;
    for (auto& a : all) {
      if (a.active) active.push_back(std::move(a));
    }
    if (active.size() != 1) {
      return Conflict("partner " + partner.id + " has " + std::to_string(active.size()) +
                          " active agreements; name the one pulls import under",
                      "taxii_agreement");
    }
    agreement = std::move(active[0]);
  }
  if (!agreement.active) return Conflict("agreement " + agreement.id + " is not active", "taxii_agreement");

  PullReport report;
  report.partner = partner.id;
  report.agreement = agreement.id;
  report.started_ms = clock_.NowMillis();
  TaxiiSource source;
  source.api_root = partner.taxii_url;
  source.collection = partner.taxii_collection;
  source.api_key = std::move(*key);
  source.page = page_;
  if (!from_start) {
    CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kPullCollection, partner.id));
    if (rec) {
      const json state = json::parse(rec->value, nullptr, false);
      if (state.is_object() && state.contains("next_added_after") && state["next_added_after"].is_string())
        source.added_after = state["next_added_after"].get<std::string>();
    }
  }
  report.added_after = source.added_after;
  auto outcome = PullCollection(source, [&](std::string_view envelope) -> Status {
    CFR_ASSIGN_OR_RETURN(const ImportSummary s, exchange_.Import(agreement, envelope, by));
    ImportSummary& t = report.imported;
    t.objects += s.objects, t.added += s.added, t.updated += s.updated, t.unchanged += s.unchanged;
    t.indicators += s.indicators, t.entities += s.entities, t.raised += s.raised, t.kept += s.kept;
    t.pseudonyms_matched += s.pseudonyms_matched, t.pseudonyms_unmatched += s.pseudonyms_unmatched;
    return Status::Ok();
  });
  report.finished_ms = clock_.NowMillis();
  if (outcome.ok()) {
    report.collection = outcome->collection;
    report.pages = outcome->pages;
    report.next_added_after = outcome->last_added;
  } else {
    report.collection = source.collection;
    report.next_added_after = source.added_after;  // pages imported before the error come again: no harm
  }
  RecordState(partner.id, report, outcome.status());
  pulls_.fetch_add(1);
  if (!outcome.ok()) return outcome.status();
  return report;
}

void Puller::RecordState(std::string_view partner, const PullReport& report, const Status& outcome) {
  auto rec = store_.Get(kPullCollection, partner);
  json state = rec.ok() && *rec ? json::parse((*rec)->value, nullptr, false) : json::object();
  if (!state.is_object()) state = json::object();
  state["partner"] = partner;
  state["last_pull_at"] = FormatRfc3339Millis(report.started_ms);
  if (!report.agreement.empty()) {  // (a pull its settings stopped keeps where the last one ended)
    state["next_added_after"] =
        report.next_added_after.empty() ? json(nullptr) : json(report.next_added_after);
  }
  if (outcome.ok()) {
    state["last_success_at"] = FormatRfc3339Millis(report.finished_ms);
    state["last_result"] = json::parse(PullReportJson(report));
    state.erase("last_error");
  } else {
    state["last_error"] = json::parse(ErrorObjectJson(outcome));
  }
  auto saved = store_.Commit(store::WriteBatch().Put(kPullCollection, partner, Dump(state)));
  IgnoreError(saved.status());  // the pull's own outcome is what the caller sees; the state is advisory
}

Result<std::string> Puller::StateJson(std::string_view partner) {
  CFR_ASSIGN_OR_RETURN(auto p, exchange_.GetPartner(partner));
  (void)p;
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kPullCollection, partner));
  if (!rec) return std::string("{}");
  return rec->value;
}

std::vector<std::pair<std::string, Result<PullReport>>> Puller::PullAll() {
  std::vector<std::pair<std::string, Result<PullReport>>> out;
  auto partners = exchange_.Partners();
  if (!partners.ok()) {
    out.emplace_back("", partners.status());
    return out;
  }
  for (const Partner& p : *partners) {
    if (p.taxii_url.empty() || !p.taxii_api_key_set) continue;
    // What the pull writes is audited as the server's own scheduled work.
    auth::AuditScope scope({Actor::System(), "", "PULL " + p.taxii_url, "exchange/partners/" + p.id});
    out.emplace_back(p.id, Pull(p.id, Actor::System()));
  }
  return out;
}

}  // namespace cfr::exchange
