// A tiny blocking HTTP/1.1 client for tests: one request per fresh loopback connection.
//
// Plain POSIX sockets underneath, so tests depend on nothing of the server's implementation.
// Every function is self-contained and safe to call from several threads at once.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ats::test {

struct HttpResult {
  int status = 0;  // 0 when the connection failed / timed out
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased

  // The first header with that lower-case name; "" when absent.
  std::string Header(std::string_view lower_name) const;
  // The parsed body; a null value when it is not JSON.
  boost::json::value Json() const;
};

// One request on a fresh connection to 127.0.0.1:port. Sends `Connection: close` and, when the
// body is non-empty, `Content-Type: application/json` and a Content-Length, unless `headers`
// names them itself (a Transfer-Encoding header also suppresses Content-Length, and `body` is
// then sent as given). Interim 1xx responses are skipped. `timeout_ms` bounds the whole exchange.
HttpResult Request(uint16_t port, const std::string& method, const std::string& target,
                   const std::string& body = "",
                   const std::vector<std::pair<std::string, std::string>>& headers = {},
                   int timeout_ms = 10000);

// Writes raw bytes, reads until the server closes or timeout; returns everything read ("" when
// the connection failed).
std::string SendRaw(uint16_t port, const std::string& bytes, int timeout_ms = 5000);

}  // namespace ats::test
