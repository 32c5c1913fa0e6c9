// A thread-safe cache of parsed trace views shared across blame requests, bounded in bytes.
//
// Stored trace records never change: the first ingest of a (project_id, trace_id) wins and a
// re-sent id keeps the stored record. So a view parsed once serves every later request for that
// trace, and the key is just (project_id, trace_id): hashing the record text on every look-up
// would cost as much as a good part of the parse it saves. As a cheap guard against a database
// reset and re-ingest under a running service, an entry also remembers the size of the record
// it was parsed from, and a record of another size is parsed again (replacing the entry).
//
// The bound is on the approximate memory of the cached views plus the cache's own bookkeeping
// (ApproximateBytes), least recently used first out, so the cache's footprint does not depend on
// how large the records happen to be.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "attribution/records.hpp"
#include "common/time.hpp"
#include "model/records.hpp"

namespace ats::attribution {

// Approximate heap and inline bytes held by a parsed view (strings, vectors, the tool object).
size_t ApproximateBytes(const TraceView& view);

class TraceViewCache {
 public:
  // Keeps views totalling at most `capacity_bytes`, dropping the least recently used; 0 disables
  // caching (every Get parses).
  explicit TraceViewCache(size_t capacity_bytes);

  TraceViewCache(const TraceViewCache&) = delete;
  TraceViewCache& operator=(const TraceViewCache&) = delete;

  // The parsed view of the stored record `record_json` of (project_id, trace_id), parsed now on
  // a miss (outside the lock; `fallback_timestamp` is used when the record's own timestamp does
  // not parse); nullptr when the record is not a usable trace (such results are not cached).
  // Thread-safe.
  std::shared_ptr<const TraceView> Get(std::string_view project_id, std::string_view trace_id,
                                       std::string_view record_json,
                                       std::optional<UnixMicros> fallback_timestamp = {});

  // The cached view of (project_id, trace_id) without a record to check it against (stored
  // records never change, so a caller may skip fetching a record it has seen), with the stored
  // timestamp it was cached with; a null view when not cached. A hit counts as one; a miss does
  // not (the Get that usually follows counts it). Thread-safe.
  struct Found {
    std::shared_ptr<const TraceView> view;
    UnixMicros stored_timestamp = 0;
  };
  Found Find(std::string_view project_id, std::string_view trace_id);
  // Find for several traces of one project under one lock (a request looks up hundreds, from
  // many threads at once): out[i] is for trace_ids[i].
  void FindAll(std::string_view project_id, std::span<const std::string_view> trace_ids,
               std::vector<Found>& out);

  size_t size() const;   // entries
  size_t bytes() const;  // approximate bytes held
  size_t capacity_bytes() const { return capacity_; }
  size_t hits() const;
  size_t misses() const;

 private:
  struct Entry {
    std::string project_id;
    std::string trace_id;
    size_t record_size = 0;
    UnixMicros stored_timestamp = 0;
    size_t bytes = 0;
    std::shared_ptr<const TraceView> view;
  };
  using Lru = std::list<Entry>;  // most recently used first
  // Keys view the project_id / trace_id strings of their list node, which never move.
  struct Key {
    std::string_view project_id;
    std::string_view trace_id;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      const size_t h = std::hash<std::string_view>{}(k.trace_id);
      return h ^ (std::hash<std::string_view>{}(k.project_id) + 0x9e3779b97f4a7c15ull + (h << 6) +
                  (h >> 2));
    }
  };

  // Drops least recently used entries until the total fits. Requires mu_.
  void EvictLocked();
  // Find's look-up. Requires mu_.
  Found FindLocked(std::string_view project_id, std::string_view trace_id);

  const size_t capacity_;
  mutable std::mutex mu_;
  Lru lru_;
  boost::unordered_flat_map<Key, Lru::iterator, KeyHash> index_;
  size_t bytes_ = 0;
  size_t hits_ = 0;
  size_t misses_ = 0;
};

}  // namespace ats::attribution
