#include "attribution/trace_cache.hpp"

#include <functional>
#include <string_view>

namespace ats::attribution {
namespace {

std::string KeyOf(const StoredTrace& trace) {
  const size_t hash = std::hash<std::string_view>{}(trace.record_json);
  std::string key = trace.trace_id;
  key.push_back('\0');
  key += std::to_string(hash);
  key.push_back(':');
  key += std::to_string(trace.record_json.size());
  return key;
}

}  // namespace

TraceViewCache::TraceViewCache(size_t capacity) : capacity_(capacity) {}

std::shared_ptr<const TraceView> TraceViewCache::Get(const StoredTrace& trace) {
  std::string key = KeyOf(trace);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      ++hits_;
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->view;
    }
    ++misses_;
  }
  std::optional<TraceView> parsed = ParseTraceJson(trace.record_json, trace.timestamp);
  if (!parsed) return nullptr;
  auto view = std::make_shared<const TraceView>(std::move(*parsed));
  if (capacity_ == 0) return view;

  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it != index_.end()) return it->second->view;  // another thread parsed it meanwhile
  lru_.push_front(Entry{key, view});
  index_.emplace(std::move(key), lru_.begin());
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  return view;
}

size_t TraceViewCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

size_t TraceViewCache::hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}

size_t TraceViewCache::misses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return misses_;
}

}  // namespace ats::attribution
