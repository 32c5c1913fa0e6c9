#include "service/trace_service.hpp"

#include <charconv>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "service/conversation_service.hpp"
#include "service/json_fields.hpp"
#include "spec/trace_record.hpp"

namespace ats {
namespace json = boost::json;
namespace {

constexpr int kMaxLimit = 200;

Status ProjectIdTooLong() {
  return Status::InvalidArgument("project_id is too long",
                                 {{"/project_id", "must be at most 256 characters"}});
}

// Validates one trace record found at `path` and turns it into its storable form.
Result<NewTrace> PrepareTrace(const json::value& record, const std::string& path,
                              std::string_view hook_event) {
  std::vector<FieldError> errors = spec::ValidateTraceRecord(record, path);
  if (!errors.empty()) {
    std::string first = errors.front().path + " " + errors.front().message;
    return Status::InvalidArgument("Invalid trace record: " + first, std::move(errors));
  }
  return spec::MakeNewTrace(record.get_object(), hook_event);
}

std::optional<int64_t> ParseInt(const std::string& s) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

Result<TraceService::CheckedWrite> TraceService::CheckIngest(const json::value& body,
                                                             const Limits& limits) {
  const json::object* o = body.if_object();
  if (!o) return Status::InvalidArgument("Request body must be a JSON object");
  const json::value* trace = o->if_contains("trace");
  const json::object* trace_object = trace ? trace->if_object() : nullptr;
  if (!HasNonEmptyString(*o, "project_id") || !trace_object ||
      !trace_object->contains("id") || !trace_object->contains("timestamp")) {
    return Status::InvalidArgument("project_id, trace.id, and trace.timestamp are required");
  }
  std::string project_id = ToStd(*StringField(*o, "project_id"));
  if (project_id.size() > spec::kMaxIdLength) return ProjectIdTooLong();
  std::string hook_event;
  if (const json::value* h = o->if_contains("hook_event"); h && !h->is_null()) {
    if (!h->is_string() || h->get_string().size() > spec::kMaxIdLength) {
      return Status::InvalidArgument("hook_event must be a string",
                                     {{"/hook_event", "must be a string of at most 256 characters"}});
    }
    hook_event = ToStd(h->get_string());
  }
  auto prepared = PrepareTrace(*trace, "/trace", hook_event);
  if (!prepared.ok()) return prepared.status();
  auto conversations = ParseConversationContents(o->if_contains("conversation_contents"),
                                                 "/conversation_contents", limits);
  if (!conversations.ok()) return conversations.status();
  std::vector<NewTrace> one;
  one.push_back(std::move(prepared).value());
  return CheckedWrite{std::move(project_id), std::move(one), std::move(conversations).value()};
}

Result<TraceService::CheckedWrite> TraceService::CheckBatch(const json::value& body,
                                                            const Limits& limits) {
  const json::object* o = body.if_object();
  if (!o) return Status::InvalidArgument("Request body must be a JSON object");
  const json::value* items = o->if_contains("items");
  if (!HasNonEmptyString(*o, "project_id") || !items || !items->is_array() ||
      items->get_array().empty()) {
    return Status::InvalidArgument("project_id and items are required");
  }
  std::string project_id = ToStd(*StringField(*o, "project_id"));
  if (project_id.size() > spec::kMaxIdLength) return ProjectIdTooLong();
  const json::array& list = items->get_array();
  if (list.size() > limits.max_batch_items) {
    return Status::TooLarge("A batch may hold at most " + std::to_string(limits.max_batch_items) +
                            " items; split it into several requests");
  }

  // Validate everything first: one bad item rejects the batch before anything is written.
  std::vector<NewTrace> traces;
  std::vector<ConversationContent> conversations;
  traces.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    std::string item_path = "/items/" + std::to_string(i);
    const json::object* item = list[i].if_object();
    const json::value* trace = item ? item->if_contains("trace") : nullptr;
    if (!trace || !trace->is_object()) {
      return Status::InvalidArgument("items[" + std::to_string(i) + "]: trace must be an object",
                                     {{item_path + "/trace", "is required and must be an object"}});
    }
    std::string hook_event;
    if (const json::value* h = item->if_contains("hook_event"); h && h->is_string()) {
      hook_event = ToStd(h->get_string());
    }
    auto prepared = PrepareTrace(*trace, item_path + "/trace", hook_event);
    if (!prepared.ok()) {
      return Status::InvalidArgument(
          "items[" + std::to_string(i) + "]: " + prepared.status().message(),
          prepared.status().details());
    }
    traces.push_back(std::move(prepared).value());
    auto item_conversations = ParseConversationContents(
        item->if_contains("conversation_contents"), item_path + "/conversation_contents", limits);
    if (!item_conversations.ok()) return item_conversations.status();
    for (auto& c : *item_conversations) conversations.push_back(std::move(c));
  }

