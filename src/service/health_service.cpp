#include "service/health_service.hpp"

namespace ats {

Status HealthService::Check() {
  // One caller pings while the others wait for its verdict; the ping is bounded by the store's
  // own timeout.
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  if (checked_at_.time_since_epoch().count() != 0 && now - checked_at_ < max_age_) return last_;
  last_ = store_.Ping();
  checked_at_ = std::chrono::steady_clock::now();
  return last_;
}

}  // namespace ats
