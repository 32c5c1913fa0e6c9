#include "attribution/blame_json.hpp"

#include <boost/json/array.hpp>

namespace ats::attribution {
namespace {

namespace json = boost::json;

constexpr size_t kMaxReportedErrors = 100;

class SegmentParser {
 public:
  SegmentParser(const BlameRequestLimits& limits, std::vector<FieldError>& errors)
      : limits_(limits), errors_(errors) {}

  // Parses blame_data[index]. Returns false when the item is to be skipped (or was invalid;
  // errors_ says which). Paths for errors are only built when there is an error.
  bool Parse(const json::value& item, size_t index, Segment& out) {
    index_ = index;
    if (!item.is_object()) {
      Error({}, "must be an object");
      return false;
    }
    const json::object& o = item.get_object();
    const size_t errors_before = errors_.size();
    auto start = Line(o, "start_line");
    auto end = Line(o, "end_line");
    auto commit = String(o, "commit_sha");
    auto parent = String(o, "parent_sha");
    auto hash = String(o, "content_hash");
    auto timestamp = String(o, "timestamp");
    auto orig_start = Line(o, "orig_start_line");
    auto orig_end = Line(o, "orig_end_line");
    if (start && end && *start > *end) Error("end_line", "must not be less than start_line");
    if (orig_start && orig_end && *orig_start > *orig_end) {
      Error("orig_end_line", "must not be less than orig_start_line");
    }
    if (errors_.size() != errors_before) return false;
    if (!start || !end || !commit || commit->empty()) return false;  // skipped, per API.md

    out.start_line = *start;
    out.end_line = *end;
    out.commit_sha.assign(*commit);
    out.parent_sha.assign(parent.value_or(std::string_view()));
    out.content_hash.assign(hash.value_or(std::string_view()));
    if (timestamp) out.timestamp = ParseTimestamp(*timestamp);
    if (orig_start && orig_end) {
      out.orig_start_line = orig_start;
      out.orig_end_line = orig_end;
    }
    return true;
  }

 private:
  // "/blame_data/<index>" plus "/<key>" when a key is given.
  void Error(std::string_view key, std::string message) {
    if (errors_.size() >= kMaxReportedErrors) return;
    std::string path = "/blame_data/" + std::to_string(index_);
    if (!key.empty()) path.append("/").append(key);
    errors_.push_back({std::move(path), std::move(message)});
  }

  // An optional line number: absent or null -> nullopt; otherwise an integer in [1, max_line].
  std::optional<int64_t> Line(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null()) return std::nullopt;
    const json::value& v = it->value();
    int64_t n = 0;
    if (v.is_int64()) {
      n = v.get_int64();
    } else if (v.is_uint64()) {
      n = limits_.max_line + 1;  // beyond int64: certainly out of range
    } else {
      Error(key, "must be an integer");
      return std::nullopt;
    }
    if (n < 1 || n > limits_.max_line) {
      Error(key, "must be between 1 and " + std::to_string(limits_.max_line));
      return std::nullopt;
    }
    return n;
  }

  // An optional string, viewed in the body: absent or null -> nullopt.
  std::optional<std::string_view> String(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null()) return std::nullopt;
    if (!it->value().is_string()) {
      Error(key, "must be a string");
      return std::nullopt;
    }
    const json::string& s = it->value().get_string();
    if (s.size() > limits_.max_string_length) {
      Error(key, "must be at most " + std::to_string(limits_.max_string_length) + " characters");
      return std::nullopt;
    }
    return std::string_view(s);
  }

  const BlameRequestLimits& limits_;
  std::vector<FieldError>& errors_;
  size_t index_ = 0;
};

// A required non-empty string field of the body.
Result<std::string> RequiredString(const json::object& body, std::string_view key,
                                   size_t max_length) {
  auto it = body.find(key);
  const std::string message = std::string(key) + " is required";
  const std::string path = "/" + std::string(key);
  if (it == body.end() || !it->value().is_string() || it->value().get_string().empty()) {
    return Status::InvalidArgument(message, {{path, "must be a non-empty string"}});
  }
  if (it->value().get_string().size() > max_length) {
    return Status::InvalidArgument(std::string(key) + " is too long",
                                   {{path, "must be at most " + std::to_string(max_length) +
                                               " characters"}});
  }
  return std::string(it->value().get_string());
}

