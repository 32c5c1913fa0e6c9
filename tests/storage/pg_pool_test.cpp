// The PostgreSQL connection pool hands a freed connection to the oldest waiter. Without that,
// the thread that released a connection usually took it straight back, and under saturation
// some waiters starved for a second and more: the p99 of fast reads.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "storage/postgres/pg_connection.hpp"
#include "test_databases.hpp"

namespace ats {
namespace {

using storage::pg::Pool;

Pool::Settings OneConnection() {
  Pool::Settings settings;
  settings.keywords = {"dbname"};
  settings.values = {testing::PostgresTestUrl()};
  settings.size = 1;
  settings.timeout = std::chrono::seconds(5);
  return settings;
}

TEST(PostgresPoolTest, AReleasedConnectionGoesToTheWaiterBeforeItsReleaserTakesItBack) {
  ASSERT_FALSE(testing::PostgresTestUrl().empty()) << "ATS_TEST_PG_URL is not set";
  for (int round = 0; round < 5; ++round) {
    Pool pool(OneConnection());
    Result<Pool::Lease> held = pool.Acquire();
    ASSERT_TRUE(held.ok()) << held.status().ToString();
    std::optional<Pool::Lease> first(std::move(held).value());

    std::atomic<int> next{0};
    int waiter_turn = -1;
    std::thread waiter([&] {
      Result<Pool::Lease> lease = pool.Acquire();
      ASSERT_TRUE(lease.ok()) << lease.status().ToString();
      waiter_turn = next++;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the waiter is queued

    first.reset();  // release, then at once ask again
    Result<Pool::Lease> again = pool.Acquire();
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    const int releaser_turn = next++;
    waiter.join();
    EXPECT_EQ(waiter_turn, 0) << "round " << round;
    EXPECT_EQ(releaser_turn, 1) << "round " << round;
  }
}

TEST(PostgresPoolTest, AWaiterGivesUpAtItsDeadlineAndLeavesTheQueue) {
  ASSERT_FALSE(testing::PostgresTestUrl().empty()) << "ATS_TEST_PG_URL is not set";
  Pool pool(OneConnection());
  Result<Pool::Lease> held = pool.Acquire();
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  std::optional<Pool::Lease> first(std::move(held).value());

  const auto started = std::chrono::steady_clock::now();
  Result<Pool::Lease> late = pool.Acquire(started + std::chrono::milliseconds(200));
  EXPECT_TRUE(late.status().IsUnavailable()) << late.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));

  // The timed-out waiter is gone from the queue: the released connection reaches the next caller.
  first.reset();
  Result<Pool::Lease> next = pool.Acquire(std::chrono::steady_clock::now() + std::chrono::seconds(2));
  EXPECT_TRUE(next.ok()) << next.status().ToString();
}

}  // namespace
}  // namespace ats
