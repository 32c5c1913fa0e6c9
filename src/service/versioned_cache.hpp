// A thread-safe cache of serialised answers derived from one project's data, each kept with the
// project's data version (Store::GetProjectDataVersion) it was derived at, bounded in bytes.
//
// A reader reads the version first, then looks up its key: an entry at exactly that version is
// still what the data would give now, so the reader skips the queries and the work behind it.
// Otherwise it derives the answer from the data, which is at least as new as the version, and
// puts it at that version. Writes on any server raise the version in the database, so the check
// holds across processes sharing one database; costing one small query, it pays where the
// answer takes several queries or a large read (blame, listing pages).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <boost/unordered/unordered_flat_map.hpp>

#include "common/status.hpp"
#include "storage/store.hpp"

namespace ats {

class VersionedCache {
 public:
  using Value = std::shared_ptr<const std::string>;

  // Keeps entries totalling at most `capacity_bytes` (keys, values and bookkeeping), dropping
  // the least recently used; 0 disables the cache (Find always misses, Put keeps nothing).
  explicit VersionedCache(size_t capacity_bytes);

  VersionedCache(const VersionedCache&) = delete;
  VersionedCache& operator=(const VersionedCache&) = delete;

  bool enabled() const { return capacity_ > 0; }

  // The value put under `key` at exactly `version`, or null. Thread-safe.
  Value Find(std::string_view key, int64_t version);

  // Keeps `value` under `key` at `version`, replacing an entry at a lower version; an entry at a
  // higher version stays (a slower reader must not put back an older answer). A value larger
  // than the whole capacity is not kept. Thread-safe.
  void Put(std::string_view key, int64_t version, Value value);

  size_t size() const;   // entries
  size_t bytes() const;  // approximate bytes held
  size_t hits() const;
  size_t misses() const;

 private:
  struct Entry {
    std::string key;
    int64_t version = 0;
    Value value;
    size_t bytes = 0;
  };
  using Lru = std::list<Entry>;  // most recently used first

  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct KeyEqual {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  };

  void EvictLocked();
  void EraseLocked(Lru::iterator it);

  const size_t capacity_;
  mutable std::mutex mu_;
  // All guarded by mu_. The index's keys view the keys held in lru_'s entries.
  Lru lru_;
  boost::unordered_flat_map<std::string_view, Lru::iterator, KeyHash, KeyEqual> index_;
  size_t bytes_ = 0;
  size_t hits_ = 0;
  size_t misses_ = 0;
};

// The read protocol above in one place: with a cache (`cache` not null and enabled), reads the
// project's data version from `store`, returns the value kept under key() at that version, or else
// returns build() and keeps it at that version. Without one, returns build() and reads nothing
// more. Errors: the version query's or build()'s, unchanged (nothing is kept).
Result<VersionedCache::Value> CachedAnswer(VersionedCache* cache, Store& store,
                                           const std::string& project_id,
                                           const std::function<std::string()>& key,
                                           const std::function<Result<VersionedCache::Value>()>& build);

}  // namespace ats
