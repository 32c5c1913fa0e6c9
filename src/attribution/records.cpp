#include "attribution/records.hpp"

#include <memory>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include "attribution/matching.hpp"

namespace ats::attribution {
namespace {

namespace json = boost::json;

const json::value* Find(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : &it->value();
}

std::string StringOr(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (v == nullptr || !v->is_string()) return {};
  return std::string(v->get_string());
}

std::optional<std::string> OptionalString(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

// JSON integers only (a float such as 3.0 is not a line number).
std::optional<int64_t> IntField(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(v->get_uint64());
  }
  return std::nullopt;
}

const json::object* ObjectField(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

const json::array* ArrayField(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  return v != nullptr && v->is_array() ? &v->get_array() : nullptr;
}

void AddRange(const json::object& o, std::vector<LineRange>& out) {
  auto start = IntField(o, "start_line");
  auto end = IntField(o, "end_line");
  if (start && end) out.push_back({*start, *end});
}

void AddRange(const json::value& v, std::vector<LineRange>& out) {
  if (v.is_object()) AddRange(v.get_object(), out);
}

void AddHash(const json::object& o, std::vector<std::string>& out) {
  const json::value* h = Find(o, "content_hash");
  if (h == nullptr || !h->is_string()) return;
  std::string normalized = NormalizeContentHash(h->get_string());
  if (!normalized.empty()) out.push_back(std::move(normalized));
}

void AddHash(const json::value& v, std::vector<std::string>& out) {
  if (v.is_object()) AddHash(v.get_object(), out);
}

FileView ParseFile(const json::object& entry) {
  FileView file;
  file.path = StringOr(entry, "path");
  static const json::array kEmpty;
  const json::array* conversations = ArrayField(entry, "conversations");
  if (conversations == nullptr) conversations = &kEmpty;
  const json::array* changes = ArrayField(entry, "changes");
  if (changes == nullptr) changes = &kEmpty;

  // Ranges, in the order section 3 walks them.
  AddRange(entry, file.ranges);
  for (const json::value& c : *conversations) AddRange(c, file.ranges);
  for (const json::value& c : *conversations) {
    if (!c.is_object()) continue;
    if (const json::array* ranges = ArrayField(c.get_object(), "ranges")) {
      for (const json::value& r : *ranges) AddRange(r, file.ranges);
    }
  }
  for (const json::value& ch : *changes) AddRange(ch, file.ranges);

  // Content hashes: position-independent, so their order does not matter.
  AddHash(entry, file.content_hashes);
  for (const json::value& c : *conversations) {
    AddHash(c, file.content_hashes);
    if (!c.is_object()) continue;
    if (const json::array* ranges = ArrayField(c.get_object(), "ranges")) {
      for (const json::value& r : *ranges) AddHash(r, file.content_hashes);
    }
  }
  for (const json::value& ch : *changes) AddHash(ch, file.content_hashes);

  for (const json::value& c : *conversations) {
    if (!c.is_object()) continue;
    const json::object& conv = c.get_object();
    ConversationView view;
    view.url = StringOr(conv, "url");
    if (const json::object* contributor = ObjectField(conv, "contributor")) {
      view.contributor_type = StringOr(*contributor, "type");
      view.model_id = StringOr(*contributor, "model_id");
    }
    file.conversations.push_back(std::move(view));
  }
  return file;
}

std::optional<std::vector<LedgerRun>> ParseLedgerRuns(const json::value& ledger,
                                                      bool link_names_traces,
                                                      std::string_view file_path) {
  if (!ledger.is_object()) return std::nullopt;
  const json::object& l = ledger.get_object();
  if (const json::array* ids = ArrayField(l, "trace_ids"); ids && ids->empty() && link_names_traces) {
    return std::nullopt;  // degenerate: built by a client without trace data
  }
  const json::object* files = ObjectField(l, "files");
  if (files == nullptr) return std::nullopt;
  const json::object* entry = ObjectField(*files, file_path);
  if (entry == nullptr) return std::nullopt;
  std::vector<LedgerRun> runs;
  if (const json::array* attributions = ArrayField(*entry, "line_attributions")) {
    for (const json::value& v : *attributions) {
      if (!v.is_object()) continue;
      const json::object& r = v.get_object();
      auto start = IntField(r, "start_line");
      auto end = IntField(r, "end_line");
      if (!start || !end || *start < 1 || *start > *end) continue;
      LedgerRun run;
      run.lines = {*start, *end};
      run.type = StringOr(r, "type");
      run.trace_id = OptionalString(r, "trace_id");
      run.model_id = OptionalString(r, "model_id");
      run.conversation_url = OptionalString(r, "conversation_url");
      runs.push_back(std::move(run));
    }
  }
  return runs;
}

// Runs fn(&dom) on `text` parsed into a per-thread arena (or fn(nullptr) when it is not valid
// JSON) and returns its result; the DOM is gone afterwards. Allocation dominated parsing before
// the DOM went into a reused arena; documents larger than the arena spill to the heap
// transparently. fn must not call WithTransientJson itself.
template <typename Fn>
auto WithTransientJson(std::string_view text, Fn&& fn) {
  constexpr size_t kArenaBytes = 64 * 1024;
  thread_local std::unique_ptr<unsigned char[]> arena_buffer =
      std::make_unique<unsigned char[]>(kArenaBytes);
  json::monotonic_resource arena(arena_buffer.get(), kArenaBytes);
  boost::system::error_code ec;
  json::value dom = json::parse(text, ec, &arena);
  return fn(ec ? nullptr : &dom);
}

}  // namespace

std::optional<TraceView> ParseTrace(const json::value& record) {
  if (!record.is_object()) return std::nullopt;
  const json::object& r = record.get_object();
  TraceView trace;
  trace.id = StringOr(r, "id");
  if (trace.id.empty()) return std::nullopt;
  trace.timestamp = StringOr(r, "timestamp");
  if (!trace.timestamp.empty()) trace.timestamp_micros = ParseTimestamp(trace.timestamp);
  if (const json::object* vcs = ObjectField(r, "vcs")) trace.revision = StringOr(*vcs, "revision");
  if (const json::object* tool = ObjectField(r, "tool")) trace.tool = *tool;
  if (const json::array* files = ArrayField(r, "files")) {
    trace.files.reserve(files->size());
    for (const json::value& f : *files) {
      if (!f.is_object()) continue;
      FileView file = ParseFile(f.get_object());
      if (!file.path.empty()) trace.files.push_back(std::move(file));
    }
  }
  return trace;
}

std::optional<TraceView> ParseTraceJson(std::string_view record_json,
                                        std::optional<UnixMicros> fallback_timestamp) {
  return WithTransientJson(record_json, [&](const json::value* record) -> std::optional<TraceView> {
    if (record == nullptr) return std::nullopt;
    std::optional<TraceView> view = ParseTrace(*record);
    if (view && !view->timestamp_micros) view->timestamp_micros = fallback_timestamp;
    return view;
  });
}

CommitLinkView MakeCommitLinkView(std::string commit_sha, std::string parent_sha,
                                  std::vector<std::string> trace_ids,
                                  const json::value* ledger, std::string_view file_path) {
  CommitLinkView view;
  view.commit_sha = std::move(commit_sha);
  view.parent_sha = std::move(parent_sha);
  view.trace_ids = std::move(trace_ids);
  if (ledger != nullptr) {
    view.ledger_runs = ParseLedgerRuns(*ledger, !view.trace_ids.empty(), file_path);
  }
  return view;
}

CommitLinkView MakeCommitLinkView(const CommitLink& link, std::string_view file_path) {
  return MakeCommitLinkView(CommitLink(link), file_path);
}

CommitLinkView MakeCommitLinkView(CommitLink&& link, std::string_view file_path) {
  std::string parent = link.parent_sha ? std::move(*link.parent_sha) : std::string();
  if (!link.ledger_json || link.ledger_json->empty()) {
    return MakeCommitLinkView(std::move(link.commit_sha), std::move(parent),
                              std::move(link.trace_ids), nullptr, file_path);
  }
  // The ledger DOM only lives while its runs for `file_path` are extracted; an unparseable
  // ledger is treated as absent.
  return WithTransientJson(*link.ledger_json, [&](const json::value* ledger) {
    return MakeCommitLinkView(std::move(link.commit_sha), std::move(parent),
                              std::move(link.trace_ids), ledger, file_path);
  });
}

}  // namespace ats::attribution
