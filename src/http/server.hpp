// The HTTP/1.1 server: plain request/response structs in front, Boost.Beast behind (server.cpp is
// the only file that includes Beast, which keeps build times low everywhere else).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ats::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target, e.g. "/api/v1/traces?project_id=p"
  std::string path;    // percent-decoded path without the query, e.g. "/api/v1/traces"
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;        // already gunzipped when Content-Encoding: gzip was sent
  std::string remote_address;
  std::string request_id;  // the client's X-Request-Id, or a generated one

  // First header / query value with that (lower-case) name, or nullptr.
  const std::string* Header(std::string_view lower_name) const;
  const std::string* QueryParam(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// Called on a worker thread (never an I/O thread), so it may block on the database.
// Must not throw; the server turns an escaped exception into a 500 JSON body and logs it.
using Handler = std::function<Response(Request&)>;

// The answer to one request, for a handler that gives it later or from another thread (a write
// that joins other requests' transaction answers when that transaction commits). Copies share
// one answer: the first call sends it, later calls are ignored. If every copy is dropped without
// a call the request is answered 500, so a lost answer can never leave a connection waiting.
// The request the handler was given stays valid until the answer is sent.
class Responder {
 public:
  explicit Responder(std::function<void(Response)> send);
  void operator()(Response response) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// A handler that answers through the Responder, on the worker thread or later from any thread.
// The same rules as Handler otherwise; a worker thread is held only while it runs.
using DeferringHandler = std::function<void(Request&, Responder)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;                  // 0 picks a free port (see Server::port())
  int io_threads = 2;                    // threads running the sockets
  int worker_threads = 32;               // threads running handlers (they block on the database)
  uint64_t body_limit = 32ull << 20;     // bytes, after gunzip too; beyond → 413
  uint32_t header_limit = 16 * 1024;     // bytes of the request line + headers; beyond → 431
  int header_timeout_seconds = 10;       // to receive the whole header (slowloris)
  int body_timeout_seconds = 60;         // to receive the body
  int idle_timeout_seconds = 75;         // keep-alive connection idle between requests
  int max_connections = 4096;            // beyond: new connections are closed at once
  bool access_log = true;                // one line per request on stderr
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  Server(ServerOptions options, DeferringHandler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Errors (address in use, bad host) are returned as a message; empty = ok.
  std::string Listen();
  // The bound port (useful with port 0).
  uint16_t port() const;
  // Serves until Shutdown() or SIGTERM/SIGINT, then drains and returns. Draining: the listener
  // closes within about 0.1 s, yet connections the kernel had completed by then are served, not
  // reset (a client connecting during that moment is refused after its SYN retry, ~1 s); idle
  // keep-alive connections are closed; requests in flight or already arrived, on any connection,
  // are answered, each response carrying Connection: close. Whatever is still open after
  // `drain_seconds` is closed.
  void Run(int drain_seconds = 30);
  // Asks Run() to return; safe from any thread.
  void Shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ats::http
