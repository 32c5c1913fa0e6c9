// Status and Result<T>: the one error type carried across layers.
//
// Expected failures (a bad record, an unknown project, a database that is down) are values of
// this type; exceptions are reserved for the truly unexpected. The HTTP layer maps each Code to a
// status and a public message in exactly one place (src/http/error_mapping.cpp).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace ats {

// A JSON-pointer path inside a request body and what is wrong there.
struct FieldError {
  std::string path;     // e.g. "/trace/files/0/path"
  std::string message;  // e.g. "must be a string"
};

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,   // the request is malformed or fails validation (400)
    kNotFound,          // the named thing does not exist or is not visible to the caller (404)
    kUnauthenticated,   // missing, malformed, expired or revoked credentials (401)
    kPermissionDenied,  // valid credentials without the needed scope or role (403)
    kTooLarge,          // a body, batch or field beyond a configured limit (413)
    kRateLimited,       // per-token rate limit exceeded (429)
    kUnavailable,       // the database cannot be reached right now (503)
    kNotImplemented,    // (501)
    kInternal,          // a bug or an unexpected failure (500); the message is logged, not shown
  };

  Status() = default;

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg, std::vector<FieldError> details = {}) {
    Status s(Code::kInvalidArgument, std::move(msg));
    s.details_ = std::move(details);
    return s;
  }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status Unauthenticated(std::string msg) {
    return {Code::kUnauthenticated, std::move(msg)};
  }
  static Status PermissionDenied(std::string msg) {
    return {Code::kPermissionDenied, std::move(msg)};
  }
  static Status TooLarge(std::string msg) { return {Code::kTooLarge, std::move(msg)}; }
  static Status RateLimited(std::string msg) { return {Code::kRateLimited, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status NotImplemented(std::string msg) { return {Code::kNotImplemented, std::move(msg)}; }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsUnavailable() const { return code_ == Code::kUnavailable; }
  bool IsUnauthenticated() const { return code_ == Code::kUnauthenticated; }

  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<FieldError>& details() const { return details_; }

  // "InvalidArgument: message" for logs.
  std::string ToString() const;

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
  std::vector<FieldError> details_;
};

const char* CodeName(Status::Code code);

// Either a value or a non-OK Status.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}                // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}       // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace ats

// Propagates a non-OK Status from an expression returning Status.
#define ATS_RETURN_IF_ERROR(expr)            \
  do {                                       \
    ::ats::Status ats_status_ = (expr);      \
    if (!ats_status_.ok()) return ats_status_; \
  } while (0)
