// HttpServer: an asynchronous HTTP/1.1 server (Boost.Beast on Asio) with keep-alive, running the
// router's handlers on its I/O threads. Boost stays inside server.cc.
//
// Blocking routes (Router::Add(…, blocking = true): those that wait on a durable commit) run on
// a pool of worker threads, so that the I/O threads keep serving while commits are in flight and
// many requests share each group commit.
//
// Limits: a request whose headers exceed max_header_bytes gets 431, a body over max_body_bytes
// 413, a malformed request 400, each with a JSON error body, and the connection is closed. A
// connection idle for idle_timeout (or a request that trickles in slower) is closed.
//
// Stop() is graceful: it stops accepting, lets in-flight requests finish and answer (with
// "Connection: close"), closes idle keep-alive connections, and returns once every connection
// is gone or `grace` has passed. Thread-safe.
#ifndef CFR_HTTP_SERVER_H_
#define CFR_HTTP_SERVER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "http/router.h"

namespace cfr::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;     // 0 picks a free port; see HttpServer::port()
  int threads = 0;          // 0: one per core
  int worker_threads = 32;  // for blocking routes (they wait on durable commits)
  size_t max_body_bytes = 8 << 20;
  size_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds idle_timeout{30000};
  // Peers (load balancers) whose X-Forwarded-For is believed: for requests from them the client
  // address is the last address in that header, the one the proxy itself appended.
  std::vector<std::string> trusted_proxies;
};

class HttpServer {
 public:
  virtual ~HttpServer() = default;
  // The port actually bound.
  virtual uint16_t port() const = 0;
  virtual int threads() const = 0;
  // Requests handled so far, and connections open now.
  virtual uint64_t requests_handled() const = 0;
  virtual int open_connections() const = 0;
  virtual void Stop(std::chrono::milliseconds grace) = 0;
};

// Binds, listens and starts the I/O threads. `router` must outlive the server. Fails with
// kUnavailable if the address cannot be bound (in use, bad address).
Result<std::unique_ptr<HttpServer>> StartHttpServer(const ServerOptions& options, const Router& router);

}  // namespace cfr::http

#endif  // CFR_HTTP_SERVER_H_