// key: the string, or null when absent; built in the object's storage.
void PutOptional(json::object& o, std::string_view key, const std::optional<std::string>& s) {
  if (s) {
    o.emplace(key, json::string_view(*s));
  } else {
    o.emplace(key, nullptr);
  }
}

}  // namespace

Result<BlameRequest> ParseBlameRequest(const json::value& body, const BlameRequestLimits& limits) {
  if (!body.is_object()) {
    return Status::InvalidArgument("request body must be a JSON object",
                                   {{"", "must be an object"}});
  }
  const json::object& o = body.get_object();
  BlameRequest request;
  Result<std::string> project_id = RequiredString(o, "project_id", limits.max_string_length);
  if (!project_id.ok()) return project_id.status();
  request.project_id = std::move(project_id).value();
  Result<std::string> file_path = RequiredString(o, "file_path", limits.max_string_length);
  if (!file_path.ok()) return file_path.status();
  request.file_path = std::move(file_path).value();

  auto it = o.find("blame_data");
  if (it == o.end() || !it->value().is_array() || it->value().get_array().empty()) {
    return Status::InvalidArgument("blame_data must be a non-empty list",
                                   {{"/blame_data", "must be a non-empty list"}});
  }
  const json::array& items = it->value().get_array();
  if (items.size() > limits.max_segments) {
    return Status::TooLarge("blame_data has " + std::to_string(items.size()) +
                            " segments; at most " + std::to_string(limits.max_segments) +
                            " are accepted");
  }
  std::vector<FieldError> errors;
  SegmentParser parser(limits, errors);
  request.segments.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    Segment segment;
    if (parser.Parse(items[i], i, segment)) request.segments.push_back(std::move(segment));
  }
  if (!errors.empty()) {
    std::string message = "invalid blame segment: " + errors.front().path + " " +
                          errors.front().message;
    return Status::InvalidArgument(std::move(message), std::move(errors));
  }
  return request;
}

json::object AttributionToJson(const Attribution& a, json::storage_ptr sp) {
  json::object o(17, sp);
  o.emplace("start_line", a.start_line);
  o.emplace("end_line", a.end_line);
  if (a.tier) {
    o.emplace("tier", *a.tier);
  } else {
    o.emplace("tier", nullptr);
  }
  o.emplace("confidence", a.confidence);
  PutOptional(o, "trace_id", a.trace_id);
  if (a.contributor_type) {
    json::object contributor(2, sp);
    contributor.emplace("type", json::string_view(*a.contributor_type));
    PutOptional(contributor, "model_id", a.model_id);
    o.emplace("contributor", std::move(contributor));
  } else {
    o.emplace("contributor", nullptr);
  }
  PutOptional(o, "model_id", a.model_id);
  PutOptional(o, "contributor_type", a.contributor_type);
  PutOptional(o, "conversation_url", a.conversation_url);
  PutOptional(o, "conversation_summary", a.conversation_summary);
  if (a.tool) {
    o.emplace("tool", *a.tool);
  } else {
    o.emplace("tool", nullptr);
  }
  json::array signals(sp);
  a.signals.ForEach([&](Signal s) { signals.emplace_back(json::string_view(SignalName(s))); });
  o.emplace("signals", std::move(signals));
  o.emplace("commit_link_match", a.commit_link_match);
  o.emplace("content_hash_match", a.content_hash_match);
  o.emplace("commit_sha", json::string_view(a.commit_sha));
  PutOptional(o, "timestamp", a.timestamp);
  if (a.matched_range) {
    json::object range(2, sp);
    range.emplace("start_line", a.matched_range->start_line);
    range.emplace("end_line", a.matched_range->end_line);
    o.emplace("matched_range", std::move(range));
  } else {
    o.emplace("matched_range", nullptr);
  }
  return o;
}

json::object BlameResponseToJson(std::string_view file_path,
                                 const std::vector<Attribution>& attributions,
                                 json::storage_ptr sp) {
  json::array entries(sp);
  entries.reserve(attributions.size());
  for (const Attribution& a : attributions) entries.emplace_back(AttributionToJson(a, sp));
  json::object response(2, sp);
  response.emplace("file_path", file_path);
  response.emplace("attributions", std::move(entries));
  return response;
}

}  // namespace ats::attribution
