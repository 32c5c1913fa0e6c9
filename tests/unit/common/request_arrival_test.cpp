#include "common/request_arrival.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace ats {
namespace {

using Clock = RequestArrival::Clock;
using std::chrono::seconds;

TEST(RequestArrivalTest, OutsideARequestTheBudgetStartsNow) {
  const Clock::time_point before = Clock::now();
  const Clock::time_point deadline = RequestArrival::DeadlineAfter(seconds(5));
  EXPECT_GE(deadline, before + seconds(5));
  EXPECT_LE(deadline, Clock::now() + seconds(5));
}

TEST(RequestArrivalTest, TheBudgetCountsFromTheArrivalOfThisThreadsRequest) {
  const Clock::time_point arrived = Clock::now() - seconds(3);  // queued for 3 s
  {
    const RequestArrival arrival(arrived);
    EXPECT_EQ(RequestArrival::DeadlineAfter(seconds(5)), arrived + seconds(5));
    // Another thread's requests are its own.
    std::thread other([] {
      const Clock::time_point before = Clock::now();
      EXPECT_GE(RequestArrival::DeadlineAfter(seconds(5)), before + seconds(5));
    });
    other.join();
  }
  // Ended with the request.
  const Clock::time_point before = Clock::now();
  EXPECT_GE(RequestArrival::DeadlineAfter(seconds(5)), before + seconds(5));
}

TEST(RequestArrivalTest, AnArrivalInTheFutureCannotExtendTheBudget) {
  const RequestArrival arrival(Clock::now() + seconds(60));
  const Clock::time_point deadline = RequestArrival::DeadlineAfter(seconds(5));
  EXPECT_LE(deadline, Clock::now() + seconds(5));
}

TEST(RequestArrivalTest, NestedMarksRestoreTheOuterOne) {
  const Clock::time_point outer = Clock::now() - seconds(1);
  const RequestArrival first(outer);
  {
    const RequestArrival second(Clock::now() - seconds(2));
  }
  EXPECT_EQ(RequestArrival::DeadlineAfter(seconds(5)), outer + seconds(5));
}

}  // namespace
}  // namespace ats
