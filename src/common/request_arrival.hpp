// The time budget of one request's database work, counted from the request's arrival.
//
// The server marks, on the handler thread, when the request it runs arrived; the stores end
// their waits (a pool slot, the SQLite writer, connecting, statements) at DeadlineAfter(timeout).
// Time spent queued for a handler thread is then part of the budget: when every handler is stuck
// on a database that stopped answering, the requests queued behind them still hear 503 within
// DB_TIMEOUT_SECONDS of arriving instead of after several timeouts in a row.
#pragma once

#include <chrono>

namespace ats {

class RequestArrival {
 public:
  using Clock = std::chrono::steady_clock;

  // Marks `at` as the arrival of the request this thread runs, until destruction.
  explicit RequestArrival(Clock::time_point at);
  ~RequestArrival();
  RequestArrival(const RequestArrival&) = delete;
  RequestArrival& operator=(const RequestArrival&) = delete;

  // `budget` after this thread's request arrived; outside a request, `budget` from now.
  static Clock::time_point DeadlineAfter(Clock::duration budget);
  // When this thread's request arrived; outside a request, now. Work done later for the
  // request on another thread marks this there, so the budget keeps counting from the arrival.
  static Clock::time_point OfThisThread();

 private:
  Clock::time_point previous_;
};

}  // namespace ats
