// The HTTP/1.1 transport behind server.hpp, after Beast's awaitable and advanced servers.
//
// Each connection is one coroutine on its own strand: read a request with a fresh parser, hand it
// to the worker pool, resume on the strand with the response, write it, repeat. Requests on a
// connection are therefore served strictly in order, which is all HTTP pipelining asks for; the
// bytes of a pipelined next request simply wait in the read buffer. Handlers run on the pool so a
// blocking database call never stalls a socket. A handler may also answer later, from any thread,
// through its Responder; the connection then waits for the answer without holding a pool thread.
#include "http/server.hpp"

#include <linux/filter.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <exception>
#include <iterator>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>

#include "common/crypto.hpp"
#include "common/request_arrival.hpp"
#include "common/time.hpp"

namespace ats::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr size_t kReadBufferReserve = 16 * 1024;  // measured: doubles POST throughput
constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kMaxRequestIdLength = 128;
// After an error response the client may still be sending the body we refused; reading (and
// dropping) it for a moment before closing keeps the kernel from answering with a reset that
// would destroy our response before the client has read it.
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr size_t kLingerMaxBytes = 4 * 1024 * 1024;
// Connections still open when the drain deadline passes are closed; this is how long Run()
// then waits for their coroutines to notice.
constexpr auto kForcedCloseGrace = std::chrono::seconds(1);
// When the drain starts the listener stops taking new handshakes, but keeps accepting for this
// long, about a round trip, so that handshakes already under way complete and are served rather
// than reset by the close.
constexpr auto kListenerCloseDelay = std::chrono::milliseconds(100);

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// ---- logging: one write(2) per line so concurrent lines never interleave ----

void WriteLogLine(std::string line) {
  line.push_back('\n');
  ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
  (void)written;  // nowhere left to report a failing stderr
}

void LogError(std::string_view what) {
  std::string line = FormatTimestamp(NowMicros());
  line += " error http: ";
  for (char c : what) line.push_back(c == '\n' || c == '\r' ? ' ' : c);
  WriteLogLine(std::move(line));
}

// ---- errors the transport answers by itself (the router's errors live elsewhere) ----

struct TransportError {
  int status;
  const char* message;
  const char* code;
};

constexpr TransportError kMalformed{400, "Malformed HTTP request", "bad_request"};
constexpr TransportError kBadTarget{400, "Invalid request target", "bad_request"};
constexpr TransportError kBadGzip{400, "Invalid gzip request body", "bad_request"};
constexpr TransportError kTooLarge{413, "Request body too large", "too_large"};
constexpr TransportError kUnsupportedEncoding{415, "Unsupported Content-Encoding",
                                              "unsupported_encoding"};
constexpr TransportError kHeaderTooLarge{431, "Request header fields too large",
                                         "header_too_large"};
constexpr TransportError kInternal{500, "Internal server error", "internal"};

Response ErrorResponse(const TransportError& error) {
  Response response;
  response.status = error.status;
  response.body =
      std::string(R"({"error": ")") + error.message + R"(", "code": ")" + error.code + R"("})";
  return response;
}

// ---- helpers without Beast types ----

enum class GunzipResult { kOk, kTooLarge, kInvalid };

// Inflates a gzip body (concatenated members allowed, RFC 1952 2.2) while never holding more
// than `limit` + 1 output bytes, so a gzip bomb costs at most the limit in memory.
GunzipResult Gunzip(std::string_view in, uint64_t limit, std::string& out) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return GunzipResult::kInvalid;
  struct End {
    z_stream* zs;
    ~End() { inflateEnd(zs); }
  } end{&zs};

  const uint64_t cap = limit == std::numeric_limits<uint64_t>::max() ? limit : limit + 1;
  auto next = reinterpret_cast<const Bytef*>(in.data());
  size_t remaining = in.size();
  out.clear();
  for (;;) {
    if (zs.avail_in == 0 && remaining > 0) {
      const auto n =
          static_cast<uInt>(std::min<size_t>(remaining, std::numeric_limits<uInt>::max()));
      zs.next_in = const_cast<Bytef*>(next);
      zs.avail_in = n;
      next += n;
      remaining -= n;
    }
    const size_t old_size = out.size();
    const auto room = static_cast<size_t>(std::min<uint64_t>(kReadChunk * 4, cap - old_size));
    out.resize(old_size + room);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + old_size);
    zs.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    out.resize(old_size + room - zs.avail_out);
    if (out.size() > limit) return GunzipResult::kTooLarge;
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0 && remaining == 0) return GunzipResult::kOk;
      if (inflateReset(&zs) != Z_OK) return GunzipResult::kInvalid;
      continue;
    }
    // Z_BUF_ERROR here means no progress was possible: the input ended mid-stream.
    if (rc != Z_OK) return GunzipResult::kInvalid;
  }
}

