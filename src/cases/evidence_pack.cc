#include "cases/evidence_pack.h"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>
#include <set>

#include "auth/audit.h"
#include "core/hex.h"
#include "core/time.h"
#include "trail/trail.h"

namespace cfr::cases {
namespace {

using nlohmann::json;

constexpr size_t kAuditScanLimit = 200000;  // newest entries examined for the case's audit trail

std::string Html(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Baht(int64_t satang) {
  std::string digits = std::to_string(satang / 100);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%02lld", static_cast<long long>(satang % 100));
  return "THB " + grouped + frac;
}

std::string Dump(const json& j) { return j.dump(2, ' ', false, json::error_handler_t::replace); }

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(out), len));
}

Result<EvidencePack> BuildEvidencePack(const EvidenceSources& src, std::string_view case_id,
                                       const Actor& by) {
  const int64_t now = src.clock->NowMillis();
  CFR_ASSIGN_OR_RETURN(std::string case_text, src.cases->View(case_id));
  const json c = json::parse(case_text);

  // Reports, with their victims (an audited read of personal data), and what they name.
  json reports = json::array();
  std::set<std::string> touched = {"case/" + std::string(case_id)};
  std::vector<std::pair<ident::Kind, std::string>> identifiers;
  std::set<std::string> seen_ids;
  json trails = json::array();
  for (const auto& rid_json : c.value("report_ids", json::array())) {
    const std::string rid = rid_json.get<std::string>();
    touched.insert("report/" + rid);
    CFR_ASSIGN_OR_RETURN(std::string report_text, src.intake->ReportJson(rid));
    json r = json::parse(report_text, nullptr, false);
    auto victim = src.intake->VictimJson(rid);
    r["victim_personal_data"] = victim.ok() ? json::parse(*victim, nullptr, false) : json(nullptr);
    auto note = [&](const json& id) {
      if (!id.is_object()) return;
      auto kind = ident::ParseKind(id.value("kind", ""));
      const std::string canonical = id.value("canonical", "");
      if (kind.ok() && seen_ids.insert(id.value("kind", "") + ":" + canonical).second) {
        identifiers.emplace_back(*kind, canonical);
      }
    };
    std::vector<trail::Seed> seeds;
    for (const auto& t : r.value("loss_transfers", json::array())) {
      note(t.value("to", json()));
      if (t.value("to", json()).value("kind", "") == "bank_account") {
        auto at = ParseRfc3339(t.value("at", ""));
        seeds.push_back(
            {t["to"].value("canonical", ""), t.value("amount_satang", int64_t{0}), at.ok() ? *at : 0});
      }
    }
    for (const auto& s : r.value("scammer_identifiers", json::array())) note(s);
    if (src.graph != nullptr && !seeds.empty()) {
      trail::Options o;
      o.transfer_ids = false;
      auto traced = trail::TraceForward(*src.graph, seeds, o);
      if (traced.ok()) {
        json holdings = json::array(), exits = json::array();
        for (const auto& h : traced->holdings) {
          holdings.push_back({{"account", h.account}, {"amount_satang", h.amount_satang}, {"hops", h.hops}});
        }
        for (const auto& e : traced->exits)
          exits.push_back({{"exit", e.exit}, {"amount_satang", e.amount_satang}});
        trails.push_back({{"report_id", rid},
                          {"rule", "fifo"},
                          {"seeded_satang", traced->seeded},
                          {"held_satang", traced->held},
                          {"exited_satang", traced->exited},
                          {"untraced_satang", traced->untraced},
                          {"holdings", holdings},
                          {"exits", exits}});
      }
    }
    reports.push_back(std::move(r));
  }

  json entities = json::array();
  for (const auto& [kind, canonical] : identifiers) {
    CFR_ASSIGN_OR_RETURN(auto rec,
                         src.store->Get(registry::kEntityCollection, registry::EntityKey(kind, canonical)));
    if (rec) entities.push_back(json::parse(rec->value, nullptr, false));
  }

  json orders = json::array();
  OrderFilter f;
  f.case_id = std::string(case_id);
  f.limit = 1000;
  CFR_ASSIGN_OR_RETURN(auto page, src.orders->List(f));
  for (const Order& o : page.orders) {
    touched.insert("order/" + o.id);
    orders.push_back(json::parse(OrderJson(o)));
  }

  // The audit entries that touched the case, its reports or its orders (newest part of the log).
  json audit = json::array();
  std::string head_hash;
  if (src.raw_store != nullptr) {
    CFR_ASSIGN_OR_RETURN(auto head, src.raw_store->Get(auth::kAuditHeadCollection, "head"));
    uint64_t last = 0;
    if (head) {
      const json h = json::parse(head->value, nullptr, false);
      last = h.value("n", uint64_t{0});
      head_hash = h.value("hash", "");
    }
    store::ScanOptions o;
    o.start_after = last > kAuditScanLimit ? auth::AuditKey(last - kAuditScanLimit) : std::string();
    o.limit = 5000;
    for (;;) {
      CFR_ASSIGN_OR_RETURN(auto recs, src.raw_store->Scan(auth::kAuditCollection, o));
      for (const auto& r : recs) {
        auto parsed = auth::ParseAuditRecord(r.key, r.value);
        if (!parsed) continue;
        json e = json::parse(parsed->json, nullptr, false);
        bool relevant = false;
        for (const auto& rec : e.value("records", json::array())) {
          const std::string s = rec.is_string() ? rec.get<std::string>() : "";
          for (const auto& t : touched) relevant = relevant || s.rfind(t, 0) == 0;
        }
        if (!relevant) continue;
        e["n"] = parsed->n;
        e["hash_prev"] = parsed->hash_prev;
        audit.push_back(std::move(e));
      }
      if (recs.size() < o.limit) break;
      o.start_after = recs.back().key;
    }
  }

  // The printable summary.
  std::string html = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Evidence pack " +
                     Html(case_id) +
                     "</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:"
                     "collapse}td,th{border:1px solid #999;padding:4px 8px;text-align:left}</style><body>";
  html += "<h1>OpenCFR evidence pack: case " + Html(case_id) + "</h1>";
  html += "<p>Generated " + Html(FormatRfc3339Millis(now)) + " by " + Html(by.user) + " (" + Html(by.agency) +
          "). Status: <b>" + Html(c.value("status", "")) +
          "</b>. Total loss: " + Html(Baht(c.value("total_loss_satang", int64_t{0}))) +
          "; held by banks: " + Html(Baht(c.value("held_satang", int64_t{0}))) + ".</p>";
  html +=
      "<h2>Reports</h2><table><tr><th>Report</th><th>Received</th><th>Scam "
      "type</th><th>Victim</th><th>Loss</th></tr>";
  for (const auto& r : reports) {
    const json& v = r["victim_personal_data"];
    html += "<tr><td>" + Html(r.value("id", "")) + "</td><td>" + Html(r.value("saved_at", "")) + "</td><td>" +
            Html(r.value("scam_type", "")) + "</td><td>" + Html(v.is_object() ? v.value("name", "") : "") +
            "</td><td>" + Html(Baht(r.value("total_loss_satang", int64_t{0}))) + "</td></tr>";
  }
  html +=
      "</table><h2>Orders</h2><table><tr><th>Order</th><th>Kind</th><th>To</th><th>Target</th><th>Status</th>"
      "<th>Asked</th><th>Held</th><th>Expires</th></tr>";
  for (const auto& o : orders) {
    html += "<tr><td>" + Html(o.value("id", "")) + "</td><td>" + Html(o.value("kind", "")) + "</td><td>" +
            Html(o.value("addressee", "")) + "</td><td>" + Html(o["target"].value("display", "")) +
            "</td><td>" + Html(o.value("status", "")) + "</td><td>" +
            Html(Baht(o.value("amount_satang", int64_t{0}))) + "</td><td>" +
            Html(Baht(o.value("held_satang", int64_t{0}))) + "</td><td>" +
            Html(o["expires_at"].is_string() ? o["expires_at"].get<std::string>() : "") + "</td></tr>";
  }
  html += "</table><h2>Identifiers</h2><ul>";
  for (const auto& e : entities) {
    html += "<li>" + Html(e.value("display", e.value("canonical", ""))) + " — tier " +
            Html(e.value("tier", "")) + ", " + std::to_string(e.value("reports", 0)) + " reports</li>";
  }
  html += "</ul><h2>Timeline</h2><ul>";
  for (const auto& t : c.value("timeline", json::array())) {
    html += "<li>" + Html(t.value("at", "")) + " " + Html(t.value("event", "")) + " (" +
            Html(t.value("by", "")) + ") " + Html(t.value("note", "")) + "</li>";
  }
  html += "</ul><p>" + std::to_string(audit.size()) +
          " audit entries are in audit.json. Every file of this pack is listed with its SHA-256 in "
          "manifest.json.</p></body></html>";

  EvidencePack pack;
  auto add = [&pack](std::string name, std::string content) {
    const std::string hash = Sha256Hex(content);
    pack.files.push_back({std::move(name), std::move(content), hash});
  };
  add("case.json", Dump(c));
  add("reports.json", Dump(reports));
  add("entities.json", Dump(entities));
  add("orders.json", Dump(orders));
  add("trails.json", Dump(trails));
  add("audit.json", Dump(audit));
  if (src.attachments) {
    CFR_ASSIGN_OR_RETURN(auto attached, src.attachments(case_id));
    for (auto& [name, content] : attached) add(std::move(name), std::move(content));
  }
  add("case.html", html);
  json manifest_files = json::array();
  for (const auto& file : pack.files) {
    manifest_files.push_back({{"name", file.name}, {"bytes", file.content.size()}, {"sha256", file.sha256}});
  }
  const json manifest = {{"case_id", case_id},
                         {"generated_at", FormatRfc3339Millis(now)},
                         {"generated_by", {{"user", by.user}, {"agency", by.agency}, {"role", by.role}}},
                         {"audit_head_hash", head_hash.empty() ? json(nullptr) : json(head_hash)},
                         {"files", manifest_files}};
  add("manifest.json", Dump(manifest));
  return pack;
}

}  // namespace cfr::cases
