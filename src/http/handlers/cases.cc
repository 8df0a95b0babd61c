// The case workflow (C8):
//   GET  /api/v1/cases?status=&assignee=&cursor=&limit=
//   POST /api/v1/cases/{id}/status      {"to","note"}   officers
//   PUT  /api/v1/cases/{id}/assignee    {"assignee"}    officers
//   POST /api/v1/cases/{id}/notes       {"text"}        the centre
// (GET /api/v1/cases/{id} is in reports.cc: the case with its orders, deadlines and links.)
#include <sodium.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "cases/case_book.h"
#include "cases/evidence_pack.h"
#include "http/api.h"
#include "http/error_mapping.h"
#include "http/json_body.h"

namespace cfr::http {
namespace {

using nlohmann::json;

Result<std::string> Field(const HttpRequest& request, std::initializer_list<std::string_view> allowed,
                          std::string_view required, std::string_view optional, std::string* optional_value) {
  auto body = ParseJsonBody(request);
  if (!body.ok()) return body.status();
  if (!body->is_object()) return InvalidArgument("body must be a JSON object");
  CFR_RETURN_IF_ERROR(RejectUnknownFields(*body, allowed, ""));
  CFR_ASSIGN_OR_RETURN(auto value, OptionalString(*body, required, ""));
  if (!value || value->empty()) return InvalidArgument("is required", std::string(required));
  if (!optional.empty()) {
    CFR_ASSIGN_OR_RETURN(auto extra, OptionalString(*body, optional, ""));
    *optional_value = extra.value_or("");
  }
  return *value;
}

HttpResponse CaseResponse(const Result<std::string>& c) {
  if (!c.ok()) return ErrorResponse(c.status());
  return HttpResponse::Json(200, *c);
}

HttpResponse ListCases(ApiContext& ctx, const HttpRequest& request) {
  auto limit = ListLimit(request);
  if (!limit.ok()) return ErrorResponse(limit.status());
  cases::CaseQuery q;
  q.limit = *limit;
  for (const auto& [name, value] : request.query) {
    if (name == "status") {
      if (cases::CaseStatusRank(value) < 0) {
        return ErrorResponse(InvalidArgument(
            "one of new, triaged, holds_requested, held, investigating, referred_to_police, closed", name));
      }
      q.status = value;
    } else if (name == "assignee") {
      q.assignee = value;
    } else if (name == "cursor") {
      if (Status s = ValidCursor(value); !s.ok()) return ErrorResponse(s);
      q.cursor = value;
    } else if (name != "limit") {
      return ErrorResponse(InvalidArgument("unknown query parameter", name));
    }
  }
  auto page = ctx.cases->List(q);
  if (!page.ok()) return ErrorResponse(page.status());
  std::string body = "{\"items\":[";
  for (size_t i = 0; i < page->cases_json.size(); ++i) {
    if (i > 0) body += ',';
    body += page->cases_json[i];
  }
  body += "],\"next_cursor\":";
  body += page->next_cursor.empty() ? "null" : json(page->next_cursor).dump();
  body += '}';
  return HttpResponse::Json(200, std::move(body));
}

HttpResponse PostStatus(ApiContext& ctx, const HttpRequest& request) {
  std::string note;
  auto to = Field(request, {"to", "note"}, "to", "note", &note);
  if (!to.ok()) return ErrorResponse(to.status());
  return CaseResponse(ctx.cases->Transition(request.PathParam("id"), *to, note, request.caller));
}

HttpResponse PutAssignee(ApiContext& ctx, const HttpRequest& request) {
  auto who = Field(request, {"assignee"}, "assignee", "", nullptr);
  if (!who.ok()) return ErrorResponse(who.status());
  return CaseResponse(ctx.cases->Assign(request.PathParam("id"), *who, request.caller));
}

HttpResponse PostNote(ApiContext& ctx, const HttpRequest& request) {
  auto text = Field(request, {"text"}, "text", "", nullptr);
  if (!text.ok()) return ErrorResponse(text.status());
  return CaseResponse(ctx.cases->AddNote(request.PathParam("id"), *text, request.caller));
}

// GET /api/v1/cases/{id}/evidence-pack[?format=json|html]: the files and their manifest, or the
// printable summary alone.
HttpResponse GetEvidencePack(ApiContext& ctx, const HttpRequest& request) {
  const std::string_view format = request.HasQuery("format") ? request.Query("format") : "json";
  if (format != "json" && format != "html") return ErrorResponse(InvalidArgument("json or html", "format"));
  cases::EvidenceSources src;
  src.store = ctx.store;
  src.raw_store = ctx.raw_store != nullptr ? ctx.raw_store : ctx.store;
  src.cases = ctx.cases;
  src.orders = ctx.orders;
  src.intake = ctx.intake;
  src.registry = ctx.registry;
  src.graph = ctx.graph;
  src.clock = ctx.clock;
  src.attachments = [&ctx, &request](std::string_view case_id) {
    return CaseEvidenceAttachments(ctx, case_id, request.caller);
  };
  if (src.orders == nullptr || src.intake == nullptr || src.registry == nullptr) {
    return ErrorResponse(Unavailable("evidence packs need the orders, intake and registry"));
  }
  auto pack = cases::BuildEvidencePack(src, request.PathParam("id"), request.caller);
  if (!pack.ok()) return ErrorResponse(pack.status());
  if (format == "html") {
    for (const auto& f : pack->files) {
      if (f.name != "case.html") continue;
      HttpResponse r;
      r.status = 200;
      r.content_type = "text/html; charset=utf-8";
      r.body = f.content;
      r.headers.emplace_back("X-Content-SHA256", f.sha256);
      return r;
    }
  }
  json files = json::array();
  for (const auto& f : pack->files) {
    if (f.name.starts_with("evidence/")) {  // pictures and PDFs: bytes, in base64
      std::string b64(sodium_base64_encoded_len(f.content.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
      sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(f.content.data()),
                        f.content.size(), sodium_base64_VARIANT_ORIGINAL);
      b64.resize(std::strlen(b64.c_str()));
      files.push_back({{"name", f.name}, {"sha256", f.sha256}, {"content_base64", b64}});
    } else {
      files.push_back({{"name", f.name}, {"sha256", f.sha256}, {"content", f.content}});
    }
  }
  json body = {{"case_id", request.PathParam("id")},
               {"manifest", json::parse(pack->files.back().content)},
               {"files", files}};
  return HttpResponse::Json(200, Dump(body));
}

}  // namespace

void RegisterCaseRoutes(Router& router, ApiContext& ctx) {
  auto with = [&ctx](HttpResponse (*fn)(ApiContext&, const HttpRequest&)) {
    return [&ctx, fn](const HttpRequest& r) {
      if (ctx.cases == nullptr)
        return ErrorResponse(Unavailable("the case workflow is not enabled on this server"));
      return fn(ctx, r);
    };
  };
  router.Add("GET", "/api/v1/cases", auth::kCentre, with(ListCases));
  router.Add("POST", "/api/v1/cases/{id}/status", auth::kOfficers, with(PostStatus), /*blocking=*/true);
  router.Add("PUT", "/api/v1/cases/{id}/assignee", auth::kOfficers, with(PutAssignee), /*blocking=*/true);
  router.Add("POST", "/api/v1/cases/{id}/notes", auth::kCentre, with(PostNote), /*blocking=*/true);
  router.Add("GET", "/api/v1/cases/{id}/evidence-pack", auth::kOfficers, with(GetEvidencePack),
             /*blocking=*/true);
}

}  // namespace cfr::http
