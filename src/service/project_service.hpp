// Projects: create-or-update, read with statistics, members and visibility.
#pragma once

#include <string>

#include <boost/json/value.hpp>

#include "auth/tokens.hpp"
#include "service/project_access.hpp"
#include "storage/store.hpp"

namespace ats {

struct ProjectWithStats {
  Project project;
  ProjectStats stats;
};

class ProjectService {
 public:
  ProjectService(Store& store, ProjectAccess& access) : store_(store), access_(access) {}

  // POST /api/v1/projects body; also accepts "visibility" ("team" | "private") from the owner
  // or an admin.
  Result<Project> Upsert(const auth::Caller& caller, const boost::json::value& body);
  // GET /api/v1/projects/<id>; kNotFound "Project not found".
  Result<ProjectWithStats> Get(const auth::Caller& caller, const std::string& project_id);
  // POST / DELETE /api/v1/projects/<id>/members body {"user_id"}: owner or admin only.
  Status AddMember(const auth::Caller& caller, const std::string& project_id,
                   const boost::json::value& body);
  Status RemoveMember(const auth::Caller& caller, const std::string& project_id,
                      const boost::json::value& body);

 private:
  Store& store_;
  ProjectAccess& access_;
};

}  // namespace ats