// An X-Request-Id from the client is echoed only when it is short and visible ASCII, so it can
// go into a log line and a response header as is.
bool IsAcceptableRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Framing and identity headers belong to the transport; a handler cannot set them through
// Response::headers (nor smuggle a line break into any header).
bool IsAllowedExtraHeader(const std::string& name, const std::string& value) {
  if (name.empty() || name.find_first_of(":\r\n") != std::string::npos ||
      value.find_first_of("\r\n") != std::string::npos) {
    return false;
  }
  const std::string lower = AsciiLower(name);
  return lower != "content-length" && lower != "transfer-encoding" && lower != "connection" &&
         lower != "content-type" && lower != "x-request-id";
}

// Runs `work(responder)` (which must not throw) on the pool; the answer it gives through the
// Responder, then or later from any thread, resumes the awaiting operation on its own executor,
// the connection's strand.
template <typename Work, typename Token>
auto AsyncRunOnPool(asio::thread_pool& pool, Work work, Token&& token) {
  return asio::async_initiate<Token, void(Response)>(
      [&pool](auto completion, Work work) {
        asio::post(pool, [completion = std::move(completion), work = std::move(work)]() mutable {
          // The Responder is copyable and the completion is not: the copies share it.
          auto shared = std::make_shared<decltype(completion)>(std::move(completion));
          work(Responder([shared](Response response) {
            auto executor = asio::get_associated_executor(*shared);
            asio::dispatch(executor, [shared, response = std::move(response)]() mutable {
              std::move(*shared)(std::move(response));
            });
          }));
        });
      },
      token, std::move(work));
}

class Session;

// What every connection shares: configuration, the handler, the worker pool and the registry of
// open connections (for max_connections and for shutdown).
struct Core {
  Core(ServerOptions o, DeferringHandler h)
      : options(std::move(o)),
        handler(std::move(h)),
        pool(static_cast<size_t>(std::max(1, options.worker_threads))) {}

  // Adds a connection unless max_connections are already open.
  bool Register(Session* session) {
    std::lock_guard lock(mu);
    if (sessions.size() >= static_cast<size_t>(std::max(0, options.max_connections))) return false;
    sessions.insert(session);
    return true;
  }

  void Unregister(Session* session) {
    {
      std::lock_guard lock(mu);
      sessions.erase(session);
    }
    cv.notify_all();
  }

  // Live connections, kept alive by the returned pointers; call without holding `mu`.
  std::vector<std::shared_ptr<Session>> LiveSessions();

  const ServerOptions options;
  const DeferringHandler handler;
  asio::thread_pool pool;
  std::atomic<bool> draining{false};

  std::mutex mu;
  std::condition_variable cv;             // a connection closed, the accept loop ended, or a
                                          // stop was requested
  std::unordered_set<Session*> sessions;  // guarded by mu
  bool accepting = false;                 // the accept loop runs; guarded by mu
  bool stop_requested = false;            // guarded by mu
};

