#include "http/router.h"

#include "auth/audit_scope.h"
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
  std::string allowed;
  std::vector<std::pair<std::string, std::string>> params;
  if (const Route* route = Match(*request, &params, &allowed)) {
    request->path_params = std::move(params);
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

std::vector<RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  for (const Route& r : routes_) out.push_back({r.method, r.pattern, r.roles});
  return out;
}

}  // namespace cfr::http
