// The WHERE clause of a trace listing, shared by both backends: the SQL of the conditions is
// standard, only the placeholder syntax differs ("?1" for SQLite, "$1" for PostgreSQL).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/records.hpp"

namespace ats::storage {

// One bound value of the clause.
struct SqlArg {
  enum class Kind { kText, kBytes, kInt64 };
  Kind kind = Kind::kText;
  std::string text;    // kText, kBytes (kBytes: a reversed path, bound as bytea/blob or text)
  int64_t number = 0;  // kInt64
};

struct TraceFilterSql {
  // Conditions on `traces t`, joined with AND; parameters numbered from 1 in `args` order.
  std::string where;
  std::vector<SqlArg> args;
  // One bit per present filter, and for the session, conversation and hook event one bit for a
  // value and another for '': two filters with equal shapes produce the same SQL text, so the
  // shape names a prepared statement.
  uint32_t shape = 0;
  // True when only project_id is set (the total is then the project's trace counter).
  bool project_only() const { return shape == 0; }
};

// The order of a listing, newest first, id breaking timestamp ties; every trace index ends with it.
inline constexpr const char* kTraceListOrder = "t.ts_us DESC, t.id DESC";

// `placeholder` is '?' (SQLite) or '$' (PostgreSQL). Every condition is answerable from an index
// of the schema: (project_id, <column>, ts_us) on traces, or the side tables
// trace_models(project_id, model_id, ts_us, trace_row) and
// trace_files(project_id, path_reversed, ts_us, trace_row). The one exception is a filter for ''
// on the session, conversation or hook event, whose partial indexes leave those rows out: it is
// answered by scanning the project by time.
TraceFilterSql BuildTraceFilterSql(const TraceFilter& filter, char placeholder);

}  // namespace ats::storage
