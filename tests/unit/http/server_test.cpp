// The HTTP transport over real loopback TCP: an in-process Server with a small echo handler and
// small limits and timeouts, so every limit can be crossed quickly.
#include "http/server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <csignal>
#include <cstdio>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.hpp"

namespace ats::http {
namespace {

using namespace std::chrono_literals;
using test::HttpResult;
using Clock = std::chrono::steady_clock;

std::string GzipCompress(std::string_view data) {
  z_stream zs{};
  EXPECT_EQ(
      deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  std::string out(deflateBound(&zs, data.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// A client connection kept open across requests, for keep-alive, pipelining and timing tests.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) Close();
  }
  ~RawConnection() { Close(); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads until `marker` has arrived; returns everything up to and including it ("" on failure).
  std::string ReadUntil(std::string_view marker, int timeout_ms = 5000) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      if (const size_t at = pending_.find(marker); at != std::string::npos) {
        std::string head = pending_.substr(0, at + marker.size());
        pending_.erase(0, at + marker.size());
        return head;
      }
      if (!Fill(deadline)) return {};
    }
  }

  // Reads one response framed by Content-Length (status 0 on failure).
  HttpResult ReadResponse(int timeout_ms = 5000) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    HttpResult result;
    const std::string head = ReadUntil("\r\n\r\n", timeout_ms);
    if (head.size() < 12) return result;
    size_t line_start = head.find("\r\n") + 2;
    while (line_start + 2 < head.size()) {
      const size_t line_end = head.find("\r\n", line_start);
      const std::string line = head.substr(line_start, line_end - line_start);
      std::string name = line.substr(0, line.find(':'));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const size_t value_start = line.find_first_not_of(' ', name.size() + 1);
      result.headers.emplace_back(
          name, value_start == std::string::npos ? std::string() : line.substr(value_start));
      line_start = line_end + 2;
    }
    const size_t length = std::stoul("0" + result.Header("content-length"));
    while (pending_.size() < length) {
      if (!Fill(deadline)) return HttpResult{};
    }
    result.body = pending_.substr(0, length);
    pending_.erase(0, length);
    result.status = std::stoi(head.substr(9, 3));
    return result;
  }

  // True when the peer has acknowledged everything sent, within the timeout.
  bool WaitAcknowledged(int timeout_ms) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      tcp_info info{};
      socklen_t length = sizeof(info);
      if (::getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return false;
      if (info.tcpi_unacked == 0) return true;
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(1ms);
    }
  }

  // True when the server closes the connection (EOF or reset) within the timeout.
  bool WaitClosed(int timeout_ms) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (Clock::now() < deadline) {
      if (!Fill(deadline)) return closed_;
    }
    return closed_;
  }

 private:
  // Reads what arrives before the deadline; false on timeout or close.
  bool Fill(Clock::time_point deadline) {
    if (fd_ < 0 || closed_) return false;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) return false;
    char buffer[16384];
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    pending_.append(buffer, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool closed_ = false;
  std::string pending_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  static ServerOptions SmallOptions() {
    ServerOptions options;
    options.port = 0;
    options.io_threads = 2;
    options.worker_threads = 4;
    options.body_limit = 64 * 1024;
    options.header_limit = 4096;
    options.header_timeout_seconds = 1;
    options.body_timeout_seconds = 2;
    options.idle_timeout_seconds = 5;
    options.max_connections = 64;
    options.access_log = false;
    return options;
  }

  void Start(ServerOptions options = SmallOptions()) {
    server_ =
        std::make_unique<Server>(options, [this](Request& request) { return Handle(request); });
    ASSERT_EQ(server_->Listen(), "");
    port_ = server_->port();
    ASSERT_NE(port_, 0);
    run_ = std::async(std::launch::async, [this] { server_->Run(drain_seconds_); });
  }

  void TearDown() override {
    if (server_ == nullptr) return;
    server_->Shutdown();
    EXPECT_EQ(run_.wait_for(10s), std::future_status::ready);
  }

  // GET /echo...: the request as the handler saw it; /slow: the same after slow_ms_;
  // /throw: an exception.
  Response Handle(Request& request) {
    if (request.path == "/throw") throw std::runtime_error("boom");
    if (request.path == "/slow") {
      slow_entered_ = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(slow_ms_));
    }
    boost::json::array query;
    for (const auto& [key, value] : request.query) query.push_back({key, value});
    boost::json::object echo{{"method", request.method},
                             {"path", request.path},
                             {"target", request.target},
                             {"query", std::move(query)},
                             {"body", request.body},
                             {"request_id", request.request_id},
                             {"remote", request.remote_address}};
    if (const std::string* agent = request.Header("user-agent")) echo["user_agent"] = *agent;
    Response response;
    response.body = boost::json::serialize(echo);
    response.headers.emplace_back("X-Handler", "echo");
    return response;
  }

