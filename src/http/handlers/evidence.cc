// Falsified evidence (C15): uploaded files, slip verification, reuse.
//   POST /api/v1/evidence[?report_id=|case_id=]   the file as the body (PNG, JPEG, WebP, PDF; the
//                                                 type from its content): stored once by SHA-256,
//                                                 linked; answers what was read from it (centre, banks)
//   GET  /api/v1/evidence/{sha256}                its metadata, links, slip check, PromptPay QRs,
//                                                 reuse elsewhere (centre; a bank: its own uploads)
//   GET  /api/v1/evidence/{sha256}/file           the file itself (audited)
//   POST /api/v1/evidence/{sha256}/links          {"report_id"} or {"case_id"} (centre)
//   GET  /api/v1/reports/{id}/evidence, GET /api/v1/cases/{id}/evidence   the files of a report or
//                                                 case with their reuse (centre)
//   POST /api/v1/slips/verify                     a slip checked against the ledger: JSON {"payload"
//                                                 | "evidence_sha256", "report_id", "claimed"}, or a
//                                                 picture as the body with claims in the query.
//                                                 Everyone; the public: rate-limited, verdict only
#include <chrono>
#include <nlohmann/json.hpp>

#include "auth/access.h"
#include "auth/roles.h"
#include "core/time.h"
#include "evidence/evidence.h"
#include "evidence/verify.h"
#include "http/api.h"
#include "http/error_mapping.h"
#include "http/json_body.h"
#include "http/multipart.h"
#include "ident/identifier.h"
#include "intake/intake.h"
#include "store/change_follower.h"