// What the access log and error responses need to know about the request being served.
struct Exchange {
  Clock::time_point started = Clock::now();
  std::string method = "-";
  std::string path = "-";  // as sent, minus the query (never logged: it may carry tokens)
  std::string request_id;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Core& core, tcp::socket socket)
      : core_(core), accepted_at_(Clock::now()), stream_(std::move(socket)) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_address_ = endpoint.address().to_string();
  }

  ~Session() { core_.Unregister(this); }

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  asio::any_io_executor executor() { return stream_.get_executor(); }

  // The connection's coroutine; `self` keeps the session alive for as long as it runs.
  static asio::awaitable<void> Serve(std::shared_ptr<Session> self) {
    try {
      co_await self->Loop();
    } catch (const std::exception& e) {
      LogError(std::string("connection failed: ") + e.what());
    }
  }

  // Shutdown: a kept-alive connection waiting for a next request closes, unless bytes of that
  // request have already arrived (see AwaitRequest). Run on the strand, after `draining` is set.
  void CloseIfIdle() {
    // Not a close: the wait's completion may already be queued with bytes the reactor has read,
    // which a close would drop unanswered. Cancelling lets AwaitRequest look and decide.
    if (idle_) stream_.cancel();
  }

  // Shutdown after the drain deadline. Run on the strand.
  void Close() { stream_.close(); }

 private:
  std::chrono::seconds Seconds(int n) const { return std::chrono::seconds(std::max(1, n)); }

  asio::awaitable<void> Loop() {
    buffer_.reserve(kReadBufferReserve);
    bool first = true;
    for (;;) {
      if (buffer_.size() == 0 && !co_await AwaitRequest(first)) co_return;
      // The header deadline counts from the first byte of the request (from the accept for the
      // first request), so a client trickling one byte at a time is dropped when it passes.
      const Clock::time_point header_start = first ? accepted_at_ : Clock::now();
      first = false;
      if (!co_await ServeOne(header_start)) break;
    }
    // A clean close: let the client read everything we sent before the FIN.
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // Waits for the first bytes of a request: under the idle deadline, or for a new connection the
  // header deadline. False when the connection is to close instead: the client hung up, the
  // deadline passed, or the server is draining and this kept-alive connection has no request
  // under way.
  asio::awaitable<bool> AwaitRequest(bool first) {
    stream_.expires_after(
        Seconds(first ? core_.options.header_timeout_seconds : core_.options.idle_timeout_seconds));
    for (;;) {
      // While draining, a kept-alive connection is closed only when no byte of a next request
      // has arrived: the client of such a request sent it before our Connection: close could
      // reach it, and closing a socket with unread bytes answers them with a reset. A new
      // connection is never idle this way: its client connected to send a request, so that
      // request is awaited (under the header deadline, within the drain deadline).
      if (!first && core_.draining.load() && !BytesPending()) co_return false;
      idle_ = !first;
      auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), kNoThrow);
      idle_ = false;
      if (!ec) {
        buffer_.commit(n);
        co_return true;
      }
      // CloseIfIdle cancels the wait so the check above runs again; anything else, or the
      // forced close after the drain deadline, ends the connection.
      if (ec != asio::error::operation_aborted || !stream_.socket().is_open()) co_return false;
    }
  }

  bool BytesPending() {
    beast::error_code ec;
    const size_t n = stream_.socket().available(ec);
    return !ec && n > 0;
  }

  // Reads, handles and answers one request. Returns whether to keep the connection open.
  asio::awaitable<bool> ServeOne(Clock::time_point header_start) {
    Exchange exchange;
    parser_.emplace();
    parser_->header_limit(core_.options.header_limit);
    parser_->body_limit(core_.options.body_limit);

    stream_.expires_at(header_start + Seconds(core_.options.header_timeout_seconds));
    auto [header_ec, header_bytes] =
        co_await bhttp::async_read_header(stream_, buffer_, *parser_, kNoThrow);
    // Also after a failure: an error response should carry the client's request id.
    Describe(exchange);
    if (header_ec) {
      co_await FailRead(header_ec, exchange, 11);
      co_return false;
    }

    const auto& header = parser_->get();
    const unsigned version = header.version();

    if (!parser_->is_done()) {
      if (version >= 11 && beast::iequals(Trim(header[bhttp::field::expect]), "100-continue")) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        stream_.expires_after(Seconds(core_.options.body_timeout_seconds));
        auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(kContinue), kNoThrow);
        if (ec) co_return false;
      }
      stream_.expires_after(Seconds(core_.options.body_timeout_seconds));
      if (auto [ec, n] = co_await bhttp::async_read(stream_, buffer_, *parser_, kNoThrow); ec) {
        co_await FailRead(ec, exchange, version);
        co_return false;
      }
    }
    stream_.expires_never();

    bhttp::request<bhttp::string_body> message = parser_->release();
    parser_.reset();
    Request request;
    const TransportError* error = BuildRequest(message, exchange, request);
    if (error != nullptr) {
      co_await SendErrorAndClose(exchange, *error, version);
      co_return false;
    }

    const auto arrived = std::chrono::steady_clock::now();
    Response response = co_await AsyncRunOnPool(
        core_.pool,
        [this, &request, arrived](Responder respond) {
          const RequestArrival arrival(arrived);
          CallHandler(request, std::move(respond));
        },
        asio::use_awaitable);
    const bool keep_alive = message.keep_alive() && !core_.draining.load();
    co_return co_await Send(exchange, version, std::move(response), keep_alive) && keep_alive;
  }

  // What the access log and error responses need, from as much of the header as was parsed.
  void Describe(Exchange& exchange) const {
    const auto& header = parser_->get();
    if (!header.method_string().empty()) exchange.method = std::string(header.method_string());
    const std::string_view target = header.target();
    if (!target.empty()) exchange.path = std::string(target.substr(0, target.find('?')));
    const std::string_view client_id = header["x-request-id"];
    exchange.request_id = IsAcceptableRequestId(client_id) ? std::string(client_id) : NewUuid();
  }

  // Fills `request` from the parsed message; returns the error to answer with, if any.
  const TransportError* BuildRequest(bhttp::request<bhttp::string_body>& message,
                                     const Exchange& exchange, Request& request) {
    request.method = exchange.method;
    request.target = std::string(message.target());
    request.remote_address = remote_address_;
    request.request_id = exchange.request_id;

    // Origin form ("/path?query") is what clients send; absolute form is allowed by RFC 9112.
    auto url = !request.target.empty() && request.target.front() == '/'
                   ? boost::urls::parse_origin_form(request.target)
                   : boost::urls::parse_absolute_uri(request.target);
    if (!url) return &kBadTarget;
    request.path = url->path();
    if (request.path.empty()) request.path = "/";
    for (const auto& param : url->params()) {
      request.query.emplace_back(param.key, param.has_value ? param.value : std::string());
    }

    request.headers.reserve(static_cast<size_t>(std::distance(message.begin(), message.end())));
    for (const auto& field : message) {
      request.headers.emplace_back(AsciiLower(field.name_string()), std::string(field.value()));
    }

    const std::string encoding = AsciiLower(Trim(message[bhttp::field::content_encoding]));
    if (encoding.empty() || encoding == "identity") {
      request.body = std::move(message.body());
    } else if (encoding == "gzip" || encoding == "x-gzip") {
      if (!message.body().empty()) {
        switch (Gunzip(message.body(), core_.options.body_limit, request.body)) {
          case GunzipResult::kOk:
            break;
          case GunzipResult::kTooLarge:
            return &kTooLarge;
          case GunzipResult::kInvalid:
            return &kBadGzip;
        }
      }
    } else {
      return &kUnsupportedEncoding;
    }
    return nullptr;
  }

  // On a worker thread. After a throw the 500 goes out unless the handler had answered already.
  void CallHandler(Request& request, Responder respond) {
    try {
      core_.handler(request, respond);
      return;
    } catch (const std::exception& e) {
      LogError("handler threw for request_id=" + request.request_id + ": " + e.what());
    } catch (...) {
      LogError("handler threw a non-exception for request_id=" + request.request_id);
    }
    respond(ErrorResponse(kInternal));
  }

  asio::awaitable<void> FailRead(beast::error_code ec, Exchange& exchange, unsigned version) {
    if (ec == bhttp::error::header_limit) {
      co_await SendErrorAndClose(exchange, kHeaderTooLarge, version);
    } else if (ec == bhttp::error::body_limit) {
      co_await SendErrorAndClose(exchange, kTooLarge, version);
    } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
               ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      co_await SendErrorAndClose(exchange, kMalformed, version);
    }
    // Anything else (timeout, reset, the client hanging up mid-request) is dropped silently.
  }

  asio::awaitable<void> SendErrorAndClose(Exchange& exchange, const TransportError& error,
                                          unsigned version) {
    if (!co_await Send(exchange, version, ErrorResponse(error), false)) co_return;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTime);
    for (size_t dropped = 0; dropped < kLingerMaxBytes;) {
      buffer_.clear();
      auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), kNoThrow);
      if (ec) break;
      dropped += n;
    }
  }

  // Writes the response and logs it. Returns false when the connection failed.
  asio::awaitable<bool> Send(const Exchange& exchange, unsigned version, Response response,
                             bool keep_alive) {
    int status = response.status;
    if (status < 100 || status > 599) {
      LogError("handler returned status " + std::to_string(status) +
               " for request_id=" + exchange.request_id);
      response = ErrorResponse(kInternal);
      status = response.status;
    }
    bhttp::response<bhttp::string_body> message;
    message.version(version == 10 ? 10 : 11);
    message.result(static_cast<unsigned>(status));
    message.set(bhttp::field::content_type, response.content_type.empty()
                                                ? std::string("application/octet-stream")
                                                : response.content_type);
    for (const auto& [name, value] : response.headers) {
      if (IsAllowedExtraHeader(name, value)) message.insert(name, value);
    }
    message.set("X-Request-Id", exchange.request_id);
    message.keep_alive(keep_alive);
    const size_t bytes = response.body.size();
    // RFC 9110 8.6: no Content-Length on 1xx and 204; a 304 would describe another response.
    if (status >= 200 && status != 204 && status != 304) message.content_length(bytes);
    // A body after a HEAD response would be read as the start of the next response.
    if (exchange.method != "HEAD") message.body() = std::move(response.body);

    stream_.expires_after(Seconds(core_.options.body_timeout_seconds));
    auto [ec, n] = co_await bhttp::async_write(stream_, message, kNoThrow);
    stream_.expires_never();
    LogAccess(exchange, status, bytes);
    co_return !ec;
  }

  void LogAccess(const Exchange& exchange, int status, size_t bytes) const {
    if (!core_.options.access_log) return;
    const double ms =
        std::chrono::duration<double, std::milli>(Clock::now() - exchange.started).count();
    char duration[32];
    std::snprintf(duration, sizeof(duration), "%.3f", ms);
    WriteLogLine(FormatTimestamp(NowMicros()) + " access method=" + exchange.method +
                 " path=" + exchange.path + " status=" + std::to_string(status) +
                 " bytes=" + std::to_string(bytes) + " duration_ms=" + duration +
                 " request_id=" + exchange.request_id);
  }

  Core& core_;
  const Clock::time_point accepted_at_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string remote_address_;
  // Waiting for the first byte of a next request on a kept-alive connection (not for a new
  // connection's first request); only touched on the strand.
  bool idle_ = false;
};

