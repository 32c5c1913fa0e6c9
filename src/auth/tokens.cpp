#include "auth/tokens.hpp"

#include <algorithm>
#include <charconv>

#include "common/crypto.hpp"

namespace ats::auth {
namespace {

constexpr std::string_view kPrefix = "ats.";
constexpr size_t kMaxTokenLength = 512;
constexpr size_t kMaxCacheEntries = 100'000;
// How long a token record may be served from memory: bounds how late a revocation takes effect.
constexpr auto kCacheTtl = std::chrono::milliseconds(1000);

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool AllBase64Url(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), IsBase64UrlChar); }

}  // namespace

bool Caller::HasScope(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

Result<std::vector<std::string>> ParseScopes(std::string_view text) {
  std::vector<std::string> scopes;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find_first_of(", ", pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(pos, end - pos);
    if (!item.empty()) {
      if (item != kScopeIngest && item != kScopeRead && item != kScopeAdmin) {
        return Status::InvalidArgument("unknown scope '" + std::string(item) +
                                       "' (expected ingest, read, admin)");
      }
      if (std::find(scopes.begin(), scopes.end(), item) == scopes.end()) scopes.emplace_back(item);
    }
    pos = end + 1;
  }
  if (scopes.empty()) return Status::InvalidArgument("at least one scope is required");
  return scopes;
}

Result<int64_t> ParseDuration(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("empty duration");
  int64_t unit = 1;
  switch (text.back()) {
    case 'd': unit = 86400; text.remove_suffix(1); break;
    case 'h': unit = 3600; text.remove_suffix(1); break;
    case 'm': unit = 60; text.remove_suffix(1); break;
    case 's': text.remove_suffix(1); break;
    default: break;
  }
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || ptr != text.data() + text.size() || n <= 0 || n > int64_t{36500} * 86400 / unit) {
    return Status::InvalidArgument("duration must look like 90d, 12h, 30m or 3600s");
  }
  return n * unit;
}

Result<IssuedToken> TokenService::Issue(const IssueRequest& request) {
  if (request.user_id.empty() || request.user_id.size() > 256) {
    return Status::InvalidArgument("user_id must be 1 to 256 characters");
  }
  if (request.scopes.empty()) return Status::InvalidArgument("at least one scope is required");
  IssuedToken issued;
  TokenRecord& r = issued.record;
  r.id = Base64UrlEncode(RandomBytes(12));
  r.user_id = request.user_id;
  r.scopes = request.scopes;
  r.issued_at = NowMicros();
  if (request.ttl_seconds) r.expires_at = r.issued_at + *request.ttl_seconds * 1'000'000;
  std::string secret = Base64UrlEncode(RandomBytes(32));
  r.secret_hash = Sha256Hex(secret);
  ATS_RETURN_IF_ERROR(store_.InsertToken(r));
  issued.token = std::string(kPrefix) + r.id + "." + secret;
  return issued;
}

Result<std::optional<TokenRecord>> TokenService::CachedLookup(const std::string& id) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(cache_mutex_);
    auto it = cache_.find(id);
    if (it != cache_.end() && now - it->second.fetched < kCacheTtl) return it->second.record;
  }
  auto found = store_.GetToken(id);
  if (!found.ok()) return found.status();
  std::lock_guard lock(cache_mutex_);
  // Unknown ids are cached too (as nullopt) so a flood of garbage tokens cannot hammer the
  // database; the bound keeps that flood from growing memory.
  if (cache_.size() >= kMaxCacheEntries) cache_.clear();
  cache_[id] = CacheEntry{*found, now};
  return *found;
}

Result<Caller> TokenService::Verify(std::string_view token) {
  const Status invalid = Status::Unauthenticated("Invalid or expired token");
  if (token.size() > kMaxTokenLength || token.substr(0, kPrefix.size()) != kPrefix) return invalid;
  std::string_view rest = token.substr(kPrefix.size());
  size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return invalid;
  std::string_view id = rest.substr(0, dot);
  std::string_view secret = rest.substr(dot + 1);
  if (!AllBase64Url(id) || !AllBase64Url(secret)) return invalid;

  auto record = CachedLookup(std::string(id));
  if (!record.ok()) return record.status();
  if (!record->has_value()) return invalid;
  const TokenRecord& r = **record;
  if (!ConstantTimeEquals(Sha256Hex(secret), r.secret_hash)) return invalid;
  if (r.revoked_at) return invalid;
  if (r.expires_at && *r.expires_at <= NowMicros()) return invalid;
  return Caller{r.id, r.user_id, r.scopes, r.expires_at};
}

Status TokenService::Revoke(const std::string& token_id) {
  ATS_RETURN_IF_ERROR(store_.RevokeToken(token_id, NowMicros()));
  std::lock_guard lock(cache_mutex_);
  cache_.erase(token_id);
  return Status::Ok();
}

}  // namespace ats::auth
