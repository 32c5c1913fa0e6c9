// The cache of parsed trace views shared across blame requests.
#include "attribution/trace_cache.hpp"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace ats::attribution {
namespace {

std::string Record(const std::string& id, const std::string& revision = "r1") {
  return R"({"id": ")" + id + R"(", "timestamp": "2026-03-10T11:00:00Z", "vcs": {"revision": ")" +
         revision + R"("}, "files": [{"path": "a.py"}]})";
}

// Bytes one cached entry of Record(id) takes (ids of equal length take the same).
size_t EntryBytes(const std::string& id) {
  TraceViewCache probe(1u << 20);
  probe.Get("p", id, Record(id));
  return probe.bytes();
}

TEST(TraceViewCache, ParsesOnceThenServesTheSameView) {
  TraceViewCache cache(1u << 20);
  auto first = cache.Get("p", "t1", Record("t1"));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->id, "t1");
  EXPECT_EQ(first->revision, "r1");
  auto second = cache.Get("p", "t1", Record("t1"));
  EXPECT_EQ(first.get(), second.get());
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_GE(cache.bytes(), ApproximateBytes(*first));
}

TEST(TraceViewCache, TheKeyIsProjectAndTraceId) {
  TraceViewCache cache(1u << 20);
  auto a = cache.Get("p1", "t1", Record("t1", "r1"));
  auto b = cache.Get("p2", "t1", Record("t1", "r2"));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->revision, "r1");
  EXPECT_EQ(b->revision, "r2");
  EXPECT_EQ(cache.size(), 2u);
  // Stored records never change, so the text is not compared: a hit on the key alone...
  EXPECT_EQ(cache.Get("p1", "t1", Record("t1", "r3")).get(), a.get());
  // ...guarded only by the record's size, which a reset-and-reingest would most likely change:
  // then the entry is parsed again and replaced.
  auto c = cache.Get("p1", "t1", Record("t1", "r1-longer"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->revision, "r1-longer");
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.Get("p1", "t1", Record("t1", "r1-longer")).get(), c.get());
}

TEST(TraceViewCache, EvictsTheLeastRecentlyUsedToStayWithinItsBytes) {
  const size_t entry = EntryBytes("a");
  TraceViewCache cache(2 * entry + entry / 2);  // room for two entries
  cache.Get("p", "a", Record("a"));
  cache.Get("p", "b", Record("b"));
  cache.Get("p", "a", Record("a"));  // a is now the most recent
  cache.Get("p", "c", Record("c"));  // evicts b
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_LE(cache.bytes(), cache.capacity_bytes());
  const size_t misses = cache.misses();
  cache.Get("p", "a", Record("a"));
  EXPECT_EQ(cache.misses(), misses);
  cache.Get("p", "b", Record("b"));
  EXPECT_EQ(cache.misses(), misses + 1);
}

TEST(TraceViewCache, ManyRecordsNeverExceedTheBudget) {
  const size_t budget = 64 * 1024;
  TraceViewCache cache(budget);
  for (int i = 0; i < 2000; ++i) {
    const std::string id = "trace-with-a-long-identifier-" + std::to_string(i);
    ASSERT_TRUE(cache.Get("project", id, Record(id, std::string(40, 'f'))));
    ASSERT_LE(cache.bytes(), budget);
  }
  EXPECT_GT(cache.size(), 10u);
  EXPECT_LT(cache.size(), 2000u);
}

TEST(TraceViewCache, ApproximateBytesGrowWithTheRecord) {
  std::optional<TraceView> small = ParseTraceJson(Record("t"));
  std::optional<TraceView> large = ParseTraceJson(
      R"({"id": "t", "tool": {"name": "claude-code", "version": "2.0.22-with-a-long-suffix"},
          "files": [{"path": "src/some/rather/long/path/to/a/file.py", "conversations": [
            {"url": "file:///home/u/.claude/projects/x/0123456789abcdef.jsonl",
             "contributor": {"type": "ai", "model_id": "anthropic/claude-sonnet-4-5"},
             "ranges": [{"start_line": 1, "end_line": 20, "content_hash": "sha256:0123456789abcdef"},
                        {"start_line": 30, "end_line": 40, "content_hash": "sha256:fedcba9876543210"}]}]}]})");
  ASSERT_TRUE(small && large);
  EXPECT_GE(ApproximateBytes(*small), sizeof(TraceView));
  EXPECT_GT(ApproximateBytes(*large), ApproximateBytes(*small) + 300);
}

TEST(TraceViewCache, UnusableRecordsAreNotCachedAndZeroCapacityDisables) {
  TraceViewCache cache(1u << 20);
  EXPECT_FALSE(cache.Get("p", "x", "{not json"));
  EXPECT_EQ(cache.size(), 0u);
  TraceViewCache off(0);
  EXPECT_TRUE(off.Get("p", "t1", Record("t1")));
  EXPECT_EQ(off.size(), 0u);
  EXPECT_EQ(off.bytes(), 0u);
}

TEST(TraceViewCache, FallsBackToTheStoredTimestamp) {
  TraceViewCache cache(1u << 20);
  auto view = cache.Get("p", "t", R"({"id": "t", "timestamp": "garbled"})", 42);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->timestamp_micros, 42);
}

TEST(TraceViewCache, ConcurrentUseIsSafe) {
  TraceViewCache cache(50 * EntryBytes("t10"));
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&cache] {
      for (int i = 0; i < 500; ++i) {
        const std::string id = "t" + std::to_string(10 + i % 80);
        auto v = cache.Get("p", id, Record(id));
        ASSERT_TRUE(v);
        ASSERT_EQ(v->id, id);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_LE(cache.bytes(), cache.capacity_bytes());
  EXPECT_LE(cache.size(), 50u);
  EXPECT_EQ(cache.hits() + cache.misses(), 2000u);
}

}  // namespace
}  // namespace ats::attribution
