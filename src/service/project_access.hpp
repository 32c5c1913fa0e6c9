// Who may see and write a project: `team` projects are open to every valid token of the
// deployment, `private` ones to their owner, their members and admins. Everyone else is told the
// project does not exist, on every route, so private project names do not leak.
//
// Thread-safe. An existing project's visibility and owner are cached for up to a second (how
// long a change made by another instance takes to apply here); absence is never cached, and
// membership is read on every check.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "auth/tokens.hpp"
#include "common/status.hpp"
#include "storage/store.hpp"

namespace ats {

class ProjectAccess {
 public:
  explicit ProjectAccess(Store& store) : store_(store) {}

  // OK when the caller may read `project_id` (also when the project does not exist yet: the
  // route then answers its own not-found). Otherwise kNotFound with `not_found_message`.
  Status CheckRead(const auth::Caller& caller, const std::string& project_id,
                   const std::string& not_found_message);
  // OK when the caller may write to `project_id` (an absent project is created by the write).
  Status CheckWrite(const auth::Caller& caller, const std::string& project_id);
  // OK when the caller owns the project or is an admin (members and visibility management).
  Status CheckManage(const auth::Caller& caller, const std::string& project_id);
  // Drops cached visibility after a change made by this process.
  void Forget(const std::string& project_id);

 private:
  struct Entry {
    bool exists = false;
    bool is_private = false;
    std::string owner;
    std::chrono::steady_clock::time_point fetched;
  };
  Result<Entry> Lookup(const std::string& project_id);
  Status Check(const auth::Caller& caller, const std::string& project_id,
               const std::string& not_found_message);

  Store& store_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> cache_;
};

}  // namespace ats