  return CheckedWrite{std::move(project_id), std::move(traces), std::move(conversations)};
}

void TraceService::Ingest(const auth::Caller& caller, const json::value& body, IngestDone done) {
  Write(caller, CheckIngest(body, limits_),
        [done = std::move(done)](Result<std::vector<IngestOutcome>> outcomes) {
          if (!outcomes.ok()) return done(outcomes.status());
          done(std::move(outcomes->front()));
        });
}

void TraceService::IngestBatch(const auth::Caller& caller, const json::value& body,
                               BatchDone done) {
  Write(caller, CheckBatch(body, limits_), std::move(done));
}

void TraceService::Write(const auth::Caller& caller, Result<CheckedWrite> checked,
                         BatchDone done) {
  if (!checked.ok()) return done(checked.status());
  if (Status allowed = access_.CheckWrite(caller, checked->project_id); !allowed.ok()) {
    return done(allowed);
  }
  std::vector<std::string> ids;
  ids.reserve(checked->traces.size());
  for (const NewTrace& t : checked->traces) ids.push_back(t.trace_id);
  coalescer_.Submit(
      checked->project_id, caller.user_id, std::move(checked->traces),
      std::move(checked->conversations),
      [ids = std::move(ids), done = std::move(done)](Result<std::vector<bool>> duplicates) {
        if (!duplicates.ok()) return done(duplicates.status());
        std::vector<IngestOutcome> outcomes;
        outcomes.reserve(ids.size());
        for (size_t i = 0; i < ids.size(); ++i) outcomes.push_back({ids[i], (*duplicates)[i]});
        done(std::move(outcomes));
      });
}

Result<TraceFilter> ParseTraceFilter(const QueryParams& query) {
  TraceFilter filter;
  bool has_project = false;
  for (const auto& param : query) {
    // Plain references, not a structured binding: clang before 16 cannot capture those in the
    // lambda below.
    const std::string& key = param.first;
    const std::string& value = param.second;
    auto bad = [&](const std::string& why) {
      return Status::InvalidArgument(key + " " + why, {{"/query/" + key, why}});
    };
    if (value.size() > 4096) return bad("is too long");
    if (key == "project_id") {
      if (value.empty()) continue;
      if (value.size() > spec::kMaxIdLength) return bad("is too long");
      filter.project_id = value;
      has_project = true;
    } else if (key == "session_id") {
      filter.session_id = value;
    } else if (key == "conversation_id") {
      filter.conversation_id = value;
    } else if (key == "hook_event") {
      filter.hook_event = value;
    } else if (key == "tool_name") {
      filter.tool_name = value;
    } else if (key == "model_id") {
      filter.model_id = value;
    } else if (key == "revision") {
      filter.revision = value;
    } else if (key == "file_path") {
      filter.file_path = value;
    } else if (key == "since" || key == "until") {
      auto ts = ParseTimestamp(value);
      if (!ts) return bad("must be an RFC 3339 timestamp");
      (key == "since" ? filter.since : filter.until) = *ts;
    } else if (key == "limit") {
      auto n = ParseInt(value);
      if (!n || *n < 1) return bad("must be a positive integer");
      filter.limit = static_cast<int>(std::min<int64_t>(*n, kMaxLimit));
    } else if (key == "offset") {
      auto n = ParseInt(value);
      if (!n || *n < 0) return bad("must be a non-negative integer");
      if (*n > 1'000'000'000) return bad("is too large");
      filter.offset = static_cast<int>(*n);
    }
  }
  if (!has_project) return Status::InvalidArgument("project_id query parameter is required");
  return filter;
}

namespace {

// The listing's response body: the records are stored as serialised JSON, so they are spliced
// in rather than parsed and written again.
std::string PageJson(const TracePage& page, const TraceFilter& filter) {
  size_t size = 64;
  for (const StoredTrace& t : page.traces) size += t.record_json.size() + 1;
  std::string body;
  body.reserve(size);
  body += "{\"traces\":[";
  for (size_t i = 0; i < page.traces.size(); ++i) {
    if (i) body += ',';
    body += page.traces[i].record_json;
  }
  body += "],\"total\":" + std::to_string(page.total) +
          ",\"limit\":" + std::to_string(filter.limit) +
          ",\"offset\":" + std::to_string(filter.offset) + "}";
  return body;
}

// Every field of the filter, each tagged and length-prefixed so that no two filters share a key.
std::string ListingKey(const TraceFilter& f) {
  std::string key = "list\n";
  auto add = [&key](char tag, const std::string& value) {
    key += tag;
    key += std::to_string(value.size());
    key += ':';
    key += value;
  };
  add('p', f.project_id);
  const std::pair<char, const std::optional<std::string>*> texts[] = {
      {'s', &f.session_id}, {'c', &f.conversation_id}, {'h', &f.hook_event},
      {'t', &f.tool_name},  {'m', &f.model_id},        {'r', &f.revision},
      {'f', &f.file_path}};
  for (const auto& [tag, value] : texts) {
    if (*value) add(tag, **value);
  }
  if (f.since) add('a', std::to_string(*f.since));
  if (f.until) add('b', std::to_string(*f.until));
  add('l', std::to_string(f.limit));
  add('o', std::to_string(f.offset));
  return key;
}

}  // namespace

Result<VersionedCache::Value> TraceService::ListPage(const auth::Caller& caller,
                                                     const QueryParams& query) {
  auto filter = ParseTraceFilter(query);
  if (!filter.ok()) return filter.status();
  Status access = access_.CheckRead(caller, filter->project_id, "Project not found");
  if (access.IsNotFound()) {  // as if the project had no traces
    return std::make_shared<const std::string>(PageJson(TracePage{}, *filter));
  }
  ATS_RETURN_IF_ERROR(access);
  return CachedAnswer(
      answer_cache_, store_, filter->project_id, [&] { return ListingKey(*filter); },
      [&]() -> Result<VersionedCache::Value> {
        Result<TracePage> page = store_.ListTraces(*filter);
        if (!page.ok()) return page.status();
        return std::make_shared<const std::string>(PageJson(*page, *filter));
      });
}

Result<VersionedCache::Value> TraceService::GetOne(const auth::Caller& caller,
                                                  const std::string& project_id,
                                                  const std::string& trace_id) {
  ATS_RETURN_IF_ERROR(access_.CheckRead(caller, project_id, "Trace not found"));
  // Every entry is at one version: what is stored under an id is never replaced.
  constexpr int64_t kStoredForGood = 0;
  const bool cached = trace_cache_ != nullptr && trace_cache_->enabled();
  std::string key;
  if (cached) {
    key.reserve(project_id.size() + 1 + trace_id.size());
    key.append(project_id).append(1, '\0').append(trace_id);
    if (VersionedCache::Value hit = trace_cache_->Find(key, kStoredForGood)) return hit;
  }
  auto trace = store_.GetTrace(project_id, trace_id);
  if (!trace.ok()) return trace.status();
  if (!trace->has_value()) return Status::NotFound("Trace not found");  // absence is not kept
  std::string body;
  body.reserve((*trace)->record_json.size() + (*trace)->user_id.size() + 32);
  body.append("{\"trace\":").append((*trace)->record_json).append(",\"user_id\":");
  body.append(boost::json::serialize(boost::json::string((*trace)->user_id))).append(1, '}');
  auto answer = std::make_shared<const std::string>(std::move(body));
  if (cached) trace_cache_->Put(key, kStoredForGood, answer);
  return answer;
}

}  // namespace ats
