#include "http/router.h"

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

void Router::Add(std::string method, std::string pattern, Handler handler, bool blocking) {
  Route r{std::move(method), std::move(pattern), {}, std::move(handler), blocking};
  for (std::string_view seg : SplitPath(r.pattern)) r.segments.emplace_back(seg);
  routes_.push_back(std::move(r));
}

const Router::Route* Router::Match(const HttpRequest& request,
                                   std::vector<std::pair<std::string, std::string>>* params_out,
                                   std::string* allowed) const {
  const auto segments = SplitPath(request.path);
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
        match = want == segments[i];
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
    return route->handler(*request);
  }
  if (!allowed.empty()) {
    HttpResponse r = ErrorResponse(InvalidArgument("method " + request->method + " is not allowed on " +
                                                   request->path + "; allowed: " + allowed));
    r.status = 405;
    r.headers.emplace_back("Allow", allowed);
    return r;
  }
  return ErrorResponse(NotFound("no such endpoint: " + request->method + " " + request->path));
}

std::vector<RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  for (const Route& r : routes_) out.push_back({r.method, r.pattern});
  return out;
}

}  // namespace cfr::http
