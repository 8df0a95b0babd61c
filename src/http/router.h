// Router: maps (method, path) to a handler. Patterns are literal segments and "{name}" segments
// that capture one percent-decoded path segment: "/api/v1/entities/{kind}/{canonical}".
// Routes are added at start-up, then the router is read-only and safe to share between threads.
#ifndef CFR_HTTP_ROUTER_H_
#define CFR_HTTP_ROUTER_H_

#include <string>
#include <vector>

#include "http/http_types.h"

namespace cfr::http {

struct RouteInfo {
  std::string method;
  std::string pattern;
};

class Router {
 public:
  // `blocking`: the handler waits on the store (a durable commit); the server runs it on its
  // worker pool instead of an I/O thread.
  void Add(std::string method, std::string pattern, Handler handler, bool blocking = false);

  // Whether the route that would handle `request` is blocking (false when none matches).
  bool IsBlocking(const HttpRequest& request) const;

  // Fills request->path_params and runs the matching handler. No match: 404; path matches but not
  // the method: 405 with an Allow header. Errors are JSON error bodies.
  HttpResponse Dispatch(HttpRequest* request) const;

  std::vector<RouteInfo> Routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{x}" captures
    Handler handler;
    bool blocking = false;
  };
  // The route matching method and path, or null.
  const Route* Match(const HttpRequest& request, std::vector<std::pair<std::string, std::string>>* params,
                     std::string* allowed) const;
  static std::vector<std::string_view> SplitPath(std::string_view path);
  std::vector<Route> routes_;
};

}  // namespace cfr::http

#endif  // CFR_HTTP_ROUTER_H_
