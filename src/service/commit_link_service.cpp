#include "service/commit_link_service.hpp"

#include <unordered_map>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "common/time.hpp"
#include "service/json_fields.hpp"
#include "spec/trace_record.hpp"

namespace ats {
namespace json = boost::json;
namespace {

Status FieldInvalid(const std::string& field, const std::string& why) {
  return Status::InvalidArgument(field + " " + why, {{"/" + field, why}});
}

// Optional string-or-null field of at most `max` bytes.
Status OptionalString(const json::object& o, const char* key, size_t max,
                      std::optional<std::string>& out) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return Status::Ok();
  if (!v->is_string()) return FieldInvalid(key, "must be a string or null");
  if (v->get_string().size() > max) return FieldInvalid(key, "is too long");
  out = ToStd(v->get_string());
  return Status::Ok();
}

std::optional<std::string> FirstModelId(const json::object& record) {
  const json::value* files = record.if_contains("files");
  if (!files || !files->is_array()) return std::nullopt;
  auto model_of = [](const json::value* contributor) -> std::optional<std::string> {
    if (!contributor || !contributor->is_object()) return std::nullopt;
    const json::string* m = StringField(contributor->get_object(), "model_id");
    if (m && !m->empty()) return ToStd(*m);
    return std::nullopt;
  };
  for (const json::value& f : files->get_array()) {
    const json::value* convs = f.is_object() ? f.get_object().if_contains("conversations") : nullptr;
    if (!convs || !convs->is_array()) continue;
    for (const json::value& c : convs->get_array()) {
      if (!c.is_object()) continue;
      if (auto m = model_of(c.get_object().if_contains("contributor"))) return m;
      const json::value* ranges = c.get_object().if_contains("ranges");
      if (!ranges || !ranges->is_array()) continue;
      for (const json::value& r : ranges->get_array()) {
        if (!r.is_object()) continue;
        if (auto m = model_of(r.get_object().if_contains("contributor"))) return m;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

Result<std::string> CommitLinkService::Post(const auth::Caller& caller, const json::value& body) {
  const json::object* o = body.if_object();
  if (!o) return Status::InvalidArgument("Request body must be a JSON object");
  if (!HasNonEmptyString(*o, "project_id")) return FieldInvalid("project_id", "is required");
  if (!HasNonEmptyString(*o, "commit_sha")) return FieldInvalid("commit_sha", "is required");
  std::string project_id = ToStd(*StringField(*o, "project_id"));
  if (project_id.size() > spec::kMaxIdLength) return FieldInvalid("project_id", "is too long");

  CommitLink link;
  link.commit_sha = ToStd(*StringField(*o, "commit_sha"));
  if (link.commit_sha.size() > spec::kMaxIdLength) return FieldInvalid("commit_sha", "is too long");
  const json::value* trace_ids = o->if_contains("trace_ids");
  if (!trace_ids || !trace_ids->is_array() || trace_ids->get_array().empty()) {
    return FieldInvalid("trace_ids", "must be a non-empty list");
  }
  if (trace_ids->get_array().size() > limits_.max_trace_ids_per_link) {
    return Status::TooLarge("trace_ids holds more than " +
                            std::to_string(limits_.max_trace_ids_per_link) + " ids");
  }
  for (size_t i = 0; i < trace_ids->get_array().size(); ++i) {
    const json::value& id = trace_ids->get_array()[i];
    if (!id.is_string() || id.get_string().empty() ||
        id.get_string().size() > spec::kMaxIdLength) {
      return Status::InvalidArgument(
          "trace_ids must hold non-empty strings",
          {{"/trace_ids/" + std::to_string(i), "must be a string of 1 to 256 characters"}});
    }
    link.trace_ids.push_back(ToStd(id.get_string()));
  }
  ATS_RETURN_IF_ERROR(OptionalString(*o, "parent_sha", spec::kMaxIdLength, link.parent_sha));
  ATS_RETURN_IF_ERROR(OptionalString(*o, "committed_at", 64, link.committed_at));
  if (link.committed_at && !ParseTimestamp(*link.committed_at)) {
    return FieldInvalid("committed_at", "must be an RFC 3339 timestamp");
  }
  std::optional<std::string> created_at;
  ATS_RETURN_IF_ERROR(OptionalString(*o, "created_at", 64, created_at));
  link.created_at = created_at.value_or(FormatTimestamp(NowMicros()));
  if (const json::value* files = o->if_contains("files_changed"); files && !files->is_null()) {
    if (!files->is_array()) return FieldInvalid("files_changed", "must be a list");
    for (size_t i = 0; i < files->get_array().size(); ++i) {
      if (!files->get_array()[i].is_string()) {
        return Status::InvalidArgument("files_changed must hold strings",
                                       {{"/files_changed/" + std::to_string(i), "must be a string"}});
      }
    }
    link.files_changed_json = json::serialize(*files);
  }
  if (const json::value* ledger = o->if_contains("ledger"); ledger && !ledger->is_null()) {
    if (!ledger->is_object()) return FieldInvalid("ledger", "must be an object");
    link.ledger_json = json::serialize(*ledger);
  }
  link.user_id = caller.user_id;

  ATS_RETURN_IF_ERROR(access_.CheckWrite(caller, project_id));
  auto stored = store_.UpsertCommitLink(project_id, link);
  if (!stored.ok()) return stored.status();
  return link.commit_sha;
}

Result<CommitLinkView> CommitLinkService::Get(const auth::Caller& caller,
                                              const std::string& project_id,
                                              const std::string& commit_sha) {
  ATS_RETURN_IF_ERROR(access_.CheckRead(caller, project_id, "Commit link not found"));
  auto link = store_.GetCommitLink(project_id, commit_sha);
  if (!link.ok()) return link.status();
  if (!link->has_value()) return Status::NotFound("Commit link not found");
  CommitLinkView view{project_id, std::move(**link), {}};

  auto traces = store_.GetTracesByIds(project_id, view.link.trace_ids);
  if (!traces.ok()) return traces.status();
  std::unordered_map<std::string, const StoredTrace*> by_id;
  for (const StoredTrace& t : *traces) by_id.emplace(t.trace_id, &t);
  for (const std::string& id : view.link.trace_ids) {
    TraceSummary summary;
    summary.trace_id = id;
    auto it = by_id.find(id);
    if (it != by_id.end()) {
      json::error_code ec;
      json::value record = json::parse(it->second->record_json, ec);
      if (!ec && record.is_object()) {
        summary.found = true;
        const json::object& r = record.get_object();
        if (const json::string* ts = StringField(r, "timestamp")) summary.timestamp = ToStd(*ts);
        if (const json::value* tool = r.if_contains("tool")) summary.tool = *tool;
        summary.model_id = FirstModelId(r);
      }
    }
    view.trace_summaries.push_back(std::move(summary));
  }
  return view;
}

Result<std::string> CommitLinkService::Ledger(const auth::Caller& caller,
                                              const std::string& project_id,
                                              const std::string& commit_sha) {
  ATS_RETURN_IF_ERROR(access_.CheckRead(caller, project_id, "Ledger not found"));
  auto link = store_.GetCommitLink(project_id, commit_sha);
  if (!link.ok()) return link.status();
  if (!link->has_value() || !(*link)->ledger_json) return Status::NotFound("Ledger not found");
  return std::move(*(*link)->ledger_json);
}

}  // namespace ats
