#include "spec/trace_record.hpp"

#include <algorithm>

#include <boost/json/serialize.hpp>

#include "common/time.hpp"

namespace ats::spec {
namespace json = boost::json;
namespace {

// Largest line number we accept: far beyond any real file, small enough to never overflow.
constexpr int64_t kMaxLine = 100'000'000;

class Checker {
 public:
  void Add(std::string path, std::string message) {
    errors_.push_back({std::move(path), std::move(message)});
  }
  std::vector<FieldError> Take() { return std::move(errors_); }

  void RequireObjectIfPresent(const json::object& parent, std::string_view key,
                              const std::string& path) {
    if (const json::value* v = parent.if_contains(key); v && !v->is_object()) {
      Add(path + "/" + PointerSegment(key), "must be an object");
    }
  }

  void OptionalString(const json::object& parent, std::string_view key, const std::string& path,
                      size_t max_length) {
    const json::value* v = parent.if_contains(key);
    if (!v || v->is_null()) return;
    if (!v->is_string()) {
      Add(path + "/" + PointerSegment(key), "must be a string");
    } else if (v->get_string().size() > max_length) {
      Add(path + "/" + PointerSegment(key),
          "must be at most " + std::to_string(max_length) + " characters");
    }
  }

  void Contributor(const json::value& v, const std::string& path) {
    if (v.is_null()) return;
    if (!v.is_object()) {
      Add(path, "must be an object");
      return;
    }
    const json::object& c = v.get_object();
    if (const json::value* type = c.if_contains("type"); type && !type->is_null()) {
      static const char* kTypes[] = {"human", "ai", "mixed", "unknown"};
      if (!type->is_string() ||
          std::none_of(std::begin(kTypes), std::end(kTypes),
                       [&](const char* t) { return type->get_string() == t; })) {
        Add(path + "/type", "must be one of human, ai, mixed, unknown");
      }
    }
    OptionalString(c, "model_id", path, kMaxIdLength);
  }

  // start_line/end_line pair on a range, a conversation, a file entry or a change.
  void LinePair(const json::object& o, const std::string& path, bool required) {
    const json::value* start = o.if_contains("start_line");
    const json::value* end = o.if_contains("end_line");
    if (!required && !start && !end) return;
    int64_t s = 0, e = 0;
    bool ok_start = Line(start, path + "/start_line", s);
    bool ok_end = Line(end, path + "/end_line", e);
    if (ok_start && ok_end && s > e) Add(path + "/end_line", "must be >= start_line");
  }

  void Range(const json::value& v, const std::string& path) {
    if (!v.is_object()) {
      Add(path, "must be an object");
      return;
    }
    const json::object& r = v.get_object();
    LinePair(r, path, /*required=*/true);
    OptionalString(r, "content_hash", path, kMaxIdLength);
    if (const json::value* c = r.if_contains("contributor")) Contributor(*c, path + "/contributor");
  }

  void Conversation(const json::value& v, const std::string& path) {
    if (!v.is_object()) {
      Add(path, "must be an object");
      return;
    }
    const json::object& c = v.get_object();
    OptionalString(c, "url", path, kMaxUrlLength);
    if (const json::value* contributor = c.if_contains("contributor")) {
      Contributor(*contributor, path + "/contributor");
    }
    LinePair(c, path, /*required=*/false);
    if (const json::value* ranges = c.if_contains("ranges"); ranges && !ranges->is_null()) {
      if (!ranges->is_array()) {
        Add(path + "/ranges", "must be an array");
      } else {
        const json::array& a = ranges->get_array();
        for (size_t i = 0; i < a.size(); ++i) Range(a[i], path + "/ranges/" + std::to_string(i));
      }
    }
  }

