#include "http/router.h"

#include <chrono>

#include "auth/audit_scope.h"
#include "core/text.h"
#include "http/error_mapping.h"

namespace cfr::http {

std::vector<std::string_view> Router::SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t pos = 1;  // skip the leading '/'
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

void Router::Add(std::string method, std::string pattern, auth::RoleSet roles, Handler handler,
                 bool blocking) {
  Route r{std::move(method), std::move(pattern), {}, roles, std::move(handler), blocking};
  for (std::string_view seg : SplitPath(r.pattern)) r.segments.emplace_back(seg);
  routes_.push_back(std::move(r));
}

const Router::Route* Router::Match(const HttpRequest& request,
                                   std::vector<std::pair<std::string, std::string>>* params_out,
                                   std::string* allowed) const {
  // Segments of the path as sent (percent-encoded), so that an encoded '/' stays inside its
  // parameter ("/entities/url/https%3A%2F%2Fa.com%2F"); each is decoded on its own.
  std::string_view raw = request.path;
  if (!request.target.empty()) raw = std::string_view(request.target).substr(0, request.target.find('?'));
  const auto segments = SplitPath(raw);
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::vector<std::pair<std::string, std::string>> params;
    bool match = true;
    for (size_t i = 0; i < segments.size() && match; ++i) {
      const std::string& want = route.segments[i];
      if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
        if (segments[i].empty()) {
          match = false;
        } else {
          std::string decoded;
          if (!PercentDecode(segments[i], &decoded, false)) decoded = std::string(segments[i]);
          params.emplace_back(want.substr(1, want.size() - 2), std::move(decoded));
        }
      } else {
        std::string decoded;
        match = want == segments[i] || (PercentDecode(segments[i], &decoded, false) && want == decoded);
      }
    }
    if (!match) continue;
    if (route.method != request.method && !(route.method == "GET" && request.method == "HEAD")) {
      if (!allowed->empty()) *allowed += ", ";
      *allowed += route.method;
      continue;
    }
    if (params_out != nullptr) *params_out = std::move(params);
    return &route;
  }
  return nullptr;
}

Actor PublicCaller(const HttpRequest& request) {
  return Actor{"anonymous@" + request.remote_address, "", "public", ""};
}

bool Router::IsBlocking(const HttpRequest& request) const {
  std::string allowed;
  const Route* route = Match(request, nullptr, &allowed);
  return route != nullptr && route->blocking;
}

HttpResponse Router::Dispatch(HttpRequest* request) const {
  const auto started = std::chrono::steady_clock::now();
  std::string allowed;
  std::vector<std::pair<std::string, std::string>> params;
  const Route* route = Match(*request, &params, &allowed);
  if (route != nullptr) request->path_params = std::move(params);
  HttpResponse response = DispatchTo(route, allowed, request);
  (route != nullptr ? *route->metrics : *unmatched_)
      .Record(response.status,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return response;
}

HttpResponse Router::DispatchTo(const Route* route, const std::string& allowed, HttpRequest* request) const {
  if (route != nullptr) {
    if (authenticator_) {
      int retry_after_s = 0;
      auto caller = authenticator_(*request, &retry_after_s);
      if (!caller.ok()) {
        HttpResponse r = ErrorResponse(caller.status());
        if (retry_after_s > 0) r.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
        return r;
      }
      request->caller = std::move(*caller);
    } else {
      request->caller = PublicCaller(*request);
    }
    if (!route->roles.HasName(request->caller.role)) {
      if (request->caller.role == "public") {
        return ErrorResponse(
            Unauthenticated("this endpoint needs an API key (Authorization: Bearer cfr_…) or a session"));
      }
      return ErrorResponse(PermissionDenied("the role " + request->caller.role + " may not call " +
                                            route->method + " " + route->pattern));
    }
    // Handlers may quote parameters in JSON: they are text.
    for (const auto& [name, value] : request->path_params) {
      if (!IsValidUtf8(value)) return ErrorResponse(InvalidArgument("must be valid UTF-8", name));
    }
    // Every write the handler makes, and every read of personal data, is audited as this caller.
    auth::AuditScope audit(
        {request->caller, request->remote_address, route->method + " " + route->pattern, request->path});
    return route->handler(*request);
  }
  if (!allowed.empty()) {
    HttpResponse r = ErrorResponse(InvalidArgument("method " + request->method + " is not allowed on " +
                                                   request->path + "; allowed: " + allowed));
    r.status = 405;
    r.headers.emplace_back("Allow", allowed);
    return r;
  }
  if (fallback_) {
    if (auto answer = fallback_(*request)) return std::move(*answer);
  }
  return ErrorResponse(NotFound("no such endpoint: " + request->method + " " + request->path));
}

void Router::WriteMetrics(std::string* out) const {
  static constexpr const char* kClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
  WriteMetricHeader(
      "cfr_http_requests_total", "counter",
      "HTTP requests by route and status class (route \"other\": console files and unknown paths)", out);
  auto labels = [](const std::string& method, const std::string& pattern) {
    return "method=\"" + EscapeLabel(method) + "\",route=\"" + EscapeLabel(pattern) + "\"";
  };
  for (const Route& r : routes_) {
    for (int k = 0; k < 5; ++k) {
      const uint64_t n = r.metrics->by_class[k].load(std::memory_order_relaxed);
      if (n > 0)
        WriteSample("cfr_http_requests_total", labels(r.method, r.pattern) + ",code=\"" + kClasses[k] + "\"",
                    static_cast<double>(n), out);
    }
  }
  for (int k = 0; k < 5; ++k) {
    const uint64_t n = unmatched_->by_class[k].load(std::memory_order_relaxed);
    if (n > 0)
      WriteSample("cfr_http_requests_total", labels("", "other") + ",code=\"" + kClasses[k] + "\"",
                  static_cast<double>(n), out);
  }
  WriteMetricHeader("cfr_http_request_duration_seconds", "histogram",
                    "time from routing a request to its response being ready, by route", out);
  for (const Route& r : routes_) {
    if (r.metrics->latency.count() > 0)
      r.metrics->latency.Write("cfr_http_request_duration_seconds", labels(r.method, r.pattern), out);
  }
  if (unmatched_->latency.count() > 0)
    unmatched_->latency.Write("cfr_http_request_duration_seconds", labels("", "other"), out);
}

std::vector<RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  for (const Route& r : routes_) out.push_back({r.method, r.pattern, r.roles});
  return out;
}

}  // namespace cfr::http
