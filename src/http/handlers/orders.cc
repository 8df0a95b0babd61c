// Orders (C8): hold, block and takedown orders with their legal timers.
//   GET  /api/v1/orders?status=&kind=&case_id=&addressee=&cursor=&limit=
//   GET  /api/v1/orders/{id}
//   POST /api/v1/orders                         a manual order (officers)
//   POST /api/v1/orders/{id}/acknowledge        the addressee
//   POST /api/v1/orders/{id}/execute            the addressee: {"held_satang","note"}
//   POST /api/v1/orders/{id}/reject             the addressee: {"reason"}
//   POST /api/v1/orders/{id}/complaint          police: {"filed_at","reference"}
//   POST /api/v1/orders/{id}/extend             police: {"until","reason"}
//   POST /api/v1/orders/{id}/release            officers: {"reason"}
//   POST /api/v1/orders/{id}/return             the addressee: {"returned_satang","note"} (in all so far)
// The centre sees every order; a bank, telco or platform only those addressed to it (another
// agency's order is 404 to it, so its existence does not leak).
#include <nlohmann/json.hpp>

#include "cases/orders.h"
#include "core/time.h"
#include "http/api.h"
#include "http/error_mapping.h"
#include "http/json_body.h"

namespace cfr::http {
namespace {

using nlohmann::json;

HttpResponse OrderResponse(const Result<cases::Order>& o) {
  if (!o.ok()) return ErrorResponse(o.status());
  return HttpResponse::Json(200, cases::OrderJson(*o));
}

// The order, if the caller may see it (404 otherwise).
Result<cases::Order> Visible(ApiContext& ctx, const HttpRequest& request) {
  const std::string id(request.PathParam("id"));
  auto o = ctx.orders->Get(id);
  if (!o.ok()) return o.status();
  if (!cases::OrderBook::MaySee(*o, request.caller)) return NotFound("no order " + id);
  return o;
}

// A JSON object body with only `allowed` fields.
Result<json> Body(const HttpRequest& request, std::initializer_list<std::string_view> allowed) {
  auto body = ParseJsonBody(request);
  if (!body.ok()) return body.status();
  if (!body->is_object()) return InvalidArgument("body must be a JSON object");
  CFR_RETURN_IF_ERROR(RejectUnknownFields(*body, allowed, ""));
  return body;
}

// Free text (reasons, references, notes) is at most this long.
constexpr size_t kMaxTextBytes = 2000;

Result<std::optional<std::string>> OptionalText(const json& body, std::string_view key) {
  CFR_ASSIGN_OR_RETURN(auto v, OptionalString(body, key, ""));
  if (v && v->size() > kMaxTextBytes) return InvalidArgument("must be at most 2000 bytes", std::string(key));
  return v;
}

Result<std::string> RequiredString(const json& body, std::string_view key) {
  CFR_ASSIGN_OR_RETURN(auto v, OptionalText(body, key));
  if (!v || v->empty()) return InvalidArgument("is required", std::string(key));
  return *v;
}

Result<int64_t> RequiredTime(const json& body, std::string_view key) {
  CFR_ASSIGN_OR_RETURN(std::string text, RequiredString(body, key));
  auto t = ParseRfc3339(text);
  if (!t.ok()) return t.status().WithField(std::string(key));
  return t;
}

HttpResponse ListOrders(ApiContext& ctx, const HttpRequest& request) {
  auto limit = ListLimit(request);
  if (!limit.ok()) return ErrorResponse(limit.status());
  cases::OrderFilter f;
  f.limit = *limit;
  for (const auto& [name, value] : request.query) {
    if (name == "status") {
      f.status = cases::ParseOrderStatus(value);
      if (!f.status) {
        return ErrorResponse(InvalidArgument(
            "one of issued, acknowledged, executed, extended, released, expired, rejected", name));
      }
    } else if (name == "kind") {
      f.kind = cases::ParseOrderKind(value);
      if (!f.kind) return ErrorResponse(InvalidArgument("one of hold, block, takedown", name));
    } else if (name == "case_id") {
      f.case_id = value;
    } else if (name == "addressee") {
      f.addressee = value;
    } else if (name == "cursor") {
      if (Status s = ValidCursor(value); !s.ok()) return ErrorResponse(s);
      f.cursor = value;
    } else if (name != "limit") {
      return ErrorResponse(InvalidArgument("unknown query parameter", name));
    }
  }
  if (!auth::kCentre.HasName(request.caller.role)) {
    if (!f.addressee.empty() && f.addressee != request.caller.agency) {
      return ErrorResponse(PermissionDenied("an agency sees the orders addressed to it only"));
    }
    f.addressee = request.caller.agency;
  }
  auto page = ctx.orders->List(f);
  if (!page.ok()) return ErrorResponse(page.status());
  std::string body = "{\"items\":[";
  for (size_t i = 0; i < page->orders.size(); ++i) {
    if (i > 0) body += ',';
    body += cases::OrderJson(page->orders[i]);
  }
  body += "],\"next_cursor\":";
  body += page->next_cursor.empty() ? "null" : json(page->next_cursor).dump();
  body += '}';
  return HttpResponse::Json(200, std::move(body));
}

HttpResponse GetOrder(ApiContext& ctx, const HttpRequest& request) {
  return OrderResponse(Visible(ctx, request));
}

HttpResponse PostOrder(ApiContext& ctx, const HttpRequest& request) {
  auto body = Body(request, {"kind", "case_id", "target", "addressee", "amount_satang", "reason"});
  if (!body.ok()) return ErrorResponse(body.status());
  cases::NewOrder n;
  auto kind = RequiredString(*body, "kind");
  if (!kind.ok()) return ErrorResponse(kind.status());
  const auto parsed_kind = cases::ParseOrderKind(*kind);
  if (!parsed_kind) return ErrorResponse(InvalidArgument("one of hold, block, takedown", "kind"));
  n.kind = *parsed_kind;
  auto case_id = RequiredString(*body, "case_id");
  if (!case_id.ok()) return ErrorResponse(case_id.status());
  n.case_id = *case_id;
  if (!body->contains("target")) return ErrorResponse(InvalidArgument("is required", "target"));
  auto target = NormalizeJsonItem((*body)["target"], "target", false);
  if (!target.ok()) return ErrorResponse(target.status());
  n.target = *target;
  auto addressee = OptionalString(*body, "addressee", "");
  if (!addressee.ok()) return ErrorResponse(addressee.status());
  n.addressee = addressee->value_or("");
  if (body->contains("amount_satang")) {
    const json& a = (*body)["amount_satang"];
    if (!a.is_number_integer())
      return ErrorResponse(InvalidArgument("an integer number of satang", "amount_satang"));
    n.amount_satang = a.get<int64_t>();
  }
  auto reason = RequiredString(*body, "reason");
  if (!reason.ok()) return ErrorResponse(reason.status());
  n.reason = *reason;
  auto o = ctx.orders->Issue(n, request.caller);
  if (!o.ok()) return ErrorResponse(o.status());
  HttpResponse r = HttpResponse::Json(201, cases::OrderJson(*o));
  r.headers.emplace_back("Location", "/api/v1/orders/" + o->id);
  return r;
}

HttpResponse PostAcknowledge(ApiContext& ctx, const HttpRequest& request) {
  auto o = Visible(ctx, request);
  if (!o.ok()) return ErrorResponse(o.status());
  return OrderResponse(ctx.orders->Acknowledge(o->id, request.caller));
}

HttpResponse PostExecute(ApiContext& ctx, const HttpRequest& request) {
  auto o = Visible(ctx, request);
  if (!o.ok()) return ErrorResponse(o.status());
  auto body = Body(request, {"held_satang", "note"});
  if (!body.ok()) return ErrorResponse(body.status());
  int64_t held = 0;
  if (o->kind == cases::OrderKind::kHold) {
    if (!body->contains("held_satang") || !(*body)["held_satang"].is_number_integer()) {
      return ErrorResponse(
          InvalidArgument("the amount actually held, an integer number of satang", "held_satang"));
    }
    held = (*body)["held_satang"].get<int64_t>();
    if (held < 0) return ErrorResponse(InvalidArgument("the amount actually held, >= 0", "held_satang"));
  }
  auto note = OptionalText(*body, "note");
  if (!note.ok()) return ErrorResponse(note.status());
  return OrderResponse(ctx.orders->Execute(o->id, held, note->value_or(""), request.caller));
}

HttpResponse PostReturn(ApiContext& ctx, const HttpRequest& request) {
  auto o = Visible(ctx, request);
  if (!o.ok()) return ErrorResponse(o.status());
  auto body = Body(request, {"returned_satang", "note"});
  if (!body.ok()) return ErrorResponse(body.status());
  if (!body->contains("returned_satang") || !(*body)["returned_satang"].is_number_integer()) {
    return ErrorResponse(InvalidArgument(
        "the total returned to the victim so far, an integer number of satang", "returned_satang"));
  }
  auto note = OptionalText(*body, "note");
  if (!note.ok()) return ErrorResponse(note.status());
  return OrderResponse(ctx.orders->RecordReturn(o->id, (*body)["returned_satang"].get<int64_t>(),
                                                note->value_or(""), request.caller));
}

HttpResponse PostReject(ApiContext& ctx, const HttpRequest& request) {
  auto o = Visible(ctx, request);
  if (!o.ok()) return ErrorResponse(o.status());
  auto body = Body(request, {"reason"});
  if (!body.ok()) return ErrorResponse(body.status());
  auto reason = RequiredString(*body, "reason");
  if (!reason.ok()) return ErrorResponse(reason.status());
  return OrderResponse(ctx.orders->Reject(o->id, *reason, request.caller));
}

HttpResponse PostComplaint(ApiContext& ctx, const HttpRequest& request) {
  auto body = Body(request, {"filed_at", "reference"});
  if (!body.ok()) return ErrorResponse(body.status());
  auto filed = RequiredTime(*body, "filed_at");
  if (!filed.ok()) return ErrorResponse(filed.status());
  auto reference = RequiredString(*body, "reference");
  if (!reference.ok()) return ErrorResponse(reference.status());
  return OrderResponse(
      ctx.orders->RecordComplaint(request.PathParam("id"), *filed, *reference, request.caller));
}

HttpResponse PostExtend(ApiContext& ctx, const HttpRequest& request) {
  auto body = Body(request, {"until", "reason"});
  if (!body.ok()) return ErrorResponse(body.status());
  auto until = RequiredTime(*body, "until");
  if (!until.ok()) return ErrorResponse(until.status());
  auto reason = RequiredString(*body, "reason");
  if (!reason.ok()) return ErrorResponse(reason.status());
  return OrderResponse(ctx.orders->Extend(request.PathParam("id"), *until, *reason, request.caller));
}

HttpResponse PostRelease(ApiContext& ctx, const HttpRequest& request) {
  auto body = Body(request, {"reason"});
  if (!body.ok()) return ErrorResponse(body.status());
  auto reason = RequiredString(*body, "reason");
  if (!reason.ok()) return ErrorResponse(reason.status());
  return OrderResponse(ctx.orders->Release(request.PathParam("id"), *reason, request.caller));
}

}  // namespace

void RegisterOrderRoutes(Router& router, ApiContext& ctx) {
  auto with = [&ctx](HttpResponse (*fn)(ApiContext&, const HttpRequest&)) {
    return [&ctx, fn](const HttpRequest& r) {
      if (ctx.orders == nullptr) return ErrorResponse(Unavailable("orders are not enabled on this server"));
      return fn(ctx, r);
    };
  };
  constexpr auth::RoleSet kParties =
      auth::kCentre | auth::RoleSet{auth::Role::kBank, auth::Role::kTelco, auth::Role::kPlatform};
  constexpr auth::RoleSet kPolice = {auth::Role::kPolice, auth::Role::kAdmin};
  router.Add("GET", "/api/v1/orders", kParties, with(ListOrders));
  router.Add("GET", "/api/v1/orders/{id}", kParties, with(GetOrder));
  router.Add("POST", "/api/v1/orders", auth::kOfficers, with(PostOrder), /*blocking=*/true);
  router.Add("POST", "/api/v1/orders/{id}/acknowledge", kParties, with(PostAcknowledge), /*blocking=*/true);
  router.Add("POST", "/api/v1/orders/{id}/execute", kParties, with(PostExecute), /*blocking=*/true);
  router.Add("POST", "/api/v1/orders/{id}/reject", kParties, with(PostReject), /*blocking=*/true);
  router.Add("POST", "/api/v1/orders/{id}/return", kParties, with(PostReturn), /*blocking=*/true);
  router.Add("POST", "/api/v1/orders/{id}/complaint", auth::kOfficers, with(PostComplaint),
             /*blocking=*/true);
  router.Add("POST", "/api/v1/orders/{id}/extend", kPolice, with(PostExtend), /*blocking=*/true);
  router.Add("POST", "/api/v1/orders/{id}/release", auth::kOfficers, with(PostRelease), /*blocking=*/true);
}

}  // namespace cfr::http