std::vector<std::shared_ptr<Session>> Core::LiveSessions() {
  std::vector<std::shared_ptr<Session>> live;
  std::lock_guard lock(mu);
  live.reserve(sessions.size());
  for (Session* session : sessions) {
    // Null when the session is being destroyed right now (it then waits on `mu` to unregister).
    if (auto alive = session->weak_from_this().lock()) live.push_back(std::move(alive));
  }
  return live;
}

}  // namespace

struct Responder::State {
  std::function<void(Response)> send;
  std::atomic<bool> sent{false};
  ~State() {
    if (sent.load()) return;
    LogError("a handler dropped a request without answering it");
    send(ErrorResponse(kInternal));
  }
};

Responder::Responder(std::function<void(Response)> send) : state_(std::make_shared<State>()) {
  state_->send = std::move(send);
}

void Responder::operator()(Response response) const {
  if (state_->sent.exchange(true)) return;
  state_->send(std::move(response));
}

struct Server::Impl {
  Impl(ServerOptions options, DeferringHandler handler)
      : core(std::make_unique<Core>(std::move(options), std::move(handler))),
        io(std::max(1, core->options.io_threads)),
        control(asio::make_strand(io)),
        acceptor(control),
        signals(control),
        listener_close_timer(control) {}

  ~Impl() {
    // Queued handlers hold connection coroutines whose sockets live on `io`: finish them first.
    core->pool.join();
  }

