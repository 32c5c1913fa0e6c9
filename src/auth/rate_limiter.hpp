// Optional per-token rate limit: a token bucket per token id. Disabled when the rate is 0.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ats::auth {

class RateLimiter {
 public:
  // `per_second` requests refill each second, up to `burst` stored; 0 disables the limit.
  RateLimiter(double per_second, double burst) : rate_(per_second), burst_(burst) {}

  // True when the request may proceed (and takes a token from the bucket). Thread-safe.
  bool Allow(const std::string& key);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point updated;
  };
  const double rate_;
  const double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace ats::auth
