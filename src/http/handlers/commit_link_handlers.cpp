// POST /api/v1/commit-links, GET /api/v1/commit-links/{sha}, GET /api/v1/ledgers/{sha}
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "http/api.hpp"
#include "http/handler_support.hpp"
#include "http/responses.hpp"

namespace ats::http {
namespace json = boost::json;
namespace {

json::value ParseStored(const std::string& text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? json::value(nullptr) : v;
}

json::object LinkJson(const CommitLinkView& view) {
  const CommitLink& l = view.link;
  json::array trace_ids;
  for (const auto& id : l.trace_ids) trace_ids.emplace_back(id);
  json::array summaries;
  for (const TraceSummary& s : view.trace_summaries) {
    if (!s.found) {
      summaries.push_back(json::object{{"trace_id", s.trace_id}, {"found", false}});
      continue;
    }
    summaries.push_back(json::object{
        {"trace_id", s.trace_id},
        {"timestamp", s.timestamp},
        {"tool", s.tool},
        {"model_id", s.model_id ? json::value(*s.model_id) : json::value(nullptr)}});
  }
  auto text_or_null = [](const std::optional<std::string>& s) {
    return s ? json::value(*s) : json::value(nullptr);
  };
  return json::object{
      {"id", l.id},
      {"project_id", view.project_id},
      {"user_id", l.user_id},
      {"commit_sha", l.commit_sha},
      {"parent_sha", text_or_null(l.parent_sha)},
      {"trace_ids", std::move(trace_ids)},
      {"files_changed", ParseStored(l.files_changed_json)},
      {"committed_at", text_or_null(l.committed_at)},
      {"ledger", l.ledger_json ? ParseStored(*l.ledger_json) : json::value(nullptr)},
      {"created_at", l.created_at},
      {"trace_summaries", std::move(summaries)}};
}

}  // namespace

void RegisterCommitLinkRoutes(Router& router, ApiContext& context) {
  router.Add("POST", "/api/v1/commit-links", "commit_links_create",
             [&context](Request& request, const PathParams&) {
    auto caller = Authenticate(context, request, auth::kScopeIngest);
    if (!caller.ok()) return ErrorResponse(caller.status(), request);
    auto body = ParseJsonBody(request, context.max_json_depth);
    if (!body.ok()) return ErrorResponse(body.status(), request);
    auto sha = context.commit_links.Post(*caller, *body);
    if (!sha.ok()) return ErrorResponse(sha.status(), request);
    return JsonResponse(201, json::object{{"ok", true}, {"commit_sha", *sha}});
  });

  router.Add("GET", "/api/v1/commit-links/{commit_sha}", "commit_links_get",
             [&context](Request& request, const PathParams& params) {
    auto caller = Authenticate(context, request, auth::kScopeRead);
    if (!caller.ok()) return ErrorResponse(caller.status(), request);
    auto project_id = RequiredProjectId(request);
    if (!project_id.ok()) return ErrorResponse(project_id.status(), request);
    auto view = context.commit_links.Get(*caller, *project_id, params.Get("commit_sha"));
    if (!view.ok()) return ErrorResponse(view.status(), request);
    return JsonResponse(200, LinkJson(*view));
  });

  router.Add("GET", "/api/v1/ledgers/{commit_sha}", "ledgers_get",
             [&context](Request& request, const PathParams& params) {
    auto caller = Authenticate(context, request, auth::kScopeRead);
    if (!caller.ok()) return ErrorResponse(caller.status(), request);
    auto project_id = RequiredProjectId(request);
    if (!project_id.ok()) return ErrorResponse(project_id.status(), request);
    auto ledger = context.commit_links.Ledger(*caller, *project_id, params.Get("commit_sha"));
    if (!ledger.ok()) return ErrorResponse(ledger.status(), request);
    return RawJsonResponse(200, std::move(*ledger));
  });
}

}  // namespace ats::http
