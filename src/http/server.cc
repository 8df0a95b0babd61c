#include "http/server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/text.h"
#include "core/thread_name.h"
#include "http/error_mapping.h"

namespace cfr::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

class ServerImpl;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, ServerImpl& server);
  ~Session();
  void Start();
  // Called (through the session's strand) when the server stops.
  void Shutdown();

 private:
  void DoRead();
  void OnRead(beast::error_code ec, size_t bytes);
  void Send(HttpResponse response, bool keep_alive, unsigned version, bool head);
  static HttpResponse Handle(const Router& router, HttpRequest* request);
  void OnWrite(bool close, beast::error_code ec, size_t bytes);
  void Close();
  // After an error response sent before the request was fully read: half-close, then read and
  // discard what the client still sends (bounded in time and bytes) so that it receives the
  // response instead of a connection reset.
  void LingerAndClose();
  void OnLinger(beast::error_code ec, size_t bytes);

  static constexpr size_t kMaxLingerBytes = 64 << 20;
  static constexpr auto kLingerTime = std::chrono::seconds(2);

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<bhttp::response<bhttp::string_body>> response_;
  ServerImpl& server_;
  std::string remote_;
  bool busy_ = false;            // a request is being handled or answered
  bool request_unread_ = false;  // the current request was answered before being fully read
  size_t lingered_ = 0;
  std::array<char, 16384> discard_;
};

class ServerImpl final : public HttpServer {
 public:
  ServerImpl(const ServerOptions& options, const Router& router)
      : options_(options),
        router_(router),
        workers_(static_cast<size_t>(std::max(1, options.worker_threads))),
        ioc_(ThreadCount(options)),
        acceptor_(asio::make_strand(ioc_)) {}

  ~ServerImpl() override { Stop(std::chrono::milliseconds(0)); }

  Status Listen();
  void Run();

  uint16_t port() const override { return port_; }
  int threads() const override { return static_cast<int>(threads_.size()); }
  uint64_t requests_handled() const override { return requests_.load(); }
  int open_connections() const override {
    std::lock_guard lock(sessions_mu_);
    return static_cast<int>(sessions_.size());
  }
  void Stop(std::chrono::milliseconds grace) override;

  const ServerOptions& options() const { return options_; }
  asio::thread_pool& workers() { return workers_; }
  const Router& router() const { return router_; }
  bool stopping() const { return stopping_.load(); }
  void CountRequest() { requests_.fetch_add(1, std::memory_order_relaxed); }
  void Register(Session* s, std::weak_ptr<Session> w) {
    std::lock_guard lock(sessions_mu_);
    sessions_[s] = std::move(w);
  }
  void Unregister(Session* s) {
    {
      std::lock_guard lock(sessions_mu_);
      sessions_.erase(s);
    }
    sessions_cv_.notify_all();
  }

 private:
  static int ThreadCount(const ServerOptions& o) {
    if (o.threads > 0) return o.threads;
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
  }
  void DoAccept();

  const ServerOptions options_;
  const Router& router_;
  // Declared before ioc_ so that they outlive it: destroying ioc_ destroys pending handlers,
  // whose sessions unregister themselves here.
  mutable std::mutex sessions_mu_;
  std::condition_variable sessions_cv_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;  // guarded by sessions_mu_
  asio::thread_pool workers_;                                      // blocking handlers
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> requests_{0};
  std::mutex stop_mu_;
  bool stopped_ = false;  // guarded by stop_mu_
};

Session::Session(tcp::socket&& socket, ServerImpl& server) : stream_(std::move(socket)), server_(server) {
  beast::error_code ec;
  const auto ep = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_ = ep.address().to_string();
}

Session::~Session() { server_.Unregister(this); }

void Session::Start() {
  server_.Register(this, weak_from_this());
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->DoRead(); });
}

void Session::Shutdown() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    if (!self->busy_) self->Close();  // a busy session closes after its response
  });
}

void Session::DoRead() {
  if (server_.stopping()) return Close();
  parser_.emplace();
  parser_->body_limit(server_.options().max_body_bytes);
  parser_->header_limit(static_cast<uint32_t>(server_.options().max_header_bytes));
  stream_.expires_after(server_.options().idle_timeout);
  bhttp::async_read(stream_, buffer_, *parser_,
                    beast::bind_front_handler(&Session::OnRead, shared_from_this()));
}