  HttpResult Get(const std::string& target,
                 const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return test::Request(port_, "GET", target, "", headers);
  }

  // A connection whose GET /slow the handler is serving now (see slow_entered_).
  std::unique_ptr<RawConnection> StartSlowRequest() {
    auto connection = std::make_unique<RawConnection>(port_);
    EXPECT_TRUE(connection->Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
    for (int i = 0; i < 400 && !slow_entered_; ++i) std::this_thread::sleep_for(5ms);
    return connection;
  }

  std::unique_ptr<Server> server_;
  std::future<void> run_;
  uint16_t port_ = 0;
  int drain_seconds_ = 5;
  int slow_ms_ = 300;
  std::atomic<bool> slow_entered_{false};
};

// A JSON value as text: strings without quotes, anything else serialized.
std::string Text(const boost::json::value& value) {
  return value.is_string() ? std::string(value.as_string()) : boost::json::serialize(value);
}

void ExpectJsonError(const HttpResult& result, int status, std::string_view code) {
  EXPECT_EQ(result.status, status);
  EXPECT_EQ(result.Header("content-type"), "application/json");
  EXPECT_EQ(result.Header("content-length"), std::to_string(result.body.size()));
  EXPECT_FALSE(result.Header("x-request-id").empty());
  const boost::json::value json = result.Json();
  ASSERT_TRUE(json.is_object()) << result.body;
  EXPECT_TRUE(json.as_object().contains("error")) << result.body;
  EXPECT_EQ(Text(json.as_object().at("code")), code) << result.body;
}

TEST_F(HttpServerTest, DecodesPathAndQueryAndSetsStandardHeaders) {
  Start();
  const HttpResult result =
      Get("/echo/a%20b?x=1&y=hello%20world&plus=a+b&flag", {{"User-Agent", "tests"}});
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.Header("content-type"), "application/json");
  EXPECT_EQ(result.Header("content-length"), std::to_string(result.body.size()));
  EXPECT_EQ(result.Header("x-handler"), "echo");
  const boost::json::object echo = result.Json().as_object();
  EXPECT_EQ(Text(echo.at("method")), "GET");
  EXPECT_EQ(Text(echo.at("path")), "/echo/a b");
  EXPECT_EQ(Text(echo.at("target")), "/echo/a%20b?x=1&y=hello%20world&plus=a+b&flag");
  EXPECT_EQ(echo.at("query"),
            boost::json::parse(R"([["x","1"],["y","hello world"],["plus","a b"],["flag",""]])"));
  EXPECT_EQ(Text(echo.at("user_agent")), "tests");
  EXPECT_EQ(Text(echo.at("remote")), "127.0.0.1");
}

