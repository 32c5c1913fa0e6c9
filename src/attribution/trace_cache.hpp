// A bounded, thread-safe cache of parsed trace views, shared across blame requests.
//
// Stored trace records never change (a re-sent id keeps the first record), and parsing them is
// most of a blame request's CPU time, so a view parsed once can serve later requests. The key is
// the trace id plus a hash and the length of the record text, so a record that did change (a
// database reset and re-ingest, another project with the same id) is simply a different entry.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "attribution/records.hpp"
#include "model/records.hpp"

namespace ats::attribution {

class TraceViewCache {
 public:
  // Keeps at most `capacity` views, dropping the least recently used; 0 disables caching.
  explicit TraceViewCache(size_t capacity);

  TraceViewCache(const TraceViewCache&) = delete;
  TraceViewCache& operator=(const TraceViewCache&) = delete;

  // The parsed view of `trace`, parsed now on a miss (outside the lock); nullptr when the record
  // is not a usable trace (such results are not cached). Thread-safe.
  std::shared_ptr<const TraceView> Get(const StoredTrace& trace);

  size_t size() const;
  size_t hits() const;
  size_t misses() const;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const TraceView> view;
  };
  using Lru = std::list<Entry>;

  const size_t capacity_;
  mutable std::mutex mu_;
  Lru lru_;  // most recently used first
  std::unordered_map<std::string, Lru::iterator> index_;
  size_t hits_ = 0;
  size_t misses_ = 0;
};

}  // namespace ats::attribution
