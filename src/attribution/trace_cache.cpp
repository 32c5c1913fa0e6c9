#include "attribution/trace_cache.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

namespace ats::attribution {
namespace {

namespace json = boost::json;

// What malloc adds to each block, roughly.
constexpr size_t kAllocationOverhead = 16;

// Heap bytes of a std::string beyond the object itself (none while it fits the inline buffer).
size_t HeapBytes(const std::string& s) {
  return s.capacity() > 15 ? s.capacity() + 1 + kAllocationOverhead : 0;
}

template <typename T>
size_t VectorBytes(const std::vector<T>& v) {
  return v.capacity() == 0 ? 0 : v.capacity() * sizeof(T) + kAllocationOverhead;
}

// Heap bytes of a JSON value beyond the value itself.
size_t JsonHeapBytes(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: {
      const json::string& s = v.get_string();
      return s.capacity() > 14 ? s.capacity() + 1 + kAllocationOverhead : 0;
    }
    case json::kind::array: {
      const json::array& a = v.get_array();
      size_t n = a.capacity() * sizeof(json::value) + kAllocationOverhead;
      for (const json::value& e : a) n += JsonHeapBytes(e);
      return n;
    }
    case json::kind::object: {
      const json::object& o = v.get_object();
      // Entries plus the hash index of larger objects.
      size_t n = o.capacity() * (sizeof(json::key_value_pair) + sizeof(uint32_t)) +
                 kAllocationOverhead;
      for (const json::key_value_pair& kv : o) {
        n += kv.key().size() + 1 + JsonHeapBytes(kv.value());
      }
      return n;
    }
    default:
      return 0;
  }
}

}  // namespace

size_t ApproximateBytes(const TraceView& view) {
  size_t n = sizeof(TraceView) + HeapBytes(view.id) + HeapBytes(view.timestamp) +
             HeapBytes(view.revision) + JsonHeapBytes(view.tool) + VectorBytes(view.files);
  for (const FileView& f : view.files) {
    n += HeapBytes(f.path) + VectorBytes(f.ranges) + VectorBytes(f.content_hashes) +
         VectorBytes(f.conversations);
    for (const std::string& h : f.content_hashes) n += HeapBytes(h);
    for (const ConversationView& c : f.conversations) {
      n += HeapBytes(c.url) + HeapBytes(c.contributor_type) + HeapBytes(c.model_id);
    }
  }
  return n;
}

TraceViewCache::TraceViewCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

std::shared_ptr<const TraceView> TraceViewCache::Get(std::string_view project_id,
                                                     std::string_view trace_id,
                                                     std::string_view record_json,
                                                     std::optional<UnixMicros> fallback_timestamp) {
  if (capacity_ > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(Key{project_id, trace_id});
    if (it != index_.end() && it->second->record_size == record_json.size()) {
      ++hits_;
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->view;
    }
    ++misses_;
  }
  std::optional<TraceView> parsed = ParseTraceJson(record_json, fallback_timestamp);
  if (!parsed) return nullptr;
  auto view = std::make_shared<const TraceView>(std::move(*parsed));
  if (capacity_ == 0) return view;

  Entry entry{std::string(project_id), std::string(trace_id), record_json.size(),
              fallback_timestamp.value_or(0), 0, view};
  // The view (and its control block), the list node, the two key strings and the index slot.
  entry.bytes = ApproximateBytes(*view) + 2 * kAllocationOverhead + sizeof(Lru::value_type) +
                2 * sizeof(void*) + HeapBytes(entry.project_id) + HeapBytes(entry.trace_id) +
                sizeof(Key) + sizeof(Lru::iterator);
  if (entry.bytes > capacity_) return view;  // would evict everything else for nothing

  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(Key{project_id, trace_id});
  if (it != index_.end()) {
    if (it->second->record_size == record_json.size()) {
      return it->second->view;  // another thread parsed it meanwhile
    }
    bytes_ -= it->second->bytes;  // a different record under this key: replace it
    lru_.erase(it->second);
    index_.erase(it);
  }
  bytes_ += entry.bytes;
  lru_.push_front(std::move(entry));
  const Entry& stored = lru_.front();
  index_.emplace(Key{stored.project_id, stored.trace_id}, lru_.begin());
  EvictLocked();
  return view;
}

TraceViewCache::Found TraceViewCache::Find(std::string_view project_id,
                                           std::string_view trace_id) {
  if (capacity_ == 0) return {};
  std::lock_guard<std::mutex> lock(mu_);
  return FindLocked(project_id, trace_id);
}

void TraceViewCache::FindAll(std::string_view project_id,
                             std::span<const std::string_view> trace_ids,
                             std::vector<Found>& out) {
  out.clear();
  out.resize(trace_ids.size());
  if (capacity_ == 0 || trace_ids.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < trace_ids.size(); ++i) out[i] = FindLocked(project_id, trace_ids[i]);
}

TraceViewCache::Found TraceViewCache::FindLocked(std::string_view project_id,
                                                 std::string_view trace_id) {
  auto it = index_.find(Key{project_id, trace_id});
  if (it == index_.end()) return {};
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return {it->second->view, it->second->stored_timestamp};
}

void TraceViewCache::EvictLocked() {
  while (bytes_ > capacity_ && !lru_.empty()) {
    const Entry& victim = lru_.back();
    index_.erase(Key{victim.project_id, victim.trace_id});
    bytes_ -= victim.bytes;
    lru_.pop_back();
  }
}

size_t TraceViewCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

size_t TraceViewCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
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
