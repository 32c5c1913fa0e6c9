// API tokens: issue, verify, revoke.
//
// A token is "ats.<id>.<secret>": the id names a stored TokenRecord, the secret is 256 random
// bits of which the database keeps only the SHA-256. Verification looks the id up and compares
// the hash in constant time, so a leaked database yields no usable token and a forged token
// needs the secret. Records are cached for at most one second, so a revocation reaches every
// running instance within a second.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.hpp"
#include "model/records.hpp"
#include "storage/store.hpp"

namespace ats::auth {

inline constexpr const char* kScopeIngest = "ingest";
inline constexpr const char* kScopeRead = "read";
inline constexpr const char* kScopeAdmin = "admin";

// Who is calling, once their token has been verified.
struct Caller {
  std::string token_id;
  std::string user_id;
  std::vector<std::string> scopes;
  std::optional<UnixMicros> expires_at;

  bool HasScope(std::string_view scope) const;
  bool IsAdmin() const { return HasScope(kScopeAdmin); }
};

struct IssueRequest {
  std::string user_id;
  std::vector<std::string> scopes = {kScopeIngest, kScopeRead};
  std::optional<int64_t> ttl_seconds;  // nullopt: never expires
};

struct IssuedToken {
  std::string token;  // shown once; never stored
  TokenRecord record;
};

// Parses "ingest,read" / "ingest read" into a validated, de-duplicated scope list.
Result<std::vector<std::string>> ParseScopes(std::string_view text);

// Parses "90d", "12h", "30m", "3600s" or "3600" into seconds.
Result<int64_t> ParseDuration(std::string_view text);

class TokenService {
 public:
  explicit TokenService(Store& store) : store_(store) {}

  // Creates and stores a token. kInvalidArgument for an empty or over-long user id or scopes.
  Result<IssuedToken> Issue(const IssueRequest& request);

  // kUnauthenticated for anything that is not a live token of this deployment (malformed,
  // unknown id, wrong secret, expired, revoked); kUnavailable when the store is down.
  Result<Caller> Verify(std::string_view token);

  // Marks the token revoked. kNotFound when unknown.
  Status Revoke(const std::string& token_id);

  Result<std::vector<TokenRecord>> List() { return store_.ListTokens(); }
  Result<std::optional<TokenRecord>> Find(const std::string& token_id) {
    return store_.GetToken(token_id);
  }

 private:
  Result<std::optional<TokenRecord>> CachedLookup(const std::string& id);

  struct CacheEntry {
    std::optional<TokenRecord> record;
    std::chrono::steady_clock::time_point fetched;
  };
  Store& store_;
  std::mutex cache_mutex_;
  std::unordered_map<std::string, CacheEntry> cache_;
};

}  // namespace ats::auth
