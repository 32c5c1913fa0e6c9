// Database health for GET /health, with a short-lived cached verdict so a load balancer polling
// thousands of times a second costs a handful of database round trips, not thousands.
#pragma once

#include <chrono>
#include <mutex>

#include "common/status.hpp"
#include "storage/store.hpp"

namespace ats {

class HealthService {
 public:
  explicit HealthService(Store& store,
                         std::chrono::milliseconds max_age = std::chrono::milliseconds(200))
      : store_(store), max_age_(max_age) {}

  // OK when the database answered a ping within max_age; otherwise the ping's error.
  Status Check();

 private:
  Store& store_;
  const std::chrono::milliseconds max_age_;
  std::mutex mutex_;
  Status last_;
  std::chrono::steady_clock::time_point checked_at_{};
};

}  // namespace ats
