// POST /api/v1/traces, POST /api/v1/traces/batch, GET /api/v1/traces, GET /api/v1/traces/{id}
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "http/api.hpp"
#include "http/handler_support.hpp"
#include "http/responses.hpp"

namespace ats::http {
namespace json = boost::json;

void RegisterTraceRoutes(Router& router, ApiContext& context) {
  // Both ingests are deferred: the answer comes when the transaction that the request shares
  // with concurrent ingests commits, and the worker thread is free for other requests meanwhile.
  router.AddDeferred("POST", "/api/v1/traces", "traces_ingest",
                     [&context](Request& request, const PathParams&, Responder respond) {
    auto caller = Authenticate(context, request, auth::kScopeIngest);
    if (!caller.ok()) return respond(ErrorResponse(caller.status(), request));
    auto body = ParseJsonBody(request, context.max_json_depth);
    if (!body.ok()) return respond(ErrorResponse(body.status(), request));
    // `request` outlives the answer (Responder), so the callback may read it.
    context.traces.Ingest(*caller, *body, [&request, respond](Result<IngestOutcome> outcome) {
      if (!outcome.ok()) return respond(ErrorResponse(outcome.status(), request));
      json::object reply{{"ok", true}, {"trace_id", outcome->trace_id}};
      if (outcome->duplicate) reply["duplicate"] = true;
      respond(JsonResponse(201, reply));
    });
  });

  router.AddDeferred("POST", "/api/v1/traces/batch", "traces_batch",
                     [&context](Request& request, const PathParams&, Responder respond) {
    auto caller = Authenticate(context, request, auth::kScopeIngest);
    if (!caller.ok()) return respond(ErrorResponse(caller.status(), request));
    auto body = ParseJsonBody(request, context.max_json_depth);
    if (!body.ok()) return respond(ErrorResponse(body.status(), request));
    context.traces.IngestBatch(*caller, *body, [&request, respond](
                                                   Result<std::vector<IngestOutcome>> outcomes) {
      if (!outcomes.ok()) return respond(ErrorResponse(outcomes.status(), request));
      json::array ids;
      json::array duplicates;
      for (const IngestOutcome& o : *outcomes) {
        ids.emplace_back(o.trace_id);
        if (o.duplicate) duplicates.emplace_back(o.trace_id);
      }
      respond(JsonResponse(201, json::object{{"ok", true},
                                             {"count", outcomes->size()},
                                             {"trace_ids", std::move(ids)},
                                             {"duplicates", std::move(duplicates)}}));
    });
  });

  router.Add("GET", "/api/v1/traces", "traces_list",
             [&context](Request& request, const PathParams&) {
    auto caller = Authenticate(context, request, auth::kScopeRead);
    if (!caller.ok()) return ErrorResponse(caller.status(), request);
    auto page = context.traces.ListPage(*caller, request.query);
    if (!page.ok()) return ErrorResponse(page.status(), request);
    return RawJsonResponse(200, **page);
  });

  router.Add("GET", "/api/v1/traces/{trace_id}", "traces_get",
             [&context](Request& request, const PathParams& params) {
    auto caller = Authenticate(context, request, auth::kScopeRead);
    if (!caller.ok()) return ErrorResponse(caller.status(), request);
    auto project_id = RequiredProjectId(request);
    if (!project_id.ok()) return ErrorResponse(project_id.status(), request);
    auto answer = context.traces.GetOne(*caller, *project_id, params.Get("trace_id"));
    if (!answer.ok()) return ErrorResponse(answer.status(), request);
    return RawJsonResponse(200, **answer);
  });
}

}  // namespace ats::http