  // Accepts until StopAccepting() says stop, then closes the listener.
  asio::awaitable<void> AcceptLoop() {
    while (!stop_accepting) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), kNoThrow);
      if (!ec) {
        // Also while draining: the kernel completed this connection before the listener closed.
        StartSession(std::move(socket));
      } else if (!acceptor.is_open()) {
        co_return;
      } else if (ec != asio::error::operation_aborted) {
        // Typically out of file descriptors: back off instead of spinning.
        LogError("accept failed: " + ec.message());
        asio::steady_timer timer(control, std::chrono::milliseconds(100));
        co_await timer.async_wait(kNoThrow);
      }
    }
    AcceptBacklogAndClose();
  }

  // The drain's first step, on `control`. Closing a listening socket resets the connections the
  // kernel has completed but we have not accepted yet, whose clients may well have sent a
  // request: so new handshakes are refused first (see DropNewHandshakes), those under way get
  // kListenerCloseDelay to complete, and the backlog is accepted before the close. Each of those
  // connections has its first request served (answered with Connection: close).
  void StopAccepting() {
    DropNewHandshakes();
    listener_close_timer.expires_after(kListenerCloseDelay);
    listener_close_timer.async_wait([this](beast::error_code) {
      stop_accepting = true;
      beast::error_code ignored;
      acceptor.cancel(ignored);
    });
  }

  // A socket filter on the listener that drops the SYN of every new connection, so that none
  // can complete between the last accept and the close. Such a client retries its SYN after
  // about a second, finds the listener closed and is refused; the segments that complete
  // handshakes under way pass. Accepted sockets inherit the filter, harmlessly: a connected
  // socket has no use for a bare SYN. Should attaching fail, a connection completed right before
  // the close is reset, as without the filter.
  void DropNewHandshakes() {
    sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 13),           // the TCP header's flags byte
        BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x12),        // SYN | ACK
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x02, 0, 1),  // SYN alone: a new connection
        BPF_STMT(BPF_RET | BPF_K, 0),                     // drop it
        BPF_STMT(BPF_RET | BPF_K, 0xffffffff),            // keep anything else
    };
    const sock_fprog program{static_cast<unsigned short>(std::size(code)), code};
    if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_ATTACH_FILTER, &program,
                     sizeof(program)) != 0) {
      LogError("cannot filter new connections on the listener while draining");
    }
  }

  // Accepts what the kernel has completed, without waiting, then closes the listener.
  void AcceptBacklogAndClose() {
    beast::error_code ec;
    acceptor.non_blocking(true, ec);
    while (!ec) {
      auto socket = acceptor.accept(asio::make_strand(io), ec);
      if (!ec) StartSession(std::move(socket));
    }
    acceptor.close(ec);
  }

  // On the control strand.
  void StartSession(tcp::socket socket) {
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto session = std::make_shared<Session>(*core, std::move(socket));
    if (!core->Register(session.get())) return;  // over max_connections: closed at once
    asio::co_spawn(session->executor(), Session::Serve(session), [](std::exception_ptr e) {
      if (e) LogError("connection coroutine failed");
    });
  }

  void AcceptLoopEnded() {
    {
      std::lock_guard lock(core->mu);
      core->accepting = false;
    }
    core->cv.notify_all();
  }

  void RequestStop() {
    {
      std::lock_guard lock(core->mu);
      core->stop_requested = true;
    }
    core->cv.notify_all();
  }

  // Waits until the accept loop has ended and every connection has closed, or `deadline`
  // passes; true when all closed. (While the loop runs it may still start connections.)
  bool WaitForSessions(Clock::time_point deadline) {
    std::unique_lock lock(core->mu);
    return core->cv.wait_until(lock, deadline,
                               [&] { return !core->accepting && core->sessions.empty(); });
  }

  std::unique_ptr<Core> core;  // outlives `io`: connection destructors unregister from it
  asio::io_context io;
  asio::strand<asio::io_context::executor_type> control;  // acceptor and signals
  tcp::acceptor acceptor;
  asio::signal_set signals;
  asio::steady_timer listener_close_timer;
  bool stop_accepting = false;  // only touched on `control`
  uint16_t port = 0;
};

