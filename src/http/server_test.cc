// The real server over a real socket, with a raw client so that limits and malformed requests
// are sent byte for byte.
#include "http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <thread>

#include "http/api.h"
#include "store/testing.h"

namespace cfr::http {
namespace {

struct RawResponse {
  int status = 0;
  std::string headers;  // raw header block
  std::string body;
};

class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawClient() { ::close(fd_); }
  bool connected() const { return connected_; }

  void Send(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }

  // Reads one response; status 0 when the connection closed first.
  RawResponse Read() {
    RawResponse r;
    size_t header_end;
    while ((header_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return r;
    }
    r.headers = buf_.substr(0, header_end);
    r.status = std::stoi(r.headers.substr(9, 3));
    size_t length = 0;
    std::string lower = r.headers;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const size_t cl = lower.find("content-length: ");
    if (cl != std::string::npos) length = std::stoul(lower.substr(cl + 16));
    while (buf_.size() < header_end + 4 + length) {
      if (!Fill()) break;
    }
    r.body = buf_.substr(header_end + 4, length);
    buf_.erase(0, header_end + 4 + length);
    return r;
  }

  // True when the server closed the connection (read returns 0 or reset).
  bool ClosedByPeer() {
    char c;
    const ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  bool Fill() {
    char tmp[65536];
    const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }
  int fd_;
  bool connected_ = false;
  std::string buf_;
};

std::string Request(const std::string& method, const std::string& target, const std::string& body = "",
                    const std::string& extra_headers = "") {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers;
  if (!body.empty() || method == "POST") {
    r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return r + "\r\n" + body;
}

class ServerTest : public testing::Test {
 protected:
  static std::string StoreKind() { return store::TestPostgresServer().empty() ? "sqlite" : "postgresql"; }
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cfr-http-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = store::OpenTestStore((dir_ / "cfr.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    ctx_.store = store_.get();
    ctx_.store_kind = StoreKind();
    router_ = BuildApiRouter(ctx_);
    router_.Add(
        "GET", "/test/blocking", auth::kEveryone,
        [](const HttpRequest&) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1000));
          return HttpResponse::Json(200, R"({"blocking":true})");
        },
        /*blocking=*/true);
    router_.Add("GET", "/test/slow", auth::kEveryone, [this](const HttpRequest&) {
      slow_started_ = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      return HttpResponse::Json(200, R"({"slow":true})");
    });
  }
  void Start(ServerOptions options = {}) {
    options.port = 0;
    if (options.threads == 0) options.threads = 2;
    auto srv = StartHttpServer(options, router_);
    ASSERT_TRUE(srv.ok()) << srv.status().ToString();
    server_ = std::move(*srv);
  }
  void TearDown() override {
    if (server_) server_->Stop(std::chrono::seconds(1));
    server_.reset();
    if (store_) IgnoreError(store_->Close());
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  ApiContext ctx_;
  Router router_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<bool> slow_started_{false};
};

TEST_F(ServerTest, HealthAndReadinessAndKeepAlive) {
  Start();
  RawClient c(server_->port());
  ASSERT_TRUE(c.connected());
  c.Send(Request("GET", "/healthz"));
  auto r1 = c.Read();
  EXPECT_EQ(r1.status, 200);
  EXPECT_EQ(r1.body, R"({"status":"ok"})");
  c.Send(Request("GET", "/readyz"));  // same connection: keep-alive
  auto r2 = c.Read();
  EXPECT_EQ(r2.status, 200);
  auto j = nlohmann::json::parse(r2.body);
  EXPECT_EQ(j["status"], "ready");
  EXPECT_EQ(j["store"], StoreKind());
  EXPECT_EQ(server_->requests_handled(), 2u);
}

TEST_F(ServerTest, NormalizeBatchFailsItemsAlone) {
  Start();
  RawClient c(server_->port());
  c.Send(Request("POST", "/api/v1/identifiers/normalize",
                 R"({"items":[{"kind":"phone","value":"081-234-5678"},{"kind":"phone","value":"12"},)"
                 R"({"value":"https://bit.ly/abc"},{"kind":"fax","value":"1"},{"value":"x","extra":1}]})"));
  auto r = c.Read();
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  ASSERT_EQ(j["results"].size(), 5u);
  EXPECT_EQ(j["results"][0]["canonical"], "+66812345678");
  EXPECT_EQ(j["results"][0]["display"], "081-234-5678");
  EXPECT_EQ(j["results"][1]["error"]["field"], "items[1].value");
  EXPECT_EQ(j["results"][2]["kind"], "url");
  EXPECT_EQ(j["results"][2]["shortener"], true);
  EXPECT_EQ(j["results"][3]["error"]["field"], "items[3].kind");
  EXPECT_EQ(j["results"][4]["error"]["field"], "items[4].extra");
}

TEST_F(ServerTest, MalformedJsonAndWrongShapesAre400WithField) {
  Start();
  RawClient c(server_->port());
  c.Send(Request("POST", "/api/v1/identifiers/normalize", R"({"items":[)"));
  auto r = c.Read();
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("malformed JSON"), std::string::npos) << r.body;
  c.Send(Request("POST", "/api/v1/identifiers/normalize", R"({"items":{}})"));
  r = c.Read();
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["field"], "items");
}

TEST_F(ServerTest, BodyOverLimitIs413) {
  ServerOptions o;
  o.max_body_bytes = 1024;
  Start(o);
  RawClient c(server_->port());
  c.Send(Request("POST", "/api/v1/identifiers/normalize", std::string(4096, ' ')));
  auto r = c.Read();
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["code"], "payload_too_large");
}

TEST_F(ServerTest, HeadersOverLimitAre431) {
  ServerOptions o;
  o.max_header_bytes = 1024;
  Start(o);
  RawClient c(server_->port());
  c.Send(Request("GET", "/healthz", "", "X-Big: " + std::string(4000, 'a') + "\r\n"));
  auto r = c.Read();
  EXPECT_EQ(r.status, 431);
  EXPECT_NE(r.body.find("headers exceed"), std::string::npos);
}

TEST_F(ServerTest, GarbageRequestIs400AndServerStaysUp) {
  Start();
  {
    RawClient c(server_->port());
    c.Send("THIS IS NOT HTTP\r\n\r\n");
    auto r = c.Read();
    EXPECT_TRUE(r.status == 400 || r.status == 0) << r.status;
  }
  RawClient c2(server_->port());
  c2.Send(Request("GET", "/healthz"));
  EXPECT_EQ(c2.Read().status, 200);
}

TEST_F(ServerTest, IdleConnectionsAreClosed) {
  ServerOptions o;
  o.idle_timeout = std::chrono::milliseconds(200);
  Start(o);
  RawClient c(server_->port());
  c.Send(Request("GET", "/healthz"));
  EXPECT_EQ(c.Read().status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_TRUE(c.ClosedByPeer());
}

TEST_F(ServerTest, StopFinishesInFlightRequestsAndClosesIdleOnes) {
  Start();
  RawClient idle(server_->port());
  idle.Send(Request("GET", "/healthz"));
  ASSERT_EQ(idle.Read().status, 200);
  RawClient busy(server_->port());
  busy.Send(Request("GET", "/test/slow"));
  while (!slow_started_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto start = std::chrono::steady_clock::now();
  std::thread stopper([&] { server_->Stop(std::chrono::seconds(5)); });
  auto r = busy.Read();
  stopper.join();
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.headers.find("Connection: close"), std::string::npos) << r.headers;
  EXPECT_TRUE(idle.ClosedByPeer());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  RawClient after(server_->port());
  EXPECT_FALSE(after.connected());  // no longer accepting
}

TEST_F(ServerTest, ConcurrentClients) {
  Start();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      RawClient c(server_->port());
      for (int i = 0; i < 50; ++i) {
        c.Send(Request("GET", "/api/v1/identifiers/normalize?value=0812345678"));
        if (c.Read().status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 400);
}

TEST_F(ServerTest, BlockingHandlersDoNotStallTheIoThread) {
  ServerOptions o;
  o.threads = 1;  // one I/O thread: a blocking handler on it would stall everything
  Start(o);
  RawClient slow(server_->port());
  slow.Send(Request("GET", "/test/blocking"));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto start = std::chrono::steady_clock::now();
  RawClient fast(server_->port());
  fast.Send(Request("GET", "/healthz"));
  EXPECT_EQ(fast.Read().status, 200);
  // Answered while the blocking handler still sleeps (it has ~950 ms to go).
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
  auto r = slow.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"blocking":true})");
}

TEST_F(ServerTest, BusyPortIsAClearError) {
  Start();
  ServerOptions o;
  o.port = server_->port();
  auto second = StartHttpServer(o, router_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace cfr::http