namespace cfr::http {
namespace {

using nlohmann::json;

constexpr auth::RoleSet kUploaders = auth::kCentre | auth::RoleSet{auth::Role::kBank};

bool IsCentre(const ApiContext& ctx, const Actor& a) {
  if (a.role == "operator" || a.role == "analyst" || a.role == "police") return true;
  return a.role == "admin" && (ctx.access == nullptr || a.agency == ctx.access->centre_agency());
}

void AwaitIndexes(ApiContext& ctx) {
  if (ctx.follower != nullptr && ctx.store != nullptr) {
    ctx.follower->WaitForApplied(ctx.store->LastSeq(), std::chrono::seconds(1));
  }
}

// What the report says of the transfer the slip shows: its loss transfer with the slip's bank
// reference, else each of its loss transfers (the slip must agree with one of them).
std::vector<evidence::SlipClaims> ClaimsFromReport(const json& report,
                                                   const std::optional<evidence::SlipQr>& slip) {
  std::vector<evidence::SlipClaims> out;
  if (!report.is_object() || !report.contains("loss_transfers") || !report["loss_transfers"].is_array())
    return out;
  auto claims_of = [](const json& t) {
    evidence::SlipClaims c;
    if (t.contains("amount_satang") && t["amount_satang"].is_number_integer()) {
      c.amount_satang = t["amount_satang"].get<int64_t>();
    }
    if (auto at = ParseRfc3339(t.value("at", "")); at.ok()) c.at_ms = *at;
    const json& to = t.contains("to") ? t["to"] : json();
    if (to.is_object() && to.value("kind", "") == "bank_account") c.to_account = to.value("canonical", "");
    return c;
  };
  for (const json& t : report["loss_transfers"]) {
    if (slip && !t.value("bank_reference", "").empty() && t.value("bank_reference", "") == slip->trans_ref) {
      return {claims_of(t)};
    }
  }
  for (const json& t : report["loss_transfers"]) out.push_back(claims_of(t));
  return out;
}

std::optional<evidence::SlipQr> SlipOf(const std::vector<std::string>& qr) {
  if (std::string first = evidence::FirstSlipQr(qr); !first.empty()) {
    if (auto s = evidence::ParseSlipQr(first); s.ok()) return *s;
  }
  return std::nullopt;
}

// The slip checked against the report's loss transfers, each with the `given` claims put over it:
// verified when it agrees with one of them, else the mismatch with the fewest differences.
Result<evidence::SlipCheck> CheckSlip(ApiContext& ctx, const std::vector<std::string>& qr, const json& report,
                                      const evidence::SlipClaims& given) {
  std::vector<evidence::SlipClaims> candidates = ClaimsFromReport(report, SlipOf(qr));
  if (candidates.empty()) candidates.push_back({});
  std::optional<evidence::SlipCheck> best;
  for (evidence::SlipClaims c : candidates) {
    if (given.amount_satang) c.amount_satang = given.amount_satang;
    if (given.at_ms) c.at_ms = given.at_ms;
    if (given.from_account) c.from_account = given.from_account;
    if (given.to_account) c.to_account = given.to_account;
    CFR_ASSIGN_OR_RETURN(evidence::SlipCheck check, evidence::VerifySlip(qr, c, *ctx.graph));
    if (!best || check.differences.size() < best->differences.size()) best = std::move(check);
    if (best->status != "mismatch") break;
  }
  return std::move(*best);
}

Result<std::optional<std::string>> AccountClaim(const json& claimed, const char* key) {
  if (!claimed.contains(key) || claimed[key].is_null()) return std::optional<std::string>();
  const std::string path = std::string("claimed.") + key;
  const json& a = claimed[key];
  if (!a.is_object()) return InvalidArgument("must be an object {\"bank\", \"account\"}", path);
  CFR_RETURN_IF_ERROR(RejectUnknownFields(a, {"bank", "account"}, path));
  CFR_ASSIGN_OR_RETURN(auto bank, OptionalString(a, "bank", path));
  CFR_ASSIGN_OR_RETURN(auto account, OptionalString(a, "account", path));
  if (!account) return InvalidArgument("is required", path + ".account");
  auto id = ident::NormalizeBankAccount(*account, bank ? *bank : "");
  if (!id.ok()) return id.status().WithFieldPrefix(path);
  return std::optional<std::string>(id->canonical);
}

Result<evidence::SlipClaims> ClaimsFromJson(const json& claimed) {
  evidence::SlipClaims c;
  if (claimed.is_null()) return c;
  if (!claimed.is_object()) return InvalidArgument("must be an object", "claimed");
  CFR_RETURN_IF_ERROR(RejectUnknownFields(claimed, {"amount_satang", "at", "from", "to"}, "claimed"));
  if (claimed.contains("amount_satang") && !claimed["amount_satang"].is_null()) {
    const json& a = claimed["amount_satang"];
    if (!a.is_number_integer() || a.get<int64_t>() <= 0) {
      return InvalidArgument("must be a positive integer number of satang", "claimed.amount_satang");
    }
    c.amount_satang = a.get<int64_t>();
  }
  CFR_ASSIGN_OR_RETURN(auto at, OptionalString(claimed, "at", "claimed"));
  if (at) {
    auto ms = ParseRfc3339(*at);
    if (!ms.ok()) return InvalidArgument("must be an RFC 3339 time", "claimed.at");
    c.at_ms = *ms;
  }
  CFR_ASSIGN_OR_RETURN(c.from_account, AccountClaim(claimed, "from"));
  CFR_ASSIGN_OR_RETURN(c.to_account, AccountClaim(claimed, "to"));
  return c;
}

// Claims given with a picture sent as the body (in the query or the form): amount_satang, at,
// to_bank + to_account.
Result<evidence::SlipClaims> ClaimsFromFields(
    const std::vector<std::pair<std::string, std::string>>& fields) {
  json claimed = json::object();
  for (const auto& [name, value] : fields) {
    if (name == "amount_satang") {
      if (value.empty() || value.size() > 12 || value.find_first_not_of("0123456789") != std::string::npos) {
        return InvalidArgument("must be a positive integer number of satang", "amount_satang");
      }
      claimed["amount_satang"] = std::stoll(value);
    } else if (name == "at") {
      claimed["at"] = value;
    } else if (name == "to_bank") {
      claimed["to"]["bank"] = value;
    } else if (name == "to_account") {
      claimed["to"]["account"] = value;
    } else {
      return InvalidArgument("unknown query parameter (amount_satang, at, to_bank, to_account)", name);
    }
  }
  auto c = ClaimsFromJson(claimed);
  if (!c.ok()) {
    Status s = c.status();
    std::string f = s.field();
    if (f.starts_with("claimed.")) f = f.substr(8);
    if (f == "to.account") f = "to_account";
    if (f == "to.bank") f = "to_bank";
    return s.WithField(f);
  }
  return c;
}

// The file of an upload — the body itself, or the "file" part of a multipart/form-data body (an
// HTML form, `curl -F file=@slip.png`) — and the form's other fields with the query's parameters.
struct UploadBody {
  std::string_view file;
  std::vector<std::pair<std::string, std::string>> fields;
};
Result<UploadBody> UploadOf(const HttpRequest& request) {
  UploadBody up;
  up.fields = request.query;
  if (!IsMultipartForm(request.Header("content-type"))) {
    up.file = request.body;
    return up;
  }
  CFR_ASSIGN_OR_RETURN(std::vector<FormPart> parts,
                       ParseMultipartForm(request.body, request.Header("content-type")));
  bool found = false;
  for (const FormPart& p : parts) {
    if (p.name == "file") {
      if (found) return InvalidArgument("more than one file part", "file");
      up.file = p.data;
      found = true;
    } else if (p.filename.empty()) {
      up.fields.emplace_back(p.name, std::string(p.data));
    } else {
      return InvalidArgument("a file part must be named \"file\"", p.name);
    }
  }
  if (!found) return InvalidArgument("the form has no part named \"file\"", "file");
  return up;
}

bool IsFileBody(const HttpRequest& request) {
  const std::string_view type = request.Header("content-type");
  return !type.starts_with("application/json");
}

json LinksJson(const std::vector<std::string>& targets) {
  json reports = json::array(), cases = json::array();
  for (const auto& t : targets) {
    if (t.starts_with("report:")) reports.push_back(t.substr(7));
    if (t.starts_with("case:")) cases.push_back(t.substr(5));
  }
  return {{"report_ids", reports}, {"case_ids", cases}};
}

// Where else a picture is used: the centre sees the reports and cases, a bank only how many.
json ReuseJson(const std::vector<evidence::EvidenceIndex::Reuse>& reuse, bool centre) {
  json out = json::array();
  for (const auto& r : reuse) {
    json j = {{"sha256", r.sha256}, {"match", r.match}, {"distance", r.distance}};
    if (centre) {
      j.update(LinksJson(r.targets));
    } else {
      j["used_elsewhere"] = r.targets.size();
    }
    out.push_back(std::move(j));
  }
  return out;
}

// Everything the API says of one file: the record (EXIF only to the centre), links, the slip
// check (claims from `report` when given), the PromptPay QRs screened, and reuse elsewhere.
Result<json> FileView(ApiContext& ctx, const evidence::EvidenceRecord& r, const Actor& caller,
                      const json& report) {
  const bool centre = IsCentre(ctx, caller);
  json j = json::parse(evidence::RecordJson(r));
  if (!centre) j.erase("exif");
  j.erase("phash");
  const std::vector<std::string> targets = ctx.evidence_index->TargetsOf(r.sha256);
  if (centre) j["links"] = LinksJson(targets);
  CFR_ASSIGN_OR_RETURN(evidence::SlipCheck check, CheckSlip(ctx, r.qr, report, {}));
  j["slip"] = json::parse(evidence::SlipCheckJson(check, centre));
  json payment = json::array();
  for (const auto& q : evidence::ScreenPaymentQrs(r.qr, *ctx.screening)) {
    payment.push_back(json::parse(evidence::PaymentQrJson(q, centre)));
  }
  j["payment_qr"] = payment;
  j["reuse"] = ReuseJson(ctx.evidence_index->ReuseOf(r.sha256, targets), centre);
  return j;
}

Result<json> ReportOf(ApiContext& ctx, std::string_view report_id) {
  if (report_id.empty()) return json();
  CFR_ASSIGN_OR_RETURN(std::string text, ctx.intake->ReportJson(report_id));
  return json::parse(text, nullptr, false);
}

HttpResponse Upload(ApiContext& ctx, const HttpRequest& request) {
  auto body = UploadOf(request);
  if (!body.ok()) return ErrorResponse(body.status());
  std::string report_id, case_id;
  for (const auto& [name, value] : body->fields) {
    if (name == "report_id") {
      report_id = value;
    } else if (name == "case_id") {
      case_id = value;
    } else {
      return ErrorResponse(InvalidArgument("unknown query parameter (report_id, case_id)", name));
    }
  }
  if (!IsCentre(ctx, request.caller) && !case_id.empty()) {
    return ErrorResponse(PermissionDenied("only the centre links files to cases").WithField("case_id"));
  }
  auto up = ctx.evidence->Add(body->file, report_id, case_id, request.caller);
  if (!up.ok()) return ErrorResponse(up.status());
  AwaitIndexes(ctx);
  auto report = ReportOf(ctx, report_id);
  if (!report.ok()) return ErrorResponse(report.status());
  auto view = FileView(ctx, up->record, request.caller, *report);
  if (!view.ok()) return ErrorResponse(view.status());
  (*view)["created"] = up->created;
  return HttpResponse::Json(up->created ? 201 : 200, Dump(*view));
}

// The record, if the caller may see it: the centre, or the agency that uploaded it (404 for
// others: not even its existence is told).
Result<evidence::EvidenceRecord> Visible(ApiContext& ctx, const HttpRequest& request) {
  auto r = ctx.evidence->Get(request.PathParam("sha256"));
  if (!r.ok()) return r.status();
  if (!IsCentre(ctx, request.caller) && r->uploaded_by_agency != request.caller.agency) {
    return NotFound("no evidence file " + std::string(request.PathParam("sha256")));
  }
  return r;
}

HttpResponse GetEvidence(ApiContext& ctx, const HttpRequest& request) {
  auto r = Visible(ctx, request);
  if (!r.ok()) return ErrorResponse(r.status());
  std::string report_id;
  for (const auto& t : ctx.evidence_index->TargetsOf(r->sha256)) {
    if (t.starts_with("report:") && report_id.empty()) report_id = t.substr(7);
  }
  auto report = ReportOf(ctx, IsCentre(ctx, request.caller) ? report_id : "");
  if (!report.ok()) return ErrorResponse(report.status());
  auto view = FileView(ctx, *r, request.caller, *report);
  if (!view.ok()) return ErrorResponse(view.status());
  return HttpResponse::Json(200, Dump(*view));
}

HttpResponse GetEvidenceFile(ApiContext& ctx, const HttpRequest& request) {
  auto r = Visible(ctx, request);
  if (!r.ok()) return ErrorResponse(r.status());
  auto bytes = ctx.evidence->File(r->sha256);
  if (!bytes.ok()) return ErrorResponse(bytes.status());
  HttpResponse resp;
  resp.status = 200;
  resp.content_type = std::string(evidence::MediaType(r->type));
  resp.body = std::move(*bytes);
  resp.headers.emplace_back("Content-Disposition",
                            "attachment; filename=\"" + r->sha256.substr(0, 16) + "\"");
  resp.headers.emplace_back("X-Content-Type-Options", "nosniff");
  resp.headers.emplace_back("Content-Security-Policy", "sandbox; default-src 'none'");
  resp.headers.emplace_back("Cache-Control", "private, no-store");
  return resp;
}

HttpResponse PostLinks(ApiContext& ctx, const HttpRequest& request) {
  auto body = ParseJsonBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  if (!body->is_object()) return ErrorResponse(InvalidArgument("must be a JSON object", "body"));
  if (Status s = RejectUnknownFields(*body, {"report_id", "case_id"}, ""); !s.ok()) return ErrorResponse(s);
  auto report_id = OptionalString(*body, "report_id", "");
  auto case_id = OptionalString(*body, "case_id", "");
  if (!report_id.ok()) return ErrorResponse(report_id.status());
  if (!case_id.ok()) return ErrorResponse(case_id.status());
  auto linked = ctx.evidence->Link(request.PathParam("sha256"), report_id->value_or(""),
                                   case_id->value_or(""), request.caller);
  if (!linked.ok()) return ErrorResponse(linked.status());
  AwaitIndexes(ctx);
  return HttpResponse::Json(
      200, Dump({{"sha256", request.PathParam("sha256")},
                 {"links", LinksJson(ctx.evidence_index->TargetsOf(request.PathParam("sha256")))}}));
}

// GET …/{id}/evidence of a report or a case: each file with its reuse outside this report/case.
// The files of a report or case, each with its reuse *outside* it.
Result<json> FilesOf(ApiContext& ctx, const Actor& caller, const std::string& id, bool is_case) {
  std::string report_id;
  if (is_case) {
    CFR_RETURN_IF_ERROR(ctx.intake->CaseJson(id).status());
  } else {
    CFR_RETURN_IF_ERROR(ctx.intake->ReportJson(id).status());
    report_id = id;
  }
  const std::string target = is_case ? evidence::CaseTarget(id) : evidence::ReportTarget(id);
  json items = json::array();
  for (const auto& sha : ctx.evidence_index->FilesOf(target)) {
    auto r = ctx.evidence->Get(sha);
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kNotFound) {
        items.push_back({{"sha256", sha}, {"stored", false}});  // named by a report, not uploaded yet
        continue;
      }
      return r.status();
    }
    std::string of_report = report_id;
    if (of_report.empty()) {
      for (const auto& t : ctx.evidence_index->TargetsOf(sha)) {
        if (t.starts_with("report:") && of_report.empty()) of_report = t.substr(7);
      }
    }
    CFR_ASSIGN_OR_RETURN(json report, ReportOf(ctx, of_report));
    CFR_ASSIGN_OR_RETURN(json view, FileView(ctx, *r, caller, report));
    std::vector<std::string> here = {target};
    if (!is_case && report.is_object()) here.push_back(evidence::CaseTarget(report.value("case_id", "")));
    if (is_case) {
      for (const auto& t : ctx.evidence_index->TargetsOf(sha)) {
        if (t.starts_with("report:")) {
          auto rep = ReportOf(ctx, t.substr(7));
          if (rep.ok() && rep->is_object() && rep->value("case_id", "") == id) here.push_back(t);
        }
      }
    }
    view["reuse"] = ReuseJson(ctx.evidence_index->ReuseOf(sha, here), true);
    view["stored"] = true;
    items.push_back(std::move(view));
  }
  return items;
}

