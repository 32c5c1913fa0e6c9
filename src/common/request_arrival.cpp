#include "common/request_arrival.hpp"

#include <algorithm>

namespace ats {
namespace {
// The epoch (a default time_point) means "no request on this thread".
thread_local RequestArrival::Clock::time_point current_arrival{};
}  // namespace

RequestArrival::RequestArrival(Clock::time_point at) : previous_(current_arrival) {
  current_arrival = at;
}

RequestArrival::~RequestArrival() { current_arrival = previous_; }

RequestArrival::Clock::time_point RequestArrival::DeadlineAfter(Clock::duration budget) {
  const Clock::time_point now = Clock::now();
  const Clock::time_point start =
      current_arrival == Clock::time_point{} ? now : std::min(now, current_arrival);
  return start + budget;
}

RequestArrival::Clock::time_point RequestArrival::OfThisThread() {
  return current_arrival == Clock::time_point{} ? Clock::now() : current_arrival;
}

}  // namespace ats
