#include "service/project_service.hpp"

#include "service/json_fields.hpp"
#include "spec/trace_record.hpp"

namespace ats {
namespace json = boost::json;
namespace {

// Reads an optional string field: absent/null → nullopt; a non-string → error.
Status OptionalText(const json::object& o, std::string_view key, size_t max,
                    std::optional<std::string>& out) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return Status::Ok();
  std::string path = "/" + std::string(key);
  if (!v->is_string()) {
    return Status::InvalidArgument(std::string(key) + " must be a string", {{path, "must be a string"}});
  }
  if (v->get_string().size() > max) {
    return Status::InvalidArgument(std::string(key) + " is too long", {{path, "too long"}});
  }
  out = ToStd(v->get_string());
  return Status::Ok();
}

Result<std::string> MemberUserId(const json::value& body) {
  const json::object* o = body.if_object();
  if (!o) return Status::InvalidArgument("Request body must be a JSON object");
  const json::string* user = StringField(*o, "user_id");
  if (!user || user->empty() || user->size() > spec::kMaxIdLength) {
    return Status::InvalidArgument("user_id is required", {{"/user_id", "is required"}});
  }
  return ToStd(*user);
}

}  // namespace

Result<Project> ProjectService::Upsert(const auth::Caller& caller, const json::value& body) {
  const json::object* o = body.if_object();
  if (!o) return Status::InvalidArgument("Request body must be a JSON object");
  const json::string* project_id = StringField(*o, "project_id");
  if (!project_id || project_id->empty()) return Status::InvalidArgument("project_id is required");
  if (project_id->size() > spec::kMaxIdLength) {
    return Status::InvalidArgument("project_id is too long", {{"/project_id", "too long"}});
  }
  ProjectUpsert upsert;
  upsert.project_id = ToStd(*project_id);
  upsert.user_id = caller.user_id;
  ATS_RETURN_IF_ERROR(OptionalText(*o, "name", 1024, upsert.name));
  ATS_RETURN_IF_ERROR(OptionalText(*o, "description", 64 * 1024, upsert.description));
  std::optional<std::string> visibility;
  ATS_RETURN_IF_ERROR(OptionalText(*o, "visibility", 16, visibility));
  if (visibility && *visibility != "team" && *visibility != "private") {
    return Status::InvalidArgument("visibility must be \"team\" or \"private\"",
                                   {{"/visibility", "must be team or private"}});
  }

  ATS_RETURN_IF_ERROR(access_.CheckWrite(caller, upsert.project_id));
  auto existing = store_.GetProject(upsert.project_id);
  if (!existing.ok()) return existing.status();
  bool is_manager = !existing->has_value() || caller.IsAdmin() ||
                    (*existing)->owner_user_id == caller.user_id;
  if (visibility && !is_manager) {
    return Status::PermissionDenied("Only the project owner or an admin may change visibility");
  }
  auto project = store_.UpsertProject(upsert);
  if (!project.ok()) return project.status();
  if (visibility && *visibility != project->visibility) {
    ATS_RETURN_IF_ERROR(store_.SetProjectVisibility(upsert.project_id, *visibility));
    access_.Forget(upsert.project_id);
    project->visibility = *visibility;
  }
  return project;
}

Result<ProjectWithStats> ProjectService::Get(const auth::Caller& caller,
                                             const std::string& project_id) {
  ATS_RETURN_IF_ERROR(access_.CheckRead(caller, project_id, "Project not found"));
  auto project = store_.GetProject(project_id);
  if (!project.ok()) return project.status();
  if (!project->has_value()) return Status::NotFound("Project not found");
  auto stats = store_.GetProjectStats(project_id);
  if (!stats.ok()) return stats.status();
  return ProjectWithStats{std::move(**project), *stats};
}

Status ProjectService::AddMember(const auth::Caller& caller, const std::string& project_id,
                                 const json::value& body) {
  auto user = MemberUserId(body);
  if (!user.ok()) return user.status();
  ATS_RETURN_IF_ERROR(access_.CheckManage(caller, project_id));
  return store_.AddProjectMember(project_id, *user);
}

Status ProjectService::RemoveMember(const auth::Caller& caller, const std::string& project_id,
                                    const json::value& body) {
  auto user = MemberUserId(body);
  if (!user.ok()) return user.status();
  ATS_RETURN_IF_ERROR(access_.CheckManage(caller, project_id));
  return store_.RemoveProjectMember(project_id, *user);
}

}  // namespace ats