TEST_F(HttpServerTest, InvalidPercentEncodingIs400) {
  Start();
  ExpectJsonError(Get("/echo/%zz"), 400, "bad_request");
  ExpectJsonError(Get("/echo?x=%4"), 400, "bad_request");
}

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  Start();
  RawConnection connection(port_);
  ASSERT_TRUE(connection.connected());
  for (int i = 1; i <= 2; ++i) {
    ASSERT_TRUE(connection.Send("GET /echo?n=" + std::to_string(i) +
                                " HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    const HttpResult result = connection.ReadResponse();
    ASSERT_EQ(result.status, 200) << "request " << i;
    EXPECT_NE(result.Header("connection"), "close");
    EXPECT_EQ(Text(result.Json().at("query").at(0).at(1)), std::to_string(i));
  }
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Start();
  RawConnection connection(port_);
  // The first request is slow, so answering out of order would show.
  ASSERT_TRUE(
      connection.Send("GET /slow?n=1 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                      "POST /echo?n=2 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc"
                      "GET /echo?n=3 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
  for (int i = 1; i <= 3; ++i) {
    const HttpResult result = connection.ReadResponse();
    ASSERT_EQ(result.status, 200) << "response " << i;
    EXPECT_EQ(Text(result.Json().at("query").at(0).at(1)), std::to_string(i));
    if (i == 2) {
      EXPECT_EQ(Text(result.Json().at("body")), "abc");
    }
  }
  EXPECT_TRUE(connection.WaitClosed(2000));
}

TEST_F(HttpServerTest, HeadResponseHasNoBodySoTheNextResponseParses) {
  Start();
  RawConnection connection(port_);
  ASSERT_TRUE(
      connection.Send("HEAD /echo HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /echo?n=2 HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string head = connection.ReadUntil("\r\n\r\n");
  EXPECT_EQ(head.rfind("HTTP/1.1 200 ", 0), 0u) << head;
  EXPECT_NE(head.find("Content-Length: "), std::string::npos) << head;
  const HttpResult next = connection.ReadResponse();
  ASSERT_EQ(next.status, 200);
  EXPECT_EQ(Text(next.Json().at("query").at(0).at(1)), "2");
}

TEST_F(HttpServerTest, ChunkedRequestBody) {
  Start();
  const HttpResult result =
      test::Request(port_, "POST", "/echo", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
                    {{"Transfer-Encoding", "chunked"}});
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(Text(result.Json().at("body")), "hello world");
}

TEST_F(HttpServerTest, AnswersExpect100Continue) {
  Start();
  RawConnection connection(port_);
  ASSERT_TRUE(
      connection.Send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nExpect: "
                      "100-continue\r\n\r\n"));
  EXPECT_EQ(connection.ReadUntil("\r\n\r\n", 2000), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(connection.Send("hello"));
  const HttpResult result = connection.ReadResponse();
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(Text(result.Json().at("body")), "hello");
}

TEST_F(HttpServerTest, BodyOverLimitIs413AndCloses) {
  Start();
  const std::string big(64 * 1024 + 1, 'x');
  const HttpResult declared =
      test::Request(port_, "POST", "/echo", big, {{"X-Request-Id", "big-1"}});
  ExpectJsonError(declared, 413, "too_large");
  EXPECT_EQ(Text(declared.Json().at("error")), "Request body too large");
  EXPECT_EQ(declared.Header("x-request-id"), "big-1");
  EXPECT_EQ(declared.Header("connection"), "close");

  std::string chunked;
  for (int i = 0; i < 20; ++i) chunked += "1000\r\n" + std::string(4096, 'y') + "\r\n";
  chunked += "0\r\n\r\n";
  ExpectJsonError(
      test::Request(port_, "POST", "/echo", chunked, {{"Transfer-Encoding", "chunked"}}), 413,
      "too_large");

  // Exactly at the limit is fine.
  const HttpResult at_limit = test::Request(port_, "POST", "/echo", std::string(64 * 1024, 'z'));
  EXPECT_EQ(at_limit.status, 200);
}

TEST_F(HttpServerTest, HeaderOverLimitIs431) {
  Start();
  ExpectJsonError(Get("/echo", {{"X-Big", std::string(8000, 'h')}}), 431, "header_too_large");
  EXPECT_EQ(Get("/echo", {{"X-Small", std::string(1000, 'h')}}).status, 200);
}

TEST_F(HttpServerTest, GzipBodiesAreInflated) {
  Start();
  const std::string record =
      R"({"trace": {"id": "t-1"}, "padding": ")" + std::string(5000, 'p') + "\"}";
  const HttpResult result =
      test::Request(port_, "POST", "/echo", GzipCompress(record), {{"Content-Encoding", "gzip"}});
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(Text(result.Json().at("body")), record);

  // Two concatenated members are one body (RFC 1952).
  const HttpResult members =
      test::Request(port_, "POST", "/echo", GzipCompress("ab") + GzipCompress("cd"),
                    {{"Content-Encoding", "GZIP"}});
  ASSERT_EQ(members.status, 200);
  EXPECT_EQ(Text(members.Json().at("body")), "abcd");
}

TEST_F(HttpServerTest, GzipBombIs413) {
  Start();
  const std::string bomb = GzipCompress(std::string(16 << 20, '\0'));
  ASSERT_LT(bomb.size(), 64u * 1024);  // small on the wire, far beyond the limit inflated
  ExpectJsonError(test::Request(port_, "POST", "/echo", bomb, {{"Content-Encoding", "gzip"}}), 413,
                  "too_large");
  // Just over the limit after inflating is refused too.
  ExpectJsonError(
      test::Request(port_, "POST", "/echo", GzipCompress(std::string(64 * 1024 + 1, 'a')),
                    {{"Content-Encoding", "gzip"}}),
      413, "too_large");
}

TEST_F(HttpServerTest, BadGzipIs400) {
  Start();
  ExpectJsonError(
      test::Request(port_, "POST", "/echo", "this is not gzip", {{"Content-Encoding", "gzip"}}),
      400, "bad_request");
  const std::string truncated = GzipCompress(std::string(10000, 'q')).substr(0, 20);
  ExpectJsonError(test::Request(port_, "POST", "/echo", truncated, {{"Content-Encoding", "gzip"}}),
                  400, "bad_request");
  ExpectJsonError(test::Request(port_, "POST", "/echo", GzipCompress("x") + "trailing garbage",
                                {{"Content-Encoding", "gzip"}}),
                  400, "bad_request");
  ExpectJsonError(test::Request(port_, "POST", "/echo", "x", {{"Content-Encoding", "br"}}), 415,
                  "unsupported_encoding");
}

TEST_F(HttpServerTest, MalformedRequestIs400AndCloses) {
  Start();
  const auto started = Clock::now();
  const std::string reply = test::SendRaw(port_, "THIS IS NOT HTTP\r\n\r\n", 5000);
  EXPECT_LT(Clock::now() - started, 3s) << "the server should close, not wait for a timeout";
  EXPECT_EQ(reply.rfind("HTTP/1.1 400 ", 0), 0u) << reply;
  EXPECT_NE(reply.find("Connection: close"), std::string::npos) << reply;
  EXPECT_NE(reply.find("X-Request-Id: "), std::string::npos) << reply;
  EXPECT_NE(reply.find(R"("code": "bad_request")"), std::string::npos) << reply;

  const std::string bad_length =
      test::SendRaw(port_, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 5000);
  EXPECT_EQ(bad_length.rfind("HTTP/1.1 400 ", 0), 0u) << bad_length;

  // The server keeps serving others.
  EXPECT_EQ(Get("/echo").status, 200);
}

TEST_F(HttpServerTest, SlowlorisIsDroppedByTheHeaderDeadline) {
  Start();  // header_timeout_seconds = 1
  RawConnection connection(port_);
  ASSERT_TRUE(connection.Send("GET /echo HTTP/1.1\r\n"));
  const auto started = Clock::now();
  bool closed = false;
  while (Clock::now() - started < 5s && !closed) {
    closed = !connection.Send("X") || connection.WaitClosed(100);
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(Clock::now() - started, 2500ms);
}

TEST_F(HttpServerTest, IdleConnectionWithoutRequestIsDropped) {
  Start();
  RawConnection connection(port_);
  const auto started = Clock::now();
  EXPECT_TRUE(connection.WaitClosed(4000));
  EXPECT_LT(Clock::now() - started, 2500ms);
}

TEST_F(HttpServerTest, RequestIdIsEchoedOrGenerated) {
  Start();
  const HttpResult echoed = Get("/echo", {{"X-Request-Id", "client-id-42"}});
  EXPECT_EQ(echoed.Header("x-request-id"), "client-id-42");
  EXPECT_EQ(Text(echoed.Json().at("request_id")), "client-id-42");

  const HttpResult generated = Get("/echo");
  const std::string id = generated.Header("x-request-id");
  EXPECT_EQ(id.size(), 36u) << id;
  EXPECT_EQ(Text(generated.Json().at("request_id")), id);
  EXPECT_NE(Get("/echo").Header("x-request-id"), id);

  for (const std::string& unreasonable : {std::string(129, 'a'), std::string("has space")}) {
    const std::string replaced =
        Get("/echo", {{"X-Request-Id", unreasonable}}).Header("x-request-id");
    EXPECT_FALSE(replaced.empty());
    EXPECT_NE(replaced, unreasonable);
  }
  EXPECT_EQ(Get("/echo", {{"X-Request-Id", std::string(128, 'b')}}).Header("x-request-id"),
            std::string(128, 'b'));
}

TEST_F(HttpServerTest, HandlerExceptionIs500AndServerKeepsServing) {
  Start();
  const HttpResult failed = Get("/throw", {{"X-Request-Id", "boom-1"}});
  ExpectJsonError(failed, 500, "internal");
  EXPECT_EQ(Text(failed.Json().at("error")), "Internal server error");
  EXPECT_EQ(failed.Header("x-request-id"), "boom-1");
  EXPECT_EQ(Get("/echo").status, 200);
}

TEST_F(HttpServerTest, AccessLogLineOmitsQueryAndHeaders) {
  ServerOptions options = SmallOptions();
  options.access_log = true;
  Start(options);

  std::FILE* capture = std::tmpfile();
  ASSERT_NE(capture, nullptr);
  std::fflush(stderr);
  const int saved = ::dup(STDERR_FILENO);
  ::dup2(::fileno(capture), STDERR_FILENO);
  const HttpResult result =
      Get("/echo/x?token=SECRET-QUERY",
          {{"Authorization", "Bearer SECRET-HEADER"}, {"X-Request-Id", "log-1"}});
  std::string log;
  for (int i = 0; i < 50 && log.find("log-1") == std::string::npos; ++i) {
    std::this_thread::sleep_for(20ms);
    log.assign(static_cast<size_t>(::lseek(::fileno(capture), 0, SEEK_END)), '\0');
    if (::pread(::fileno(capture), log.data(), log.size(), 0) < 0) log.clear();
  }
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  std::fclose(capture);

  ASSERT_EQ(result.status, 200);
  EXPECT_NE(
      log.find("method=GET path=/echo/x status=200 bytes=" + std::to_string(result.body.size())),
      std::string::npos)
      << log;
  EXPECT_NE(log.find("request_id=log-1"), std::string::npos) << log;
  EXPECT_NE(log.find("duration_ms="), std::string::npos) << log;
  EXPECT_EQ(log.find("SECRET"), std::string::npos) << log;
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
}

TEST_F(HttpServerTest, ConnectionsBeyondMaxAreClosedAtOnce) {
  ServerOptions options = SmallOptions();
  options.max_connections = 2;
  Start(options);
  auto first = std::make_unique<RawConnection>(port_);
  RawConnection second(port_);
  for (RawConnection* connection : {first.get(), &second}) {
    ASSERT_TRUE(connection->Send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_EQ(connection->ReadResponse().status, 200);
  }

  RawConnection third(port_);
  EXPECT_TRUE(third.WaitClosed(1000));
  EXPECT_EQ(test::Request(port_, "GET", "/echo", "", {}, 2000).status, 0);

  // A slot frees up when a connection closes.
  first.reset();
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    std::this_thread::sleep_for(20ms);
    status = test::Request(port_, "GET", "/echo", "", {}, 2000).status;
  }
  EXPECT_EQ(status, 200);
}

TEST_F(HttpServerTest, ShutdownFinishesInFlightRequestsAndRefusesNewOnes) {
  slow_ms_ = 800;
  Start();
  RawConnection idle(port_);
  ASSERT_TRUE(idle.Send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(idle.ReadResponse().status, 200);

  auto busy = StartSlowRequest();
  ASSERT_TRUE(slow_entered_);

  const auto shutdown_at = Clock::now();
  server_->Shutdown();
  EXPECT_TRUE(idle.WaitClosed(1000)) << "idle keep-alive connections are closed at once";

  int refused_status = -1;
  for (int i = 0; i < 50 && refused_status != 0; ++i) {
    refused_status = test::Request(port_, "GET", "/echo", "", {}, 500).status;
    if (refused_status != 0) std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(refused_status, 0) << "new connections are refused while draining";

  const HttpResult in_flight = busy->ReadResponse(3000);
  EXPECT_EQ(in_flight.status, 200);
  EXPECT_EQ(in_flight.Header("connection"), "close");
  EXPECT_TRUE(busy->WaitClosed(1000));

  ASSERT_EQ(run_.wait_for(5s), std::future_status::ready);
  EXPECT_LT(Clock::now() - shutdown_at, 3s);
}

// A connection the server accepted before the shutdown is not idle: its client connected to send
// a request, so that request is awaited and answered (with Connection: close) even once the
// listener is closed.
TEST_F(HttpServerTest, ShutdownAnswersTheFirstRequestOfAnAlreadyAcceptedConnection) {
  ServerOptions options = SmallOptions();
  options.header_timeout_seconds = 5;  // room to watch the listener close first
  Start(options);
  RawConnection early(port_);
  ASSERT_TRUE(early.connected());
  server_->Shutdown();

  int refused_status = -1;
  for (int i = 0; i < 50 && refused_status != 0; ++i) {
    refused_status = test::Request(port_, "GET", "/echo", "", {}, 500).status;
    if (refused_status != 0) std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(refused_status, 0) << "the listener should be closed by now";

  ASSERT_TRUE(early.Send("GET /echo?n=1 HTTP/1.1\r\nHost: x\r\n\r\n"));
  const HttpResult answer = early.ReadResponse(3000);
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.Header("connection"), "close");
  EXPECT_TRUE(early.WaitClosed(1000));
  EXPECT_EQ(run_.wait_for(5s), std::future_status::ready);
}

// A request that has begun to reach the server on a kept-alive connection when the shutdown
// starts is served (answered with Connection: close), not dropped with the idle connections,
// wherever its first bytes are: in the socket or already read. Several rounds for that reason.
TEST_F(HttpServerTest, ShutdownAnswersARequestUnderWayOnAKeepAliveConnection) {
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    Start();
    RawConnection connection(port_);
    ASSERT_TRUE(connection.Send("GET /echo?n=1 HTTP/1.1\r\nHost: x\r\n\r\n"));
    const HttpResult first = connection.ReadResponse();
    ASSERT_EQ(first.status, 200);
    ASSERT_NE(first.Header("connection"), "close");

    ASSERT_TRUE(connection.Send("GET /echo?n=2 HTTP/1.1\r\n"));
    // Acknowledged: the bytes are in the server's socket (or read already), not on their way.
    ASSERT_TRUE(connection.WaitAcknowledged(1000));
    server_->Shutdown();
    std::this_thread::sleep_for(50ms);  // the drain has looked at this connection by now
    ASSERT_TRUE(connection.Send("Host: x\r\n\r\n"));
    const HttpResult second = connection.ReadResponse(3000);
    ASSERT_EQ(second.status, 200);
    EXPECT_EQ(Text(second.Json().at("query").at(0).at(1)), "2");
    EXPECT_EQ(second.Header("connection"), "close");
    EXPECT_TRUE(connection.WaitClosed(1000));
    ASSERT_EQ(run_.wait_for(5s), std::future_status::ready);
    server_.reset();
  }
}

TEST_F(HttpServerTest, ShutdownGivesUpOnRequestsBeyondTheDrainDeadline) {
  slow_ms_ = 2500;
  drain_seconds_ = 1;
  Start();
  auto busy = StartSlowRequest();
  ASSERT_TRUE(slow_entered_);
  const auto shutdown_at = Clock::now();
  server_->Shutdown();
  EXPECT_TRUE(busy->WaitClosed(2500));
  // Run waits for the handler itself (it may hold a database connection), never for the socket.
  ASSERT_EQ(run_.wait_for(5s), std::future_status::ready);
  EXPECT_LT(Clock::now() - shutdown_at, 3500ms);
}

TEST_F(HttpServerTest, SigtermStopsRun) {
  Start();
  // A served request shows Run() is past installing its signal handling.
  ASSERT_EQ(Get("/echo").status, 200);
  ASSERT_EQ(::raise(SIGTERM), 0);
  EXPECT_EQ(run_.wait_for(5s), std::future_status::ready);
}

// A server whose handler defers: /park keeps the Responder for the test to answer, /drop lets
// it go unanswered, /twice answers two times.
class DeferredHttpServerTest : public ::testing::Test {
 protected:
  void Start(int worker_threads) {
    ServerOptions options;
    options.port = 0;
    options.worker_threads = worker_threads;
    options.access_log = false;
    server_ = std::make_unique<Server>(options, [this](Request& request, Responder respond) {
      if (request.path == "/drop") return;
      if (request.path == "/twice") {
        respond(Answer("first"));
        respond(Answer("second"));
        return;
      }
      std::lock_guard lock(mutex_);
      parked_.emplace_back(request.target, std::move(respond));
      parked_changed_.notify_all();
    });
    ASSERT_EQ(server_->Listen(), "");
    run_ = std::async(std::launch::async, [this] { server_->Run(5); });
  }

  void TearDown() override {
    if (server_ == nullptr) return;
    server_->Shutdown();
    EXPECT_EQ(run_.wait_for(10s), std::future_status::ready);
  }

  static Response Answer(const std::string& text) {
    Response response;
    response.body = boost::json::serialize(boost::json::value(text));
    return response;
  }

  bool WaitForParked(size_t count) {
    std::unique_lock lock(mutex_);
    return parked_changed_.wait_for(lock, 5s, [&] { return parked_.size() >= count; });
  }

  std::unique_ptr<Server> server_;
  std::future<void> run_;
  std::mutex mutex_;
  std::condition_variable parked_changed_;
  std::vector<std::pair<std::string, Responder>> parked_;  // (target, its answer)
};

TEST_F(DeferredHttpServerTest, AnswersGivenLaterFromAnotherThreadReachTheirOwnConnections) {
  Start(/*worker_threads=*/1);
  std::vector<std::future<HttpResult>> results;
  for (int i = 0; i < 3; ++i) {
    results.push_back(std::async(std::launch::async, [this, i] {
      return test::Request(server_->port(), "GET", "/park?n=" + std::to_string(i), "");
    }));
  }
  // One worker thread took all three: it is not held while an answer is outstanding.
  ASSERT_TRUE(WaitForParked(3));
  std::thread answerer([this] {
    std::lock_guard lock(mutex_);
    for (auto it = parked_.rbegin(); it != parked_.rend(); ++it) it->second(Answer(it->first));
  });
  answerer.join();
  for (int i = 0; i < 3; ++i) {
    HttpResult result = results[static_cast<size_t>(i)].get();
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(result.body, "\"/park?n=" + std::to_string(i) + "\"");
  }
}

TEST_F(DeferredHttpServerTest, AnAnswerDroppedUnsentIsA500) {
  Start(/*worker_threads=*/2);
  HttpResult result = test::Request(server_->port(), "GET", "/drop", "");
  EXPECT_EQ(result.status, 500);
  EXPECT_NE(result.body.find("\"internal\""), std::string::npos) << result.body;
}

TEST_F(DeferredHttpServerTest, OnlyTheFirstAnswerIsSentAndTheConnectionStaysUsable) {
  Start(/*worker_threads=*/2);
  RawConnection connection(server_->port());
  ASSERT_TRUE(connection.Send("GET /twice HTTP/1.1\r\nHost: x\r\n\r\n"
                              "GET /twice HTTP/1.1\r\nHost: x\r\n\r\n"));
  for (int i = 0; i < 2; ++i) {
    HttpResult result = connection.ReadResponse();
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(result.body, "\"first\"");
  }
  EXPECT_TRUE(connection.ReadUntil("HTTP/1.1", 300).empty());  // no stray third response
}

TEST(HttpServerListenTest, ReportsAPortInUse) {
  ServerOptions options;
  options.port = 0;
  Server first(options, [](Request&) { return Response{}; });
  ASSERT_EQ(first.Listen(), "");
  options.port = first.port();
  Server second(options, [](Request&) { return Response{}; });
  EXPECT_NE(second.Listen(), "");
}

}  // namespace
}  // namespace ats::http