  void File(const json::value& v, const std::string& path) {
    if (!v.is_object()) {
      Add(path, "must be an object");
      return;
    }
    const json::object& f = v.get_object();
    const json::value* p = f.if_contains("path");
    if (!p || !p->is_string()) {
      Add(path + "/path", "is required and must be a string");
    } else if (p->get_string().empty() || p->get_string().size() > kMaxUrlLength) {
      Add(path + "/path", "must be 1 to " + std::to_string(kMaxUrlLength) + " characters");
    }
    LinePair(f, path, /*required=*/false);
    if (const json::value* convs = f.if_contains("conversations"); convs && !convs->is_null()) {
      if (!convs->is_array()) {
        Add(path + "/conversations", "must be an array");
      } else {
        const json::array& a = convs->get_array();
        for (size_t i = 0; i < a.size(); ++i) {
          Conversation(a[i], path + "/conversations/" + std::to_string(i));
        }
      }
    }
    if (const json::value* changes = f.if_contains("changes"); changes && !changes->is_null()) {
      if (!changes->is_array()) {
        Add(path + "/changes", "must be an array");
      } else {
        const json::array& a = changes->get_array();
        for (size_t i = 0; i < a.size(); ++i) {
          std::string item_path = path + "/changes/" + std::to_string(i);
          if (!a[i].is_object()) {
            Add(item_path, "must be an object");
          } else {
            LinePair(a[i].get_object(), item_path, /*required=*/false);
          }
        }
      }
    }
  }

 private:
  bool Line(const json::value* v, const std::string& path, int64_t& out) {
    if (!v) {
      Add(path, "is required");
      return false;
    }
    if (v->is_int64()) {
      out = v->get_int64();
    } else if (v->is_uint64()) {
      out = kMaxLine + 1;
    } else {
      Add(path, "must be an integer");
      return false;
    }
    if (out < 1 || out > kMaxLine) {
      Add(path, "must be between 1 and " + std::to_string(kMaxLine));
      return false;
    }
    return true;
  }