void Session::OnRead(beast::error_code ec, size_t) {
  if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
      ec == asio::error::operation_aborted || ec == asio::error::connection_reset || ec == asio::error::eof) {
    return Close();
  }
  busy_ = true;
  request_unread_ = static_cast<bool>(ec);
  if (ec == bhttp::error::body_limit) {
    return Send(ErrorResponse(PayloadTooLarge("request body exceeds " +
                                              std::to_string(server_.options().max_body_bytes) + " bytes")),
                false, 11, false);
  }
  if (ec == bhttp::error::header_limit) {
    HttpResponse r = ErrorResponse(PayloadTooLarge(
        "request headers exceed " + std::to_string(server_.options().max_header_bytes) + " bytes"));
    r.status = 431;
    return Send(std::move(r), false, 11, false);
  }
  if (ec) {
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {  // a parse error
      return Send(ErrorResponse(InvalidArgument("malformed HTTP request: " + ec.message())), false, 11,
                  false);
    }
    return Close();
  }
  auto& req = parser_->get();
  HttpRequest request;
  request.method = std::string(req.method_string());
  request.target = std::string(req.target());
  request.remote_address = remote_;
  const size_t q = request.target.find('?');
  const std::string_view raw_path = std::string_view(request.target).substr(0, q);
  if (!PercentDecode(raw_path, &request.path, false) || request.path.empty() || request.path[0] != '/') {
    return Send(ErrorResponse(InvalidArgument("malformed request target")), false, req.version(), false);
  }
  if (q != std::string::npos) request.query = ParseQuery(std::string_view(request.target).substr(q + 1));
  for (const auto& field : req) {
    request.headers.emplace_back(
        ToLowerAscii(std::string_view(field.name_string().data(), field.name_string().size())),
        std::string(field.value()));
  }
  request.body = std::move(req.body());
  const auto& proxies = server_.options().trusted_proxies;
  if (std::find(proxies.begin(), proxies.end(), remote_) != proxies.end()) {
    std::string_view forwarded = request.Header("x-forwarded-for");
    const size_t comma = forwarded.rfind(',');
    if (comma != std::string_view::npos) forwarded.remove_prefix(comma + 1);
    forwarded = TrimSpace(forwarded);
    if (!forwarded.empty()) request.remote_address = std::string(forwarded);
  }
  const bool keep_alive = req.keep_alive();
  const unsigned version = req.version();
  const bool head = req.method() == bhttp::verb::head;
  server_.CountRequest();
  if (server_.router().IsBlocking(request)) {
    // Off the I/O thread; the answer comes back through the connection's strand.
    asio::post(server_.workers(), [self = shared_from_this(), request = std::move(request), keep_alive,
                                   version, head]() mutable {
      static thread_local const bool named = (NameThisThread("cfr-http-work"), true);
      (void)named;
      HttpResponse response = Handle(self->server_.router(), &request);
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response), keep_alive, version, head]() mutable {
                   self->Send(std::move(response), keep_alive, version, head);
                 });
    });
    return;
  }
  Send(Handle(server_.router(), &request), keep_alive, version, head);
}

HttpResponse Session::Handle(const Router& router, HttpRequest* request) {
  try {
    return router.Dispatch(request);
  } catch (const std::exception& e) {
    // Handlers return Status; an escaping exception is a bug, but it must not kill the server.
    return ErrorResponse(Internal(std::string("unexpected error: ") + e.what()));
  }
}

void Session::Send(HttpResponse response, bool keep_alive, unsigned version, bool head) {
  response_ = std::make_shared<bhttp::response<bhttp::string_body>>(
      static_cast<bhttp::status>(response.status), version);
  response_->set(bhttp::field::server, "OpenCFR");
  response_->set(bhttp::field::content_type, response.content_type);
  for (auto& [name, value] : response.headers) {
    // Set-Cookie may repeat (one per cookie); any other header is set once.
    if (name == "Set-Cookie") {
      response_->insert(name, value);
    } else {
      response_->set(name, value);
    }
  }
  const bool close = !keep_alive || server_.stopping();
  response_->keep_alive(!close);
  response_->body() = std::move(response.body);
  response_->prepare_payload();
  if (head) response_->body().clear();
  bhttp::async_write(stream_, *response_,
                     beast::bind_front_handler(&Session::OnWrite, shared_from_this(), close));
}

void Session::OnWrite(bool close, beast::error_code ec, size_t) {
  busy_ = false;
  response_.reset();
  if (!ec && request_unread_) return LingerAndClose();
  if (ec || close) return Close();
  DoRead();
}

void Session::LingerAndClose() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.expires_after(kLingerTime);
  stream_.async_read_some(asio::buffer(discard_),
                          beast::bind_front_handler(&Session::OnLinger, shared_from_this()));
}

void Session::OnLinger(beast::error_code ec, size_t bytes) {
  lingered_ += bytes;
  if (ec || lingered_ > kMaxLingerBytes || server_.stopping()) return Close();
  stream_.async_read_some(asio::buffer(discard_),
                          beast::bind_front_handler(&Session::OnLinger, shared_from_this()));
}

void Session::Close() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.socket().close(ec);
}

Status ServerImpl::Listen() {
  beast::error_code ec;
  const auto address = asio::ip::make_address(options_.address, ec);
  if (ec)
    return InvalidArgument("listen address " + QuoteForMessage(options_.address) + " is not an IP address");
  const tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable("cannot listen on " + options_.address + ":" + std::to_string(options_.port) + ": " +
                       ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  return Status::Ok();
}

void ServerImpl::Run() {
  DoAccept();
  const int n = ThreadCount(options_);
  threads_.reserve(n);
  for (int i = 0; i < n; ++i) {
    threads_.emplace_back([this] {
      NameThisThread("cfr-http-io");
      ioc_.run();
    });
  }
}

void ServerImpl::DoAccept() {
  acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (stopping_.load() || !acceptor_.is_open()) return;
    if (!ec) {
      beast::error_code opt_ec;
      socket.set_option(tcp::no_delay(true), opt_ec);
      std::make_shared<Session>(std::move(socket), *this)->Start();
    }
    DoAccept();
  });
}

void ServerImpl::Stop(std::chrono::milliseconds grace) {
  std::lock_guard stop_lock(stop_mu_);
  if (stopped_) return;
  stopped_ = true;
  stopping_.store(true);
  asio::dispatch(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(sessions_mu_);
    for (auto& [ptr, weak] : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->Shutdown();
  live.clear();
  {
    std::unique_lock lock(sessions_mu_);
    sessions_cv_.wait_for(lock, grace, [this] { return sessions_.empty(); });
  }
  // Blocking handlers still running finish (their answers are dropped if their connection is
  // gone); then the I/O threads stop.
  workers_.join();
  ioc_.stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

}  // namespace

Result<std::unique_ptr<HttpServer>> StartHttpServer(const ServerOptions& options, const Router& router) {
  auto server = std::make_unique<ServerImpl>(options, router);
  CFR_RETURN_IF_ERROR(server->Listen());
  server->Run();
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace cfr::http
