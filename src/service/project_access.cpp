#include "service/project_access.hpp"

namespace ats {
namespace {
// Visibility changes reach other instances within this time; it keeps the hot read paths from
// paying a project lookup on every request.
constexpr auto kCacheTtl = std::chrono::milliseconds(1000);
constexpr size_t kMaxCacheEntries = 100'000;
}  // namespace

Result<ProjectAccess::Entry> ProjectAccess::Lookup(const std::string& project_id) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(project_id);
    if (it != cache_.end() && now - it->second.fetched < kCacheTtl) return it->second;
  }
  auto project = store_.GetProject(project_id);
  if (!project.ok()) return project.status();
  Entry entry;
  entry.fetched = now;
  if (project->has_value()) {
    entry.exists = true;
    entry.is_private = (*project)->visibility == "private";
    entry.owner = (*project)->owner_user_id;
  }
  // Only existing projects are cached. A remembered "absent" would outlive the project's
  // creation: its creator's next request (adding members) would be told it does not exist, and a
  // project just created private elsewhere would be treated as absent, i.e. open, for a second.
  if (!entry.exists) return entry;
  std::lock_guard lock(mutex_);
  if (cache_.size() >= kMaxCacheEntries) cache_.clear();
  cache_[project_id] = entry;
  return entry;
}

Status ProjectAccess::Check(const auth::Caller& caller, const std::string& project_id,
                            const std::string& not_found_message) {
  auto entry = Lookup(project_id);
  if (!entry.ok()) return entry.status();
  if (!entry->exists || !entry->is_private) return Status::Ok();
  if (caller.IsAdmin() || caller.user_id == entry->owner) return Status::Ok();
  auto member = store_.IsProjectMember(project_id, caller.user_id);
  if (!member.ok()) return member.status();
  if (*member) return Status::Ok();
  return Status::NotFound(not_found_message);
}

Status ProjectAccess::CheckRead(const auth::Caller& caller, const std::string& project_id,
                                const std::string& not_found_message) {
  return Check(caller, project_id, not_found_message);
}

Status ProjectAccess::CheckWrite(const auth::Caller& caller, const std::string& project_id) {
  return Check(caller, project_id, "Project not found");
}

Status ProjectAccess::CheckManage(const auth::Caller& caller, const std::string& project_id) {
  auto entry = Lookup(project_id);
  if (!entry.ok()) return entry.status();
  if (!entry->exists) return Status::NotFound("Project not found");
  if (caller.IsAdmin() || caller.user_id == entry->owner) return Status::Ok();
  ATS_RETURN_IF_ERROR(Check(caller, project_id, "Project not found"));
  return Status::PermissionDenied("Only the project owner or an admin may do this");
}

void ProjectAccess::Forget(const std::string& project_id) {
  std::lock_guard lock(mutex_);
  cache_.erase(project_id);
}

}  // namespace ats