  std::vector<FieldError> errors_;
};


std::string StringOrEmpty(const json::object* o, std::string_view key) {
  if (!o) return {};
  const json::value* v = o->if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

const json::object* ObjectAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

void AddUnique(std::vector<std::string>& list, std::string_view value) {
  if (value.empty()) return;
  if (std::find(list.begin(), list.end(), value) == list.end()) list.emplace_back(value);
}

void AddModelOf(const json::value* contributor, std::vector<std::string>& model_ids) {
  if (!contributor || !contributor->is_object()) return;
  if (const json::value* m = contributor->get_object().if_contains("model_id");
      m && m->is_string()) {
    AddUnique(model_ids, m->get_string());
  }
}

}  // namespace

std::string PointerSegment(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

bool IsAcceptedVersion(std::string_view v) {
  // X.Y or X.Y.Z, each a run of digits, optionally followed by -prerelease or +build.
  size_t pos = 0;
  int parts = 0;
  while (true) {
    size_t start = pos;
    while (pos < v.size() && v[pos] >= '0' && v[pos] <= '9') ++pos;
    if (pos == start) return false;
    ++parts;
    if (pos < v.size() && v[pos] == '.' && parts < 3) {
      ++pos;
      continue;
    }
    break;
  }
  if (parts < 2) return false;
  if (pos == v.size()) return true;
  if (v[pos] != '-' && v[pos] != '+') return false;
  ++pos;
  if (pos == v.size()) return false;
  for (; pos < v.size(); ++pos) {
    char c = v[pos];
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '.' || c == '-' || c == '+';
    if (!ok) return false;
  }
  return true;
}

std::vector<FieldError> ValidateTraceRecord(const json::value& value, std::string_view base) {
  Checker check;
  std::string path(base);
  if (!value.is_object()) {
    check.Add(path, "must be an object");
    return check.Take();
  }
  const json::object& record = value.get_object();

  const json::value* id = record.if_contains("id");
  if (!id || !id->is_string() || id->get_string().empty()) {
    check.Add(path + "/id", "is required and must be a non-empty string");
  } else if (id->get_string().size() > kMaxIdLength) {
    check.Add(path + "/id", "must be at most " + std::to_string(kMaxIdLength) + " characters");
  }

  const json::value* ts = record.if_contains("timestamp");
  if (!ts || !ts->is_string()) {
    check.Add(path + "/timestamp", "is required and must be an RFC 3339 string");
  } else if (!ParseTimestamp(ts->get_string())) {
    check.Add(path + "/timestamp", "must be an RFC 3339 timestamp");
  }

  if (const json::value* version = record.if_contains("version"); version && !version->is_null()) {
    if (!version->is_string() || !IsAcceptedVersion(version->get_string())) {
      check.Add(path + "/version", "must be a version string such as \"1.0\" or \"0.1.0\"");
    }
  }

  check.RequireObjectIfPresent(record, "vcs", path);
  if (const json::object* vcs = ObjectAt(record, "vcs")) {
    check.OptionalString(*vcs, "type", path + "/vcs", kMaxIdLength);
    check.OptionalString(*vcs, "revision", path + "/vcs", kMaxIdLength);
  }
  check.RequireObjectIfPresent(record, "tool", path);
  if (const json::object* tool = ObjectAt(record, "tool")) {
    check.OptionalString(*tool, "name", path + "/tool", kMaxIdLength);
    check.OptionalString(*tool, "version", path + "/tool", kMaxIdLength);
  }
  check.RequireObjectIfPresent(record, "metadata", path);
  if (const json::object* metadata = ObjectAt(record, "metadata")) {
    for (const char* key : {"session_id", "conversation_id", "hook_event", "tool_name"}) {
      check.OptionalString(*metadata, key, path + "/metadata", kMaxIdLength);
    }
  }

  if (const json::value* files = record.if_contains("files"); files && !files->is_null()) {
    if (!files->is_array()) {
      check.Add(path + "/files", "must be an array");
    } else {
      const json::array& a = files->get_array();
      for (size_t i = 0; i < a.size(); ++i) check.File(a[i], path + "/files/" + std::to_string(i));
    }
  }
  return check.Take();
}

NewTrace MakeNewTrace(const json::object& record, std::string_view hook_event) {
  NewTrace t;
  t.trace_id = StringOrEmpty(&record, "id");
  t.record_json = json::serialize(record);
  if (const json::value* ts = record.if_contains("timestamp"); ts && ts->is_string()) {
    t.timestamp = ParseTimestamp(ts->get_string()).value_or(0);
  }
  t.revision = StringOrEmpty(ObjectAt(record, "vcs"), "revision");
  t.tool_name = StringOrEmpty(ObjectAt(record, "tool"), "name");
  const json::object* metadata = ObjectAt(record, "metadata");
  t.session_id = StringOrEmpty(metadata, "session_id");
  t.conversation_id = StringOrEmpty(metadata, "conversation_id");
  t.hook_event = hook_event.empty() ? StringOrEmpty(metadata, "hook_event") : std::string(hook_event);

  if (const json::value* files = record.if_contains("files"); files && files->is_array()) {
    for (const json::value& f : files->get_array()) {
      if (!f.is_object()) continue;
      const json::object& file = f.get_object();
      AddUnique(t.file_paths, StringOrEmpty(&file, "path"));
      const json::value* convs = file.if_contains("conversations");
      if (!convs || !convs->is_array()) continue;
      for (const json::value& c : convs->get_array()) {
        if (!c.is_object()) continue;
        AddModelOf(c.get_object().if_contains("contributor"), t.model_ids);
        const json::value* ranges = c.get_object().if_contains("ranges");
        if (!ranges || !ranges->is_array()) continue;
        for (const json::value& r : ranges->get_array()) {
          if (r.is_object()) AddModelOf(r.get_object().if_contains("contributor"), t.model_ids);
        }
      }
    }
  }
  return t;
}

}  // namespace ats::spec
