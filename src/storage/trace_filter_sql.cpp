#include "storage/trace_filter_sql.hpp"

#include "storage/encoding.hpp"

namespace ats::storage {
namespace {

class Builder {
 public:
  explicit Builder(char placeholder) : placeholder_(placeholder) {}

  std::string Add(SqlArg arg) {
    out_.args.push_back(std::move(arg));
    return placeholder_ + std::to_string(out_.args.size());
  }
  std::string AddText(const std::string& v) { return Add({SqlArg::Kind::kText, v, 0}); }
  std::string AddInt(int64_t v) { return Add({SqlArg::Kind::kInt64, {}, v}); }
  std::string AddBytes(std::string v) { return Add({SqlArg::Kind::kBytes, std::move(v), 0}); }

  void Condition(uint32_t bit, const std::string& sql) {
    out_.shape |= bit;
    out_.where += " AND ";
    out_.where += sql;
  }

  TraceFilterSql& out() { return out_; }

 private:
  char placeholder_;
  TraceFilterSql out_;
};

enum ShapeBit : uint32_t {
  kSession = 1u << 0,
  kConversation = 1u << 1,
  kHookEvent = 1u << 2,
  kToolName = 1u << 3,
  kRevision = 1u << 4,
  kSince = 1u << 5,
  kUntil = 1u << 6,
  kModel = 1u << 7,
  kFile = 1u << 8,
  // A filter for '' on a column with a partial index is different SQL (see below).
  kSessionMissing = 1u << 9,
  kConversationMissing = 1u << 10,
  kHookEventMissing = 1u << 11,
};

}  // namespace

TraceFilterSql BuildTraceFilterSql(const TraceFilter& filter, char placeholder) {
  Builder b(placeholder);
  std::string project = b.AddText(filter.project_id);
  b.out().where = "t.project_id = " + project;

  // `missing_bit` set: the column's index holds only rows where it is not '' (migration 0004). A
  // filter for a value repeats that condition word for word, so that both databases see that the
  // query implies it and read the index (PostgreSQL's generic plans cannot prove it from
  // `= $n`); a filter for '' (traces lacking the value) cannot use the index and scans the
  // project by time, under a shape of its own.
  struct Column {
    const std::optional<std::string>& value;
    const char* name;
    ShapeBit bit;
    uint32_t missing_bit;
  };
  const Column columns[] = {
      {filter.session_id, "session_id", kSession, kSessionMissing},
      {filter.conversation_id, "conversation_id", kConversation, kConversationMissing},
      {filter.hook_event, "hook_event", kHookEvent, kHookEventMissing},
      {filter.tool_name, "tool_name", kToolName, 0},
      {filter.revision, "revision", kRevision, 0}};
  for (const auto& c : columns) {
    if (!c.value) continue;
    std::string column = std::string("t.") + c.name;
    std::string sql = column + " = " + b.AddText(*c.value);
    if (c.missing_bit == 0) {
      b.Condition(c.bit, sql);
    } else if (c.value->empty()) {
      b.Condition(c.missing_bit, sql);
    } else {
      b.Condition(c.bit, sql + " AND " + column + " <> ''");
    }
  }

  // The time bounds also narrow the side-table scans, whose index ends with ts_us.
  std::string side_time;
  if (filter.since) {
    std::string p = b.AddInt(*filter.since);
    b.Condition(kSince, "t.ts_us >= " + p);
    side_time += " AND s.ts_us >= " + p;
  }
  if (filter.until) {
    std::string p = b.AddInt(*filter.until);
    b.Condition(kUntil, "t.ts_us <= " + p);
    side_time += " AND s.ts_us <= " + p;
  }
  if (filter.model_id) {
    b.Condition(kModel,
                "t.id IN (SELECT s.trace_row FROM trace_models s WHERE s.project_id = " + project +
                    " AND s.model_id = " + b.AddText(*filter.model_id) + side_time + ")");
  }
  if (filter.file_path) {
    b.Condition(kFile,
                "t.id IN (SELECT s.trace_row FROM trace_files s WHERE s.project_id = " + project +
                    " AND s.path_reversed = " + b.AddBytes(ReversePath(*filter.file_path)) +
                    side_time + ")");
  }
  return std::move(b.out());
}

}  // namespace ats::storage
