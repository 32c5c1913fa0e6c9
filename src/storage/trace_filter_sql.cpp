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
};

}  // namespace

TraceFilterSql BuildTraceFilterSql(const TraceFilter& filter, char placeholder) {
  Builder b(placeholder);
  std::string project = b.AddText(filter.project_id);
  b.out().where = "t.project_id = " + project;

  struct Column {
    const std::optional<std::string>& value;
    const char* name;
    ShapeBit bit;
  };
  const Column columns[] = {{filter.session_id, "session_id", kSession},
                            {filter.conversation_id, "conversation_id", kConversation},
                            {filter.hook_event, "hook_event", kHookEvent},
                            {filter.tool_name, "tool_name", kToolName},
                            {filter.revision, "revision", kRevision}};
  for (const auto& c : columns) {
    if (c.value) b.Condition(c.bit, std::string("t.") + c.name + " = " + b.AddText(*c.value));
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
