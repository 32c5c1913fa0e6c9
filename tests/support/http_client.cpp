#include "support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <functional>
#include <optional>

namespace ats::test {

namespace {

using Clock = std::chrono::steady_clock;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

// A non-blocking socket connected to 127.0.0.1:port, or -1.
int Connect(uint16_t port, Clock::time_point deadline) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (errno != EINPROGRESS) {
      ::close(fd);
      return -1;
    }
    pollfd p{fd, POLLOUT, 0};
    int error = 0;
    socklen_t len = sizeof(error);
    if (::poll(&p, 1, RemainingMs(deadline)) != 1 ||
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
      ::close(fd);
      return -1;
    }
  }
  return fd;
}

// Sends `out` while reading whatever arrives into `in` (a server may answer before it has read
// everything, e.g. with 413), until `complete(in)` holds, the peer closes, or the deadline.
// Returns true when the peer closed the connection.
bool Exchange(int fd, std::string_view out, std::string& in, Clock::time_point deadline,
              const std::function<bool(const std::string&)>& complete) {
  size_t sent = 0;
  char buffer[16384];
  for (;;) {
    const int wait_ms = RemainingMs(deadline);
    if (wait_ms == 0) return false;
    pollfd p{fd, static_cast<short>(POLLIN | (sent < out.size() ? POLLOUT : 0)), 0};
    const int ready = ::poll(&p, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
      if (n > 0) {
        in.append(buffer, static_cast<size_t>(n));
        if (complete(in)) return false;
      } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        return true;
      }
    }
    if ((p.revents & POLLOUT) && sent < out.size()) {
      const ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<size_t>(n);
      } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        sent = out.size();  // the server stopped reading; its answer may still be readable
      }
    }
  }
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<uint64_t> ParseNumber(std::string_view s, int base) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (ec != std::errc() || end == s.data()) return std::nullopt;
  return value;
}

// Decodes a chunked body starting at `raw`; nullopt while incomplete.
std::optional<std::string> DecodeChunked(std::string_view raw) {
  std::string body;
  size_t pos = 0;
  for (;;) {
    const size_t line_end = raw.find("\r\n", pos);
    if (line_end == std::string_view::npos) return std::nullopt;
    std::string_view size_text = raw.substr(pos, line_end - pos);
    size_text = size_text.substr(0, size_text.find(';'));
    const auto size = ParseNumber(Trim(size_text), 16);
    if (!size) return std::nullopt;
    pos = line_end + 2;
    if (*size == 0) {
      // The last chunk ends with an empty line, after optional trailer fields.
      if (raw.find("\r\n\r\n", line_end) == std::string_view::npos) return std::nullopt;
      return body;
    }
    if (raw.size() < pos + *size + 2) return std::nullopt;
    body.append(raw.substr(pos, *size));
    pos += *size + 2;
  }
}

// Parses the final response in `raw` (skipping 1xx ones). Returns false while it is incomplete;
// without framing headers the body runs until the close (`closed`).
bool ParseResponse(std::string_view raw, bool closed, HttpResult& result) {
  size_t pos = 0;
  for (;;) {
    const size_t head_end = raw.find("\r\n\r\n", pos);
    if (head_end == std::string_view::npos) return false;
    const std::string_view head = raw.substr(pos, head_end - pos);
    const size_t body_start = head_end + 4;
    const size_t status_end = std::min(head.find("\r\n"), head.size());
    const std::string_view status_line = head.substr(0, status_end);
    if (status_line.substr(0, 7) != "HTTP/1." || status_line.size() < 12) return false;
    const auto status = ParseNumber(status_line.substr(9, 3), 10);
    if (!status) return false;
    if (*status >= 100 && *status < 200) {
      pos = body_start;
      continue;
    }

    HttpResult parsed;
    parsed.status = static_cast<int>(*status);
    size_t line_start = status_end + 2;
    while (line_start < head.size()) {
      size_t line_end = head.find("\r\n", line_start);
      if (line_end == std::string_view::npos) line_end = head.size();
      const std::string_view line = head.substr(line_start, line_end - line_start);
      const size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string name(Trim(line.substr(0, colon)));
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        parsed.headers.emplace_back(std::move(name), std::string(Trim(line.substr(colon + 1))));
      }
      line_start = line_end + 2;
    }

    const std::string_view rest = raw.substr(body_start);
    if (IEquals(parsed.Header("transfer-encoding"), "chunked")) {
      auto body = DecodeChunked(rest);
      if (!body) return false;
      parsed.body = std::move(*body);
    } else if (const std::string length = parsed.Header("content-length"); !length.empty()) {
      const auto n = ParseNumber(length, 10);
      if (!n || rest.size() < *n) return false;
      parsed.body = std::string(rest.substr(0, *n));
    } else {
      if (!closed) return false;
      parsed.body = std::string(rest);
    }
    result = std::move(parsed);
    return true;
  }
}

}  // namespace

std::string HttpResult::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

boost::json::value HttpResult::Json() const {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec);
  return ec ? boost::json::value() : value;
}

HttpResult Request(uint16_t port, const std::string& method, const std::string& target,
                   const std::string& body,
                   const std::vector<std::pair<std::string, std::string>>& headers,
                   int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  Fd fd(Connect(port, deadline));
  if (fd.get() < 0) return {};

  auto has = [&headers](std::string_view name) {
    return std::any_of(headers.begin(), headers.end(),
                       [name](const auto& header) { return IEquals(header.first, name); });
  };
  std::string request = method + " " + target + " HTTP/1.1\r\n";
  if (!has("host")) request += "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
  if (!has("connection")) request += "Connection: close\r\n";
  if (!body.empty() && !has("content-type")) request += "Content-Type: application/json\r\n";
  if (!has("content-length") && !has("transfer-encoding") &&
      (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")) {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n";
  request += body;

  std::string in;
  HttpResult result;
  const bool closed = Exchange(fd.get(), request, in, deadline, [&result](const std::string& raw) {
    return ParseResponse(raw, false, result);
  });
  if (result.status == 0 && !ParseResponse(in, closed, result)) return {};
  return result;
}

std::string SendRaw(uint16_t port, const std::string& bytes, int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  Fd fd(Connect(port, deadline));
  if (fd.get() < 0) return {};
  std::string in;
  Exchange(fd.get(), bytes, in, deadline, [](const std::string&) { return false; });
  return in;
}

}  // namespace ats::test
