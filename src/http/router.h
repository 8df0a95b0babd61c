// Router: maps (method, path) to a handler. Patterns are literal segments and "{name}" segments
// that capture one percent-decoded path segment: "/api/v1/entities/{kind}/{canonical}".
// Routes are added at start-up, then the router is read-only and safe to share between threads.
//
// Every route carries its access policy: the roles that may call it (auth/roles.h). Dispatch
// first finds the caller (the authenticator turns the request's credentials into an Actor; no
// credentials: the public), then refuses a caller whose role is not in the route's set — 401 for
// the public (credentials needed), 403 for another role — before the handler runs. Handlers read
// the caller from request.caller and narrow further by agency.
#ifndef CFR_HTTP_ROUTER_H_
#define CFR_HTTP_ROUTER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/roles.h"
#include "http/http_types.h"
#include "http/metrics.h"

namespace cfr::http {

struct RouteInfo {
  std::string method;
  std::string pattern;
  auth::RoleSet roles;
};

// Who a request speaks for, from its credentials (an error: 401, 429 with *retry_after_s set, …).
// Without credentials it must return the public caller.
using Authenticator = std::function<Result<Actor>(const HttpRequest&, int* retry_after_s)>;

// The caller without credentials: role "public", named after its address.
Actor PublicCaller(const HttpRequest& request);

class Router {
 public:
  // `blocking`: the handler waits on the store (a durable commit); the server runs it on its
  // worker pool instead of an I/O thread.
  void Add(std::string method, std::string pattern, auth::RoleSet roles, Handler handler,
           bool blocking = false);

  // What answers a request that no route matches (the console's static files), before the 404.
  using Fallback = std::function<std::optional<HttpResponse>(const HttpRequest&)>;
  void SetFallback(Fallback fallback) { fallback_ = std::move(fallback); }

  // Replaces the default authenticator (every caller is the public one).
  void SetAuthenticator(Authenticator authenticator) { authenticator_ = std::move(authenticator); }

  // Whether the route that would handle `request` is blocking (false when none matches).
  bool IsBlocking(const HttpRequest& request) const;

  // Fills request->path_params and runs the matching handler. No match: 404; path matches but not
  // the method: 405 with an Allow header. Errors are JSON error bodies.
  HttpResponse Dispatch(HttpRequest* request) const;

  std::vector<RouteInfo> Routes() const;

  // Appends every route's request counts (by status class) and latency histogram, and those of
  // requests no route matched (the console's files, 404s), in the Prometheus text format.
  void WriteMetrics(std::string* out) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{x}" captures
    auth::RoleSet roles;
    Handler handler;
    bool blocking = false;
    std::shared_ptr<RouteMetrics> metrics = std::make_shared<RouteMetrics>();
  };
  // The route matching method and path, or null.
  const Route* Match(const HttpRequest& request, std::vector<std::pair<std::string, std::string>>* params,
                     std::string* allowed) const;
  static std::vector<std::string_view> SplitPath(std::string_view path);
  // Dispatch once the route (or none) is known.
  HttpResponse DispatchTo(const Route* route, const std::string& allowed, HttpRequest* request) const;
  std::vector<Route> routes_;
  Authenticator authenticator_;
  Fallback fallback_;
  std::shared_ptr<RouteMetrics> unmatched_ = std::make_shared<RouteMetrics>();
};

}  // namespace cfr::http

#endif  // CFR_HTTP_ROUTER_H_
