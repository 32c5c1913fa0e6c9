// The cache of parsed trace views shared across blame requests.
#include "attribution/trace_cache.hpp"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace ats::attribution {
namespace {

StoredTrace Stored(const std::string& id, const std::string& revision = "r1") {
  StoredTrace t;
  t.trace_id = id;
  t.record_json = R"({"id": ")" + id + R"(", "timestamp": "2026-03-10T11:00:00Z", "vcs": {"revision": ")" +
                  revision + R"("}, "files": [{"path": "a.py"}]})";
  t.timestamp = 1;
  return t;
}

TEST(TraceViewCache, ParsesOnceThenServesTheSameView) {
  TraceViewCache cache(10);
  auto first = cache.Get(Stored("t1"));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->id, "t1");
  EXPECT_EQ(first->revision, "r1");
  auto second = cache.Get(Stored("t1"));
  EXPECT_EQ(first.get(), second.get());
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(TraceViewCache, ADifferentRecordUnderTheSameIdIsADifferentEntry) {
  TraceViewCache cache(10);
  auto a = cache.Get(Stored("t1", "r1"));
  auto b = cache.Get(Stored("t1", "r2"));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->revision, "r1");
  EXPECT_EQ(b->revision, "r2");
  EXPECT_EQ(cache.size(), 2u);
}

TEST(TraceViewCache, EvictsTheLeastRecentlyUsed) {
  TraceViewCache cache(2);
  cache.Get(Stored("a"));
  cache.Get(Stored("b"));
  cache.Get(Stored("a"));  // a is now the most recent
  cache.Get(Stored("c"));  // evicts b
  EXPECT_EQ(cache.size(), 2u);
  const size_t misses = cache.misses();
  cache.Get(Stored("a"));
  EXPECT_EQ(cache.misses(), misses);
  cache.Get(Stored("b"));
  EXPECT_EQ(cache.misses(), misses + 1);
}

TEST(TraceViewCache, UnusableRecordsAreNotCachedAndZeroCapacityDisables) {
  TraceViewCache cache(10);
  StoredTrace bad;
  bad.trace_id = "x";
  bad.record_json = "{not json";
  EXPECT_FALSE(cache.Get(bad));
  EXPECT_EQ(cache.size(), 0u);
  TraceViewCache off(0);
  EXPECT_TRUE(off.Get(Stored("t1")));
  EXPECT_EQ(off.size(), 0u);
}

TEST(TraceViewCache, FallsBackToTheStoredTimestamp) {
  TraceViewCache cache(10);
  StoredTrace t;
  t.trace_id = "t";
  t.record_json = R"({"id": "t", "timestamp": "garbled"})";
  t.timestamp = 42;
  auto view = cache.Get(t);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->timestamp_micros, 42);
}

TEST(TraceViewCache, ConcurrentUseIsSafe) {
  TraceViewCache cache(50);
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&cache] {
      for (int i = 0; i < 500; ++i) {
        auto v = cache.Get(Stored("t" + std::to_string(i % 80)));
        ASSERT_TRUE(v);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_LE(cache.size(), 50u);
  EXPECT_EQ(cache.hits() + cache.misses(), 2000u);
}

}  // namespace
}  // namespace ats::attribution
