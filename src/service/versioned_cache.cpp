#include "service/versioned_cache.hpp"

namespace ats {
namespace {

// Per entry beyond its key and value: the list node, the index slot, the shared value's control
// block and the string header behind it.
constexpr size_t kEntryOverheadBytes = 160;

size_t EntryBytes(std::string_view key, const std::string& value) {
  return key.size() + value.size() + kEntryOverheadBytes;
}

}  // namespace

VersionedCache::VersionedCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

VersionedCache::Value VersionedCache::Find(std::string_view key, int64_t version) {
  if (!enabled()) return nullptr;
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end() || it->second->version != version) {
    ++misses_;
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  ++hits_;
  return it->second->value;
}

void VersionedCache::Put(std::string_view key, int64_t version, Value value) {
  if (!enabled() || value == nullptr) return;
  const size_t bytes = EntryBytes(key, *value);
  if (bytes > capacity_) return;
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it != index_.end()) {
    if (it->second->version > version) return;
    EraseLocked(it->second);
  }
  lru_.push_front(Entry{std::string(key), version, std::move(value), bytes});
  index_.emplace(std::string_view(lru_.front().key), lru_.begin());
  bytes_ += bytes;
  EvictLocked();
}

void VersionedCache::EraseLocked(Lru::iterator it) {
  bytes_ -= it->bytes;
  index_.erase(std::string_view(it->key));
  lru_.erase(it);
}

void VersionedCache::EvictLocked() {
  while (bytes_ > capacity_ && !lru_.empty()) EraseLocked(std::prev(lru_.end()));
}

size_t VersionedCache::size() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

size_t VersionedCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

size_t VersionedCache::hits() const {
  std::lock_guard lock(mu_);
  return hits_;
}

size_t VersionedCache::misses() const {
  std::lock_guard lock(mu_);
  return misses_;
}

Result<VersionedCache::Value> CachedAnswer(
    VersionedCache* cache, Store& store, const std::string& project_id,
    const std::function<std::string()>& key,
    const std::function<Result<VersionedCache::Value>()>& build) {
  if (cache == nullptr || !cache->enabled()) return build();
  Result<int64_t> version = store.GetProjectDataVersion(project_id);
  if (!version.ok()) return version.status();
  const std::string k = key();
  if (VersionedCache::Value hit = cache->Find(k, *version)) return hit;
  Result<VersionedCache::Value> built = build();
  if (built.ok()) cache->Put(k, *version, *built);
  return built;
}

}  // namespace ats
