// The HTTP request path: request line, headers, chunked and gzip bodies, limits, keep-alive.
//
// One ats::http::Server runs in-process on a loopback port for the whole run, with small limits
// (so inputs of fuzzing size reach them) and a trivial handler. Each input is written as raw
// bytes over a fresh TCP connection, which is then half-closed; the reply is read until the
// server closes (bounded by a timeout). Then a well-formed request on another fresh connection
// must be answered 200: whatever a client sends, the server stays up and keeps serving others.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>

#include "fuzz/fuzz_support.hpp"
#include "http/server.hpp"

namespace {
using ats::fuzz::Fail;
using Clock = std::chrono::steady_clock;

constexpr auto kReplyTimeout = std::chrono::milliseconds(3000);

ats::http::Response Answer(ats::http::Request& request) {
  ats::http::Response response;
  // Touch everything the server filled in, so a bad value is read by instrumented code.
  size_t n = request.method.size() + request.target.size() + request.path.size() +
             request.body.size() + request.remote_address.size() + request.request_id.size();
  for (const auto& [k, v] : request.query) n += k.size() + v.size();
  for (const auto& [k, v] : request.headers) n += k.size() + v.size();
  response.body = R"({"ok": true, "bytes": )" + std::to_string(n) + "}";
  return response;
}

uint16_t StartServer() {
  ats::http::ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.io_threads = 1;
  options.worker_threads = 2;
  options.body_limit = 8 * 1024;
  options.header_limit = 2 * 1024;
  options.header_timeout_seconds = 2;
  options.body_timeout_seconds = 2;
  options.idle_timeout_seconds = 2;
  options.max_connections = 64;  // small, so a leaked connection slot soon shows
  options.access_log = false;
  // Never destroyed: the server serves until the process exits.
  auto* server = new ats::http::Server(options, Answer);
  if (std::string error = server->Listen(); !error.empty()) Fail("cannot listen: " + error);
  std::thread([server] { server->Run(1); }).detach();
  return server->port();
}

int Connect(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) Fail("socket() failed");
  // Close with a reset: thousands of connections a second would otherwise fill TIME_WAIT.
  linger no_linger{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &no_linger, sizeof no_linger);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    Fail("cannot connect to the server");
  }
  return fd;
}

// Writes everything it can (the server may close early, e.g. after a 431), ignoring errors.
void WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

// Reads until the server closes, an error, or the timeout. Returns what was read.
std::string ReadReply(int fd, bool* timed_out) {
  std::string reply;
  const auto deadline = Clock::now() + kReplyTimeout;
  char chunk[4096];
  *timed_out = false;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      *timed_out = true;
      return reply;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return reply;
    reply.append(chunk, static_cast<size_t>(n));
  }
}

void CheckAlive(uint16_t port) {
  int fd = Connect(port);
  WriteAll(fd, "GET /health HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n");
  bool timed_out = false;
  const std::string reply = ReadReply(fd, &timed_out);
  ::close(fd);
  if (reply.rfind("HTTP/1.1 200 ", 0) != 0) {
    Fail("the server no longer answers a well-formed request (got '" + reply.substr(0, 64) + "')");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const uint16_t port = StartServer();

  int fd = Connect(port);
  WriteAll(fd, std::string_view(reinterpret_cast<const char*>(data), size));
  ::shutdown(fd, SHUT_WR);  // the whole request has been sent: the server sees the end at once
  bool timed_out = false;
  const std::string reply = ReadReply(fd, &timed_out);
  ::close(fd);
  if (timed_out) Fail("no complete reply within the timeout after the client finished sending");
  if (!reply.empty() && reply.rfind("HTTP/1.", 0) != 0) Fail("reply is not HTTP");

  CheckAlive(port);
  return 0;
}