HttpResponse ListOf(ApiContext& ctx, const HttpRequest& request, bool is_case) {
  auto items = FilesOf(ctx, request.caller, std::string(request.PathParam("id")), is_case);
  if (!items.ok()) return ErrorResponse(items.status());
  return HttpResponse::Json(200, Dump({{"items", std::move(*items)}}));
}

HttpResponse VerifySlip(ApiContext& ctx, const HttpRequest& request) {
  const bool is_public = request.caller.role == "public";
  if (is_public) {
    if (auto limited = PublicRateLimited(ctx, request)) return std::move(*limited);
  }
  const bool full = !is_public;
  std::vector<std::string> qr;
  evidence::SlipClaims claims;
  json report;
  std::optional<evidence::EvidenceRecord> picture;
  if (IsFileBody(request)) {
    auto body = UploadOf(request);
    if (!body.ok()) return ErrorResponse(body.status());
    auto c = ClaimsFromFields(body->fields);
    if (!c.ok()) return ErrorResponse(c.status());
    claims = *c;
    auto r = ctx.evidence->Inspect(body->file);
    if (!r.ok()) return ErrorResponse(r.status());
    qr = r->qr;
    picture = std::move(*r);
  } else {
    auto body = ParseJsonBody(request);
    if (!body.ok()) return ErrorResponse(body.status());
    if (!body->is_object()) return ErrorResponse(InvalidArgument("must be a JSON object", "body"));
    if (Status s = RejectUnknownFields(*body, {"payload", "evidence_sha256", "report_id", "claimed"}, "");
        !s.ok()) {
      return ErrorResponse(s);
    }
    auto payload = OptionalString(*body, "payload", "");
    auto sha = OptionalString(*body, "evidence_sha256", "");
    auto report_id = OptionalString(*body, "report_id", "");
    if (!payload.ok()) return ErrorResponse(payload.status());
    if (!sha.ok()) return ErrorResponse(sha.status());
    if (!report_id.ok()) return ErrorResponse(report_id.status());
    if (is_public && (*sha || *report_id)) {
      return ErrorResponse(PermissionDenied("the public sends the slip's QR payload or its picture")
                               .WithField(*sha ? "evidence_sha256" : "report_id"));
    }
    if (!*payload == !*sha)
      return ErrorResponse(InvalidArgument("give payload or evidence_sha256 (one)", "payload"));
    if (*payload) {
      if ((*payload)->size() > 512)
        return ErrorResponse(InvalidArgument("longer than 512 characters", "payload"));
      qr = {**payload};
    } else {
      auto r = ctx.evidence->Get(**sha);
      if (!r.ok())
        return ErrorResponse(r.status().code() == StatusCode::kNotFound
                                 ? r.status().WithField("evidence_sha256")
                                 : r.status());
      if (!IsCentre(ctx, request.caller) && r->uploaded_by_agency != request.caller.agency) {
        return ErrorResponse(NotFound("no evidence file " + **sha).WithField("evidence_sha256"));
      }
      qr = r->qr;
    }
    if (*report_id) {
      if (!IsCentre(ctx, request.caller)) {
        return ErrorResponse(
            PermissionDenied("only the centre checks a slip against a report").WithField("report_id"));
      }
      auto rep = ReportOf(ctx, **report_id);
      if (!rep.ok()) return ErrorResponse(rep.status().WithField("report_id"));
      report = *rep;
    }
    auto c = ClaimsFromJson(body->contains("claimed") ? (*body)["claimed"] : json());
    if (!c.ok()) return ErrorResponse(c.status());
    claims = *c;
  }
  auto check = CheckSlip(ctx, qr, report, claims);
  if (!check.ok()) return ErrorResponse(check.status());
  json out = json::parse(evidence::SlipCheckJson(*check, full));
  json payment = json::array();
  for (const auto& q : evidence::ScreenPaymentQrs(qr, *ctx.screening)) {
    payment.push_back(json::parse(evidence::PaymentQrJson(q, full)));
  }
  out["payment_qr"] = payment;
  if (picture && full) {
    out["reuse"] = ReuseJson(ctx.evidence_index->ReuseOfPicture(picture->phash, picture->qr),
                             IsCentre(ctx, request.caller));
  }
  return HttpResponse::Json(200, Dump(out));
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> CaseEvidenceAttachments(ApiContext& ctx,
                                                                                 std::string_view case_id,
                                                                                 const Actor& caller) {
  std::vector<std::pair<std::string, std::string>> files;
  if (ctx.evidence == nullptr || ctx.evidence_index == nullptr || ctx.graph == nullptr ||
      ctx.screening == nullptr) {
    return files;
  }
  CFR_ASSIGN_OR_RETURN(json items, FilesOf(ctx, caller, std::string(case_id), true));
  if (items.empty()) return files;
  files.emplace_back("evidence.json", Dump(items));
  for (const json& item : items) {
    if (!item.value("stored", false)) continue;
    const std::string sha = item.value("sha256", "");
    CFR_ASSIGN_OR_RETURN(std::string bytes, ctx.evidence->File(sha));
    const std::string media = item.value("media_type", "");
    const std::string ext = media == "image/png"    ? ".png"
                            : media == "image/jpeg" ? ".jpg"
                            : media == "image/webp" ? ".webp"
                                                    : ".pdf";
    std::string name = "evidence/";
    name += sha;
    name += ext;
    files.emplace_back(std::move(name), std::move(bytes));
  }
  return files;
}

void RegisterEvidenceRoutes(Router& router, ApiContext& ctx) {
  auto with = [&ctx](auto fn) {
    return [&ctx, fn](const HttpRequest& r) {
      if (ctx.evidence == nullptr || ctx.evidence_index == nullptr || ctx.graph == nullptr ||
          ctx.screening == nullptr || ctx.intake == nullptr) {
        return ErrorResponse(Unavailable("evidence files are not configured"));
      }
      return fn(ctx, r);
    };
  };
  router.Add("POST", "/api/v1/evidence", kUploaders, with(Upload), /*blocking=*/true);
  router.Add("GET", "/api/v1/evidence/{sha256}", kUploaders, with(GetEvidence), /*blocking=*/true);
  router.Add("GET", "/api/v1/evidence/{sha256}/file", kUploaders, with(GetEvidenceFile), /*blocking=*/true);
  router.Add("POST", "/api/v1/evidence/{sha256}/links", auth::kCentre, with(PostLinks), /*blocking=*/true);
  router.Add("GET", "/api/v1/reports/{id}/evidence", auth::kCentre,
             with([](ApiContext& c, const HttpRequest& r) { return ListOf(c, r, false); }),
             /*blocking=*/true);
  router.Add("GET", "/api/v1/cases/{id}/evidence", auth::kCentre,
             with([](ApiContext& c, const HttpRequest& r) { return ListOf(c, r, true); }), /*blocking=*/true);
  router.Add("POST", "/api/v1/slips/verify", auth::kEveryone, with(VerifySlip), /*blocking=*/true);
}

}  // namespace cfr::http
