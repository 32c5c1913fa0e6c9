#include "service/versioned_cache.hpp"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace ats {
namespace {

VersionedCache::Value Text(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

TEST(VersionedCacheTest, HitsOnlyAtTheVersionItWasPutAt) {
  VersionedCache cache(1 << 20);
  cache.Put("p/list", 7, Text("page at 7"));
  ASSERT_NE(cache.Find("p/list", 7), nullptr);
  EXPECT_EQ(*cache.Find("p/list", 7), "page at 7");
  EXPECT_EQ(cache.Find("p/list", 8), nullptr);  // the data changed since
  EXPECT_EQ(cache.Find("p/list", 6), nullptr);
  EXPECT_EQ(cache.Find("other", 7), nullptr);
  EXPECT_EQ(cache.hits(), 2u);
  EXPECT_EQ(cache.misses(), 3u);
}

TEST(VersionedCacheTest, ANewerVersionReplacesAndAnOlderOneNeverDoes) {
  VersionedCache cache(1 << 20);
  cache.Put("k", 5, Text("five"));
  cache.Put("k", 6, Text("six"));
  EXPECT_EQ(*cache.Find("k", 6), "six");
  cache.Put("k", 5, Text("five again"));  // a slow reader of the older data comes late
  EXPECT_EQ(cache.Find("k", 5), nullptr);
  EXPECT_EQ(*cache.Find("k", 6), "six");
  EXPECT_EQ(cache.size(), 1u);
}

TEST(VersionedCacheTest, StaysWithinItsBytesDroppingTheLeastRecentlyUsed) {
  const std::string value(1000, 'x');
  VersionedCache cache(5000);
  for (int i = 0; i < 4; ++i) cache.Put("k" + std::to_string(i), 1, Text(value));
  ASSERT_NE(cache.Find("k0", 1), nullptr);  // k0 is now the most recently used
  cache.Put("k4", 1, Text(value));  // four entries fit: the fifth pushes k1 out
  EXPECT_LE(cache.bytes(), 5000u);
  EXPECT_EQ(cache.size(), 4u);
  EXPECT_NE(cache.Find("k0", 1), nullptr);
  EXPECT_EQ(cache.Find("k1", 1), nullptr);
  EXPECT_NE(cache.Find("k2", 1), nullptr);
  EXPECT_NE(cache.Find("k4", 1), nullptr);
}

TEST(VersionedCacheTest, AValueLargerThanTheCapacityIsNotKept) {
  VersionedCache cache(100);
  cache.Put("k", 1, Text(std::string(200, 'x')));
  EXPECT_EQ(cache.Find("k", 1), nullptr);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(VersionedCacheTest, ZeroCapacityKeepsNothing) {
  VersionedCache cache(0);
  EXPECT_FALSE(cache.enabled());
  cache.Put("k", 1, Text("v"));
  EXPECT_EQ(cache.Find("k", 1), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(VersionedCacheTest, ConcurrentPutsAndFindsKeepTheAccountingExact) {
  VersionedCache cache(20'000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string key = "k" + std::to_string(i % 50);
        cache.Put(key, i % 7 + t, Text(std::string(100 + i % 300, 'y')));
        if (auto v = cache.Find(key, i % 7 + t)) {
          EXPECT_GE(v->size(), 100u);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(cache.bytes(), 20'000u);
  EXPECT_LE(cache.size(), 50u);
}

}  // namespace
}  // namespace ats