Server::Server(ServerOptions options, DeferringHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::Server(ServerOptions options, Handler handler)
    : Server(std::move(options), [handler = std::move(handler)](Request& request,
                                                                Responder respond) {
        respond(handler(request));
      }) {}

Server::~Server() = default;

std::string Server::Listen() {
  const ServerOptions& options = impl_->core->options;
  const std::string where = options.host + ":" + std::to_string(options.port);
  beast::error_code ec;
  tcp::resolver resolver(impl_->io);
  auto results = resolver.resolve(options.host, std::to_string(options.port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) return "cannot resolve " + where + ": " + ec.message();
  const tcp::endpoint endpoint = results.begin()->endpoint();

  tcp::acceptor& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return "cannot open a socket for " + where + ": " + ec.message();
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  acceptor.bind(endpoint, ec);
  if (ec) {
    acceptor.close();
    return "cannot bind " + where + ": " + ec.message();
  }
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    acceptor.close();
    return "cannot listen on " + where + ": " + ec.message();
  }
  impl_->port = acceptor.local_endpoint(ec).port();
  return {};
}

uint16_t Server::port() const { return impl_->port; }

void Server::Run(int drain_seconds) {
  Impl& impl = *impl_;
  Core& core = *impl.core;
  if (!impl.acceptor.is_open()) {
    LogError("Run() without a successful Listen()");
    return;
  }

  // No io thread runs yet, so the acceptor and the signal set may be touched from here.
  auto work = asio::make_work_guard(impl.io);
  impl.signals.add(SIGTERM);
  impl.signals.add(SIGINT);
  impl.signals.async_wait([&impl](beast::error_code ec, int) {
    if (!ec) impl.RequestStop();
  });
  {
    std::lock_guard lock(core.mu);
    core.accepting = true;
  }
  asio::co_spawn(impl.control, impl.AcceptLoop(), [&impl](std::exception_ptr e) {
    if (e) LogError("accept loop failed");
    impl.AcceptLoopEnded();
  });
  std::vector<std::thread> threads;
  for (int i = 0; i < std::max(1, core.options.io_threads); ++i) {
    threads.emplace_back([&impl] { impl.io.run(); });
  }

  {
    std::unique_lock lock(core.mu);
    core.cv.wait(lock, [&] { return core.stop_requested; });
  }

  // Drain: stop accepting (serving what the kernel had already accepted, then closing the
  // listener), close idle keep-alive connections, let requests in flight and requests already
  // arrived finish. Every response from now on carries Connection: close.
  core.draining.store(true);
  asio::post(impl.control, [&impl] {
    impl.StopAccepting();
    beast::error_code ignored;
    impl.signals.cancel(ignored);
  });
  for (auto& session : core.LiveSessions()) {
    asio::post(session->executor(), [session] { session->CloseIfIdle(); });
  }
  if (!impl.WaitForSessions(Clock::now() + std::chrono::seconds(std::max(0, drain_seconds)))) {
    for (auto& session : core.LiveSessions()) {
      asio::post(session->executor(), [session] { session->Close(); });
    }
    impl.WaitForSessions(Clock::now() + kForcedCloseGrace);
  }

  work.reset();
  impl.io.stop();
  for (auto& thread : threads) thread.join();
  // Signals were caught (and repeats ignored) during the drain; give them back now.
  beast::error_code ignored;
  impl.signals.clear(ignored);
  // Waits for handlers still running; their completions land in the stopped io_context and are
  // destroyed with it.
  core.pool.join();
}

void Server::Shutdown() { impl_->RequestStop(); }

}  // namespace ats::http
