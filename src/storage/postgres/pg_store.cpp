#include "storage/postgres/pg_store.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "common/crypto.hpp"
#include "common/request_arrival.hpp"
#include "common/time.hpp"
#include "storage/encoding.hpp"
#include "storage/migration.hpp"
#include "storage/postgres/pg_connection.hpp"
#include "storage/row_readers.hpp"
#include "storage/trace_filter_sql.hpp"

namespace ats::storage {
namespace {

using pg::Call;
using pg::Clock;
using pg::Connection;
using pg::Params;
using pg::Pool;
using pg::Rows;
using pg::Statement;

// Serialises concurrent Migrate calls of every process on one database (the value is arbitrary
// but fixed: "ATS" + 1).
constexpr int64_t kMigrationLockKey = 0x4154'5301;

// Deadlocks cannot arise between our own writes (rows are locked in a fixed order), but a
// serialization failure or a deadlock with another client rolls the whole statement back, so
// retrying is safe.
constexpr int kWriteAttempts = 3;

const Statement kInsertProjectIfMissing{
    "ats_insert_project_if_missing",
    "INSERT INTO projects (id, project_id, created_at, updated_at, visibility, "
    "owner_user_id) VALUES ($1::text, $2::text, $3::bigint, $3::bigint, 'team', "
    "$4::text) ON CONFLICT (project_id) DO NOTHING"};

const Statement kUpsertProject{
    "ats_upsert_project",
    std::string("INSERT INTO projects (id, project_id, name, description, created_at, "
                "updated_at, visibility, owner_user_id) "
                "VALUES ($1::text, $2::text, $3::text, $4::text, $5::bigint, $5::bigint, 'team', "
                "$6::text) ON CONFLICT (project_id) DO UPDATE SET "
                "name = coalesce(excluded.name, projects.name), "
                "description = coalesce(excluded.description, projects.description), "
                "updated_at = greatest(excluded.updated_at, projects.updated_at + 1) "
                "RETURNING ") +
        ATS_PROJECT_COLUMNS};

const Statement kGetProject{"ats_get_project", std::string("SELECT ") + ATS_PROJECT_COLUMNS +
                                                   " FROM projects WHERE project_id = $1::text"};

const Statement kProjectStats{
    "ats_project_stats",
    "SELECT (SELECT coalesce(sum(trace_count), 0)::bigint FROM project_counters "
    "        WHERE project_id = $1::text), "
    "       (SELECT count(DISTINCT user_id) FROM project_counters WHERE project_id = $1::text), "
    "       (SELECT count(*) FROM conversation_contents WHERE project_id = $1::text), "
    "       (SELECT ts_us FROM traces WHERE project_id = $1::text ORDER BY ts_us DESC LIMIT 1)"};

const Statement kSetVisibility{
    "ats_set_visibility",
    "UPDATE projects SET visibility = $2::text, "
    "updated_at = greatest($3::bigint, updated_at + 1) WHERE project_id = $1::text"};

// Returns whether the project exists; adds the member when it does.
const Statement kAddMember{"ats_add_member",
                           "WITH p AS (SELECT 1 FROM projects WHERE project_id = $1::text), "
                           "ins AS (INSERT INTO project_members (project_id, user_id, added_at) "
                           "        SELECT $1::text, $2::text, $3::bigint FROM p "
                           "        ON CONFLICT (project_id, user_id) DO NOTHING) "
                           "SELECT count(*) FROM p"};

const Statement kRemoveMember{
    "ats_remove_member",
    "DELETE FROM project_members WHERE project_id = $1::text AND user_id = $2::text"};

const Statement kIsMember{
    "ats_is_member",
    "SELECT 1 FROM project_members WHERE project_id = $1::text AND user_id = $2::text"};

// One statement stores a whole batch: the traces (in trace_id order, so concurrent batches lock
// rows in the same order), their side-table rows joined to the rows actually inserted, and the
// writer's counter. The counter row is touched last: it aggregates over every inserted row, so
// all trace rows are locked before it. Returns the trace_id of each inserted (new) trace.
//
// It comes in two forms. The usual one inserts plainly; INSERT ... ON CONFLICT DO NOTHING
// costs more per row (a speculative insertion: a lock and a second WAL record for every row of
// the three tables): inserting 50,000 kit-like traces took 20-50 % longer with it. A
// batch holding an id that is stored already, or that a concurrent call stores first, then
// fails whole with a unique violation and runs again in the second form, which skips such rows.
// (Leaving out stored ids with NOT EXISTS instead is at the planner's mercy: with statistics
// that have not yet seen a new project's rows, it hashes every trace of the project.)
#define ATS_INSERT_TRACES(or_skip_stored_trace, or_skip_stored_row)                            \
  "WITH ins AS ("                                                                              \
  "  INSERT INTO traces (project_id, trace_id, record, user_id, ts_us, revision, session_id, " \
  "                      conversation_id, hook_event, tool_name) "                             \
  "  SELECT $1::text, u.trace_id, u.record, $2::text, u.ts_us, u.revision, u.session_id, "     \
  "         u.conversation_id, u.hook_event, u.tool_name "                                     \
  "  FROM unnest($3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], "   \
  "              $9::text[], $10::text[]) WITH ORDINALITY "                                    \
  "       AS u(trace_id, record, ts_us, revision, session_id, conversation_id, hook_event, "   \
  "            tool_name, ord) "                                                               \
  "  ORDER BY u.ord " or_skip_stored_trace                                                     \
  "  RETURNING id, trace_id, ts_us), "                                                         \
  "files AS ("                                                                                 \
  "  INSERT INTO trace_files (project_id, path_reversed, ts_us, trace_row) "                   \
  "  SELECT $1::text, f.path_reversed, ins.ts_us, ins.id "                                     \
  "  FROM unnest($11::text[], $12::bytea[]) AS f(trace_id, path_reversed) "                    \
  "  JOIN ins ON ins.trace_id = f.trace_id " or_skip_stored_row                                \
  "), "                                                                                        \
  "models AS ("                                                                                \
  "  INSERT INTO trace_models (project_id, model_id, ts_us, trace_row) "                       \
  "  SELECT $1::text, m.model_id, ins.ts_us, ins.id "                                          \
  "  FROM unnest($13::text[], $14::text[]) AS m(trace_id, model_id) "                          \
  "  JOIN ins ON ins.trace_id = m.trace_id " or_skip_stored_row                                \
  "), "                                                                                        \
  "counter AS ("                                                                               \
  "  INSERT INTO project_counters (project_id, user_id, slot, trace_count) "                   \
  "  SELECT $1::text, $2::text, $15::bigint, count(*) FROM ins HAVING count(*) > 0 "           \
  "  ON CONFLICT (project_id, user_id, slot) "                                                 \
  "  DO UPDATE SET trace_count = project_counters.trace_count + excluded.trace_count) "        \
  "SELECT trace_id FROM ins"

// Side-table rows cannot collide here: their trace rows are new and a NewTrace's file paths and
// model ids are distinct (a caller that breaks this gets the second form).
const Statement kInsertNewTraces{"ats_insert_new_traces", ATS_INSERT_TRACES("", "")};
const Statement kInsertTracesSkippingStored{
    "ats_insert_traces_skipping_stored",
    ATS_INSERT_TRACES("ON CONFLICT (project_id, trace_id) DO NOTHING ", "ON CONFLICT DO NOTHING")};
#undef ATS_INSERT_TRACES

// SQLSTATE unique_violation.
constexpr const char* kUniqueViolation = "23505";

// Last in every write pipeline that changes a project's data, so writers take this row's lock
// after all others (see InsertTraces for the order).
const Statement kRaiseDataVersion{
    "ats_raise_data_version",
    "INSERT INTO project_data_versions (project_id, slot, version) "
    "VALUES ($1::text, $2::bigint, 1) ON CONFLICT (project_id, slot) "
    "DO UPDATE SET version = project_data_versions.version + 1"};

const Statement kGetDataVersion{
    "ats_get_data_version",
    "SELECT coalesce(sum(version), 0)::bigint FROM project_data_versions "
    "WHERE project_id = $1::text"};

const Statement kGetTrace{"ats_get_trace",
                          "SELECT " ATS_TRACE_COLUMNS
                          " FROM traces t WHERE t.project_id = $1::text AND t.trace_id = $2::text"};

const Statement kTracesByIds{
    "ats_traces_by_ids",
    "SELECT " ATS_TRACE_COLUMNS
    " FROM traces t WHERE t.project_id = $1::text AND t.trace_id = ANY($2::text[])"};

const Statement kTracesByRevisions{
    "ats_traces_by_revisions",
    "SELECT " ATS_TRACE_COLUMNS
    " FROM traces t WHERE t.project_id = $1::text AND t.revision = ANY($2::text[])"};

// Two index range families on trace_files (project_id, path_reversed, ts_us), PathMatchKeys:
// the reversed proper suffixes of the blamed path (stored paths it ends with), and the range of
// reversed paths that start with the reversed blamed path (stored paths that end with it,
// equality included). Each window is a ts_us range within those.
#define ATS_PG_TOUCHING(upper_bound)                                                              \
  "SELECT " ATS_TRACE_COLUMNS                                                                     \
  " FROM traces t WHERE t.id IN ("                                                                \
  "  SELECT s.trace_row FROM unnest($4::bigint[], $5::bigint[]) AS w(lo, hi) "                    \
  "  JOIN trace_files s ON s.project_id = $1::text AND s.path_reversed = ANY($2::bytea[]) "       \
  "                    AND s.ts_us BETWEEN w.lo AND w.hi "                                        \
  "  UNION "                                                                                      \
  "  SELECT s.trace_row FROM unnest($4::bigint[], $5::bigint[]) AS w(lo, hi) "                    \
  "  JOIN trace_files s ON s.project_id = $1::text AND s.path_reversed >= $3::bytea " upper_bound \
  " AND s.ts_us BETWEEN w.lo AND w.hi)"
const Statement kTracesTouching{"ats_traces_touching",
                                ATS_PG_TOUCHING(" AND s.path_reversed < $6::bytea")};
const Statement kTracesTouchingUnbounded{"ats_traces_touching_unbounded", ATS_PG_TOUCHING("")};

// Blame candidate sources 1 and 2 for one file (Store::GetBlameCandidates), three row kinds:
// the traces named by id ($2), with their records; the traces at one of the revisions ($3) that
// touch the file, without records (reading and sending them was half the statement's cost),
// found by hashing the (index-only) revision rows against the file's trace_files rows, which
// come from the same two index range families as above over all time: the blamed path's proper
// reversed suffixes ($4) and the range of reversed paths starting with the reversed blamed path
// ($5, $6: equality and longer stored paths); and one count per revision (n not null). The CTEs
// are materialised so that the join order stays this one under a generic plan. The hits' rows
// are read by primary key from an array: as a join, the generic plan took the semi-join's
// estimate (far more rows than the revision rows it filters) at face value and hashed a scan of
// every trace, which on a database of a few million traces ran past the statement timeout.
#define ATS_PG_CANDIDATES(upper_bound)                                            \
  "WITH touching AS ("                                                            \
  "  SELECT s.trace_row AS id FROM trace_files s "                                \
  "  WHERE s.project_id = $1::text AND s.path_reversed = ANY($4::bytea[]) "       \
  "  UNION "                                                                      \
  "  SELECT s.trace_row FROM trace_files s "                                      \
  "  WHERE s.project_id = $1::text AND s.path_reversed >= $5::bytea" upper_bound  \
  "), "                                                                           \
  "at_revision AS MATERIALIZED ("                                                 \
  "  SELECT r.id, r.revision FROM traces r "                                      \
  "  WHERE r.project_id = $1::text AND r.revision = ANY($3::text[])), "           \
  "hit AS MATERIALIZED ("                                                         \
  "  SELECT a.id FROM at_revision a WHERE a.id IN (SELECT id FROM touching)) "    \
  "SELECT t.trace_id, t.revision, t.ts_us, t.record, t.user_id, NULL::bigint "    \
  "FROM traces t WHERE t.project_id = $1::text AND t.trace_id = ANY($2::text[]) " \
  "UNION ALL "                                                                    \
  "SELECT t.trace_id, t.revision, t.ts_us, NULL, NULL, NULL "                     \
  "FROM traces t WHERE t.id = ANY (ARRAY(SELECT id FROM hit)) "                   \
  "UNION ALL "                                                                    \
  "SELECT NULL, a.revision, NULL, NULL, NULL, count(*) FROM at_revision a GROUP BY a.revision"
const Statement kBlameCandidates{"ats_blame_candidates",
                                 ATS_PG_CANDIDATES(" AND s.path_reversed < $6::bytea")};
const Statement kBlameCandidatesUnbounded{"ats_blame_candidates_unbounded", ATS_PG_CANDIDATES("")};

// Sent before a read in the same pipeline (one implicit transaction, whose end undoes the
// setting), see QueryWithGenericPlan.
const Statement kGenericPlanForThisTransaction{
    "ats_generic_plan_for_this_transaction",
    "SELECT set_config('plan_cache_mode', 'force_generic_plan', true)"};

const Statement kUpsertLink{
    "ats_upsert_link",
    "INSERT INTO commit_links (id, project_id, commit_sha, parent_sha, trace_ids, "
    "files_changed, committed_at, created_at, ledger, user_id, updated_at) "
    "VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, "
    "$8::text, $9::text, $10::text, $11::bigint) "
    "ON CONFLICT (project_id, commit_sha) DO UPDATE SET "
    "parent_sha = excluded.parent_sha, trace_ids = excluded.trace_ids, "
    "files_changed = excluded.files_changed, committed_at = excluded.committed_at, "
    "created_at = excluded.created_at, ledger = excluded.ledger, "
    "user_id = excluded.user_id, updated_at = excluded.updated_at "
    "RETURNING id"};

const Statement kGetLinks{
    "ats_get_links",
    "SELECT " ATS_COMMIT_LINK_COLUMNS
    " FROM commit_links WHERE project_id = $1::text AND commit_sha = ANY($2::text[])"};

const Statement kConversationHashes{"ats_conversation_hashes",
                                    "SELECT url, content_sha256 FROM conversation_contents "
                                    "WHERE project_id = $1::text AND url = ANY($2::text[])"};

const Statement kConversationSummaries{"ats_conversation_summaries",
                                       "SELECT url, summary FROM conversation_contents "
                                       "WHERE project_id = $1::text AND url = ANY($2::text[])"};

// The hash comparison repeats the check made before the statement, against the state the
// statement sees.
const Statement kUpsertConversations{
    "ats_upsert_conversations",
    "INSERT INTO conversation_contents (project_id, url, content, content_sha256, content_size, "
    "summary, user_id, created_at, updated_at) "
    "SELECT $1::text, c.url, c.content, c.sha, c.size, c.summary, $2::text, $3::bigint, "
    "$3::bigint FROM unnest($4::text[], $5::bytea[], $6::text[], $7::bigint[], $8::text[]) "
    "AS c(url, content, sha, size, summary) "
    "ON CONFLICT (project_id, url) DO UPDATE SET content = excluded.content, "
    "content_sha256 = excluded.content_sha256, content_size = excluded.content_size, "
    "summary = excluded.summary, user_id = excluded.user_id, updated_at = excluded.updated_at "
    "WHERE conversation_contents.content_sha256 <> excluded.content_sha256"};

const Statement kGetConversation{"ats_get_conversation",
                                 "SELECT content FROM conversation_contents "
                                 "WHERE project_id = $1::text AND url = $2::text"};

const Statement kInsertToken{
    "ats_insert_token",
    "INSERT INTO api_tokens (id, user_id, scopes, issued_at, expires_at, revoked_at, "
    "secret_hash) VALUES ($1::text, $2::text, $3::text, $4::bigint, $5::bigint, "
    "$6::bigint, $7::text) ON CONFLICT (id) DO NOTHING"};

const Statement kGetToken{"ats_get_token",
                          "SELECT " ATS_TOKEN_COLUMNS " FROM api_tokens WHERE id = $1::text"};

const Statement kListTokens{"ats_list_tokens",
                            "SELECT " ATS_TOKEN_COLUMNS " FROM api_tokens ORDER BY issued_at, id"};

// A second revocation keeps the first time.
const Statement kRevokeToken{"ats_revoke_token",
                             "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $2::bigint) "
                             "WHERE id = $1::text"};

const Statement kPing{"ats_ping", "SELECT 1"};

// The Row interface of row_readers.hpp over one row of a result.
class Row {
 public:
  Row(const Rows& rows, int row) : rows_(rows), row_(row) {}
  std::string String(int c) const { return rows_.String(row_, c); }
  std::string_view View(int c) const { return rows_.View(row_, c); }
  std::optional<std::string> OptionalString(int c) const { return rows_.OptionalString(row_, c); }
  int64_t Int(int c) const { return rows_.Int(row_, c); }
  std::optional<int64_t> OptionalInt(int c) const { return rows_.OptionalInt(row_, c); }

 private:
  const Rows& rows_;
  int row_;
};

// ATS_TRACE_COLUMNS from column `first` of every row; rows with a null there are skipped (the
// empty page of a listing).
std::vector<StoredTrace> ReadTraces(const Rows& r, int first = 0) {
  std::vector<StoredTrace> out;
  out.reserve(r.rows());
  for (int i = 0; i < r.rows(); ++i) {
    if (!r.IsNull(i, first)) out.push_back(ReadTrace(Row(r, i), first));
  }
  return out;
}

// `read(row)` -> Result<T> for every row.
template <typename T, typename ReadRow>
Result<std::vector<T>> ReadAll(const Rows& r, ReadRow read) {
  std::vector<T> out;
  out.reserve(r.rows());
  for (int i = 0; i < r.rows(); ++i) {
    Result<T> value = read(Row(r, i));
    if (!value.ok()) return value.status();
    out.push_back(std::move(value).value());
  }
  return out;
}

// Quotes an SQL identifier for the administrative statements that cannot take parameters.
std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

class PgStore final : public Store {
 public:
  PgStore(Pool::Settings settings) : timeout_(settings.timeout), pool_(std::move(settings)) {}

  // Opens the first connection, so that a wrong URL or an unreachable server fails at start.
  Status Connect() {
    Result<Pool::Lease> lease = pool_.Acquire();
    return lease.status();
  }

  Result<int> Migrate() override;
  Result<int> SchemaVersion() override;
  Status Ping() override;
  Result<std::vector<TableCount>> CountRows() override;
  Status DropAll() override;

  Result<Project> UpsertProject(const ProjectUpsert& upsert) override;
  Result<std::optional<Project>> GetProject(const std::string& project_id) override;
  Result<ProjectStats> GetProjectStats(const std::string& project_id) override;
  Result<int64_t> GetProjectDataVersion(const std::string& project_id) override;
  Status SetProjectVisibility(const std::string& project_id,
                              const std::string& visibility) override;
  Status AddProjectMember(const std::string& project_id, const std::string& user_id) override;
  Status RemoveProjectMember(const std::string& project_id, const std::string& user_id) override;
  Result<bool> IsProjectMember(const std::string& project_id, const std::string& user_id) override;

  Result<std::vector<bool>> InsertTraces(
      const std::string& project_id, const std::string& user_id,
      const std::vector<NewTrace>& traces,
      const std::vector<ConversationContent>& conversations) override;
  Result<std::optional<StoredTrace>> GetTrace(const std::string& project_id,
                                              const std::string& trace_id) override;
  Result<TracePage> ListTraces(const TraceFilter& filter) override;
  Result<std::vector<StoredTrace>> GetTracesByIds(
      const std::string& project_id, const std::vector<std::string>& trace_ids) override;
  Result<std::vector<StoredTrace>> GetTracesByRevisions(
      const std::string& project_id, const std::vector<std::string>& revisions) override;
  Result<std::vector<StoredTrace>> GetTracesTouchingFile(
      const std::string& project_id, const std::string& file_path,
      const std::vector<TimeWindow>& windows) override;
  Result<BlameCandidates> GetBlameCandidates(const std::string& project_id,
                                             const std::vector<std::string>& trace_ids,
                                             const std::vector<std::string>& revisions,
                                             const std::string& file_path) override;

  Result<CommitLink> UpsertCommitLink(const std::string& project_id,
                                      const CommitLink& link) override;
  Result<std::optional<CommitLink>> GetCommitLink(const std::string& project_id,
                                                  const std::string& commit_sha) override;
  Result<std::vector<CommitLink>> GetCommitLinks(
      const std::string& project_id, const std::vector<std::string>& commit_shas) override;

  Status UpsertConversations(const std::string& project_id, const std::string& user_id,
                             const std::vector<ConversationContent>& conversations) override;
  Result<std::optional<std::string>> GetConversation(const std::string& project_id,
                                                     const std::string& url) override;
  Result<std::unordered_map<std::string, std::string>> GetConversationHashes(
      const std::string& project_id, const std::vector<std::string>& urls) override;
  Result<std::unordered_map<std::string, std::string>> GetConversationSummaries(
      const std::string& project_id, const std::vector<std::string>& urls) override;

  Status InsertToken(const TokenRecord& token) override;
  Result<std::optional<TokenRecord>> GetToken(const std::string& token_id) override;
  Result<std::vector<TokenRecord>> ListTokens() override;
  Status RevokeToken(const std::string& token_id, UnixMicros when) override;

 private:
  enum class Kind {
    kRead,   // retried once on a fresh connection when the connection failed
    kWrite,  // retried when the server rolled it back for a deadlock or serialization failure
  };

  // Runs fn(connection) -> Status with a pooled connection, retrying as `kind` allows.
  template <typename Fn>
  Status Run(Kind kind, Fn&& fn);
  // One pipeline (one round trip, one implicit transaction) on `c`.
  Result<std::vector<Rows>> Exec(Connection& c, std::initializer_list<Call> calls) {
    return c.Pipeline(std::span<const Call>(calls.begin(), calls.size()), c.deadline());
  }
  // Runs one read statement and hands its rows to `read`.
  template <typename Read>
  Status Query(const Statement& statement, const Params& params, Read&& read) {
    return Run(Kind::kRead, [&](Connection& c) -> Status {
      Result<std::vector<Rows>> rows = Exec(c, {{&statement, &params}});
      if (!rows.ok()) return rows.status();
      return read(rows->front());
    });
  }

  Params ProjectIfMissing(const std::string& project_id, const std::string& owner, UnixMicros now) {
    Params p;
    p.Text(NewUuid()).Text(project_id).Int(now).Text(owner);
    return p;
  }
  // Compresses the contents that differ from the stored ones, drops the others.
  Status PrepareConversationWrites(const std::string& project_id,
                                   std::vector<PreparedConversation>& conversations);
  Params ConversationParams(const std::string& project_id, const std::string& user_id,
                            const std::vector<PreparedConversation>& conversations, UnixMicros now);
  // url -> the second column `statement` selects, for the stored urls among `urls`; with
  // `generic_plan`, as QueryWithGenericPlan runs it.
  Result<std::unordered_map<std::string, std::string>> UrlMap(const Statement& statement,
                                                              const std::string& project_id,
                                                              const std::vector<std::string>& urls,
                                                              bool generic_plan = false);
  // The traces `statement` selects (ATS_TRACE_COLUMNS); with `generic_plan`, as
  // QueryWithGenericPlan runs it.
  Result<std::vector<StoredTrace>> TracesFor(const Statement& statement, const Params& params,
                                             bool generic_plan = false);
  // Query, run with the statement's generic plan. Left to choose, PostgreSQL plans the reads of
  // blame afresh on every call: their long array parameters (ids, revisions, shas, urls) make a
  // custom plan look worth its cost, but planning took more than running the generic plan of the
  // same shape (the candidates statement: about 1.7 ms against 0.8 ms per call).
  template <typename Read>
  Status QueryWithGenericPlan(const Statement& statement, const Params& params, Read&& read) {
    const Params none;  // Params::values() writes a cache: one per call, not a shared one
    return Run(Kind::kRead, [&](Connection& c) -> Status {
      Result<std::vector<Rows>> rows =
          Exec(c, {{&kGenericPlanForThisTransaction, &none}, {&statement, &params}});
      if (!rows.ok()) return rows.status();
      return read(rows->back());
    });
  }

  const std::chrono::seconds timeout_;
  Pool pool_;
};

template <typename Fn>
Status PgStore::Run(Kind kind, Fn&& fn) {
  // One budget for the whole call: waiting for a slot, connecting, every statement and any retry,
  // counted from the request's arrival (common/request_arrival.hpp). A caller then hears
  // kUnavailable about timeout_ after asking, however the time was lost; a retry after a
  // timed-out read would otherwise double it. Statements get a second more, so that the
  // server's own statement_timeout (= timeout_) reports a slow statement first.
  const Clock::time_point deadline = RequestArrival::DeadlineAfter(timeout_);
  Status status;
  for (int attempt = 1; attempt <= kWriteAttempts; ++attempt) {
    Result<Pool::Lease> lease = pool_.Acquire(deadline);
    if (!lease.ok()) return lease.status();
    (*lease)->set_deadline(deadline + std::chrono::seconds(1));
    status = fn(**lease);
    if (status.ok()) return status;
    if (Clock::now() >= deadline) return status;
    const bool connection_failed = (*lease)->broken();
    const std::string& state = (*lease)->last_sqlstate();
    const bool rolled_back_for_conflict = state == "40001" || state == "40P01";
    if (kind == Kind::kRead && !(connection_failed && attempt == 1)) return status;
    if (kind == Kind::kWrite && !rolled_back_for_conflict) return status;
  }
  return status;
}

// --- lifecycle -------------------------------------------------------------------------------

Result<int> PgStore::Migrate() {
  int applied = 0;
  Status status = Run(Kind::kWrite, [&](Connection& c) -> Status {
    applied = 0;
    // Migrations may legitimately run long (index builds on big tables), and a second process
    // waits on the lock while the first migrates: no statement timeout here.
    const Clock::time_point deadline = Clock::now() + std::chrono::hours(24);
    auto body = [&]() -> Status {
      Result<std::vector<Rows>> begun = c.Simple(
          "BEGIN; SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0; "
          "SELECT pg_advisory_xact_lock(" +
              std::to_string(kMigrationLockKey) +
              "); "
              "CREATE TABLE IF NOT EXISTS schema_migrations ("
              "version integer NOT NULL PRIMARY KEY, name text NOT NULL, "
              "applied_at bigint NOT NULL)",
          deadline);
      if (!begun.ok()) return begun.status();
      Result<std::vector<Rows>> versions =
          c.Simple("SELECT version FROM schema_migrations", deadline);
      if (!versions.ok()) return versions.status();
      std::set<int64_t> done;
      for (int i = 0; i < versions->front().rows(); ++i) done.insert(versions->front().Int(i, 0));
      for (const Migration& m : PostgresMigrations()) {
        if (done.count(m.version) > 0) continue;
        Result<std::vector<Rows>> run = c.Simple(std::string(m.sql), deadline);
        if (!run.ok()) {
          return Status::Internal("migration " + std::to_string(m.version) +
                                  " failed: " + run.status().message());
        }
        // The name comes from the migration's file name ([a-z0-9_]), never from input.
        Result<std::vector<Rows>> recorded =
            c.Simple("INSERT INTO schema_migrations (version, name, applied_at) VALUES (" +
                         std::to_string(m.version) + ", '" + std::string(m.name) + "', " +
                         std::to_string(NowMicros()) + ")",
                     deadline);
        if (!recorded.ok()) return recorded.status();
        ++applied;
      }
      Result<std::vector<Rows>> committed = c.Simple("COMMIT", deadline);
      return committed.status();
    };
    Status s = body();
    if (!s.ok() && !c.broken()) c.Simple("ROLLBACK", c.deadline());
    return s;
  });
  if (!status.ok()) return status;
  return applied;
}

Result<int> PgStore::SchemaVersion() {
  int version = 0;
  Status status = Run(Kind::kRead, [&](Connection& c) -> Status {
    Result<std::vector<Rows>> exists =
        c.Simple("SELECT to_regclass('schema_migrations') IS NOT NULL", c.deadline());
    if (!exists.ok()) return exists.status();
    if (exists->front().View(0, 0) != "t") {
      version = 0;
      return Status::Ok();
    }
    Result<std::vector<Rows>> max =
        c.Simple("SELECT coalesce(max(version), 0) FROM schema_migrations", c.deadline());
    if (!max.ok()) return max.status();
    version = static_cast<int>(max->front().Int(0, 0));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return version;
}

Status PgStore::Ping() {
  Params none;
  return Query(kPing, none, [](const Rows&) { return Status::Ok(); });
}

Result<std::vector<TableCount>> PgStore::CountRows() {
  std::vector<TableCount> out;
  Status status = Run(Kind::kRead, [&](Connection& c) -> Status {
    out.clear();
    // Table names come from the constant schema list, never from input. A count of a missing
    // table fails at planning time, so first learn which ones exist.
    std::string names;
    for (std::string_view table : kSchemaTables) {
      if (!names.empty()) names += "','";
      names += table;
    }
    Result<std::vector<Rows>> existing =
        c.Simple("SELECT coalesce(string_agg(n, ','), '') FROM unnest(ARRAY['" + names +
                     "']) AS n WHERE to_regclass(n) IS NOT NULL",
                 c.deadline());
    if (!existing.ok()) return existing.status();
    std::string present = "," + existing->front().String(0, 0) + ",";
    std::string counts;
    for (std::string_view table : kSchemaTables) {
      if (present.find("," + std::string(table) + ",") == std::string::npos) continue;
      if (!counts.empty()) counts += " UNION ALL ";
      counts += "SELECT '" + std::string(table) + "', count(*) FROM " + std::string(table);
    }
    if (counts.empty()) return Status::Ok();
    Result<std::vector<Rows>> rows = c.Simple(counts, c.deadline());
    if (!rows.ok()) return rows.status();
    std::map<std::string, int64_t> by_table;
    for (int i = 0; i < rows->front().rows(); ++i) {
      by_table[rows->front().String(i, 0)] = rows->front().Int(i, 1);
    }
    for (std::string_view table : kSchemaTables) {
      auto it = by_table.find(std::string(table));
      if (it != by_table.end()) out.push_back({it->first, it->second});
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status PgStore::DropAll() {
  std::string tables;
  for (std::string_view table : kSchemaTables) {
    if (!tables.empty()) tables += ", ";
    tables += table;
  }
  return Run(Kind::kWrite, [&](Connection& c) -> Status {
    return c.Simple("DROP TABLE IF EXISTS " + tables, c.deadline()).status();
  });
}

// --- projects --------------------------------------------------------------------------------

Result<Project> PgStore::UpsertProject(const ProjectUpsert& upsert) {
  Project project;
  Params p;
  p.Text(NewUuid())
      .Text(upsert.project_id)
      .OptionalText(upsert.name)
      .OptionalText(upsert.description)
      .Int(NowMicros())
      .Text(upsert.user_id);
  Status status = Run(Kind::kWrite, [&](Connection& c) -> Status {
    Result<std::vector<Rows>> rows = Exec(c, {{&kUpsertProject, &p}});
    if (!rows.ok()) return rows.status();
    if (rows->front().rows() != 1) return Status::Internal("project upsert returned no row");
    project = ReadProject(Row(rows->front(), 0));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return project;
}

Result<std::optional<Project>> PgStore::GetProject(const std::string& project_id) {
  std::optional<Project> project;
  Params p;
  p.Text(project_id);
  Status status = Query(kGetProject, p, [&](const Rows& r) {
    if (r.rows() > 0) project = ReadProject(Row(r, 0));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return project;
}

Result<ProjectStats> PgStore::GetProjectStats(const std::string& project_id) {
  ProjectStats stats;
  Params p;
  p.Text(project_id);
  Status status = Query(kProjectStats, p, [&](const Rows& r) {
    stats.trace_count = r.Int(0, 0);
    stats.unique_users = r.Int(0, 1);
    stats.conversation_count = r.Int(0, 2);
    stats.latest_trace_at = r.OptionalInt(0, 3);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return stats;
}

Result<int64_t> PgStore::GetProjectDataVersion(const std::string& project_id) {
  int64_t version = 0;
  Params p;
  p.Text(project_id);
  Status status = Query(kGetDataVersion, p, [&](const Rows& r) {
    version = r.rows() > 0 ? r.Int(0, 0) : 0;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return version;
}

Status PgStore::SetProjectVisibility(const std::string& project_id, const std::string& visibility) {
  if (visibility != "team" && visibility != "private") {
    return Status::InvalidArgument("visibility must be \"team\" or \"private\"");
  }
  Params p;
  p.Text(project_id).Text(visibility).Int(NowMicros());
  return Run(Kind::kWrite, [&](Connection& c) -> Status {
    Result<std::vector<Rows>> rows = Exec(c, {{&kSetVisibility, &p}});
    if (!rows.ok()) return rows.status();
    return rows->front().AffectedRows() == 0 ? Status::NotFound("project not found") : Status::Ok();
  });
}

Status PgStore::AddProjectMember(const std::string& project_id, const std::string& user_id) {
  Params p;
  p.Text(project_id).Text(user_id).Int(NowMicros());
  return Run(Kind::kWrite, [&](Connection& c) -> Status {
    Result<std::vector<Rows>> rows = Exec(c, {{&kAddMember, &p}});
    if (!rows.ok()) return rows.status();
    return rows->front().Int(0, 0) == 0 ? Status::NotFound("project not found") : Status::Ok();
  });
}

Status PgStore::RemoveProjectMember(const std::string& project_id, const std::string& user_id) {
  Params p;
  p.Text(project_id).Text(user_id);
  return Run(Kind::kWrite, [&](Connection& c) -> Status {
    return Exec(c, {{&kRemoveMember, &p}}).status();
  });
}

Result<bool> PgStore::IsProjectMember(const std::string& project_id, const std::string& user_id) {
  bool member = false;
  Params p;
  p.Text(project_id).Text(user_id);
  Status status = Query(kIsMember, p, [&](const Rows& r) {
    member = r.rows() > 0;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return member;
}

// --- traces ----------------------------------------------------------------------------------

Result<std::vector<bool>> PgStore::InsertTraces(
    const std::string& project_id, const std::string& user_id, const std::vector<NewTrace>& traces,
    const std::vector<ConversationContent>& conversations) {
  const TraceBatch batch = DedupeTraces(traces);
  std::vector<PreparedConversation> prepared = PrepareConversations(conversations);
  ATS_RETURN_IF_ERROR(PrepareConversationWrites(project_id, prepared));
  const UnixMicros now = NowMicros();

  std::vector<std::string_view> ids, records, revisions, sessions, conversation_ids, hooks, tools;
  std::vector<int64_t> timestamps;
  std::vector<std::string_view> file_trace_ids, model_trace_ids, model_ids;
  std::vector<std::string> reversed_paths;
  for (size_t i : batch.unique) {
    const NewTrace& t = traces[i];
    ids.push_back(t.trace_id);
    records.push_back(t.record_json);
    timestamps.push_back(t.timestamp);
    revisions.push_back(t.revision);
    sessions.push_back(t.session_id);
    conversation_ids.push_back(t.conversation_id);
    hooks.push_back(t.hook_event);
    tools.push_back(t.tool_name);
    for (const std::string& path : t.file_paths) {
      file_trace_ids.push_back(t.trace_id);
      reversed_paths.push_back(ReversePath(path));
    }
    for (const std::string& model : t.model_ids) {
      model_trace_ids.push_back(t.trace_id);
      model_ids.push_back(model);
    }
  }
  Params project = ProjectIfMissing(project_id, user_id, now);
  Params convs = ConversationParams(project_id, user_id, prepared, now);
  std::vector<bool> duplicate = batch.repeated;
  Status status = Run(Kind::kWrite, [&](Connection& c) -> Status {
    // Project first, then conversations, then traces: every writer takes locks in this order.
    std::vector<Call> calls = {{&kInsertProjectIfMissing, &project}};
    if (!prepared.empty()) calls.push_back({&kUpsertConversations, &convs});
    Params insert;
    size_t insert_call = 0;
    if (!batch.unique.empty()) {
      insert.Text(project_id)
          .Text(user_id)
          .TextArray(ids)
          .TextArray(records)
          .IntArray(timestamps)
          .TextArray(revisions)
          .TextArray(sessions)
          .TextArray(conversation_ids)
          .TextArray(hooks)
          .TextArray(tools)
          .TextArray(file_trace_ids)
          .BytesArray(reversed_paths)
          .TextArray(model_trace_ids)
          .TextArray(model_ids)
          .Int(c.slot());
      insert_call = calls.size();
      calls.push_back({&kInsertNewTraces, &insert});
    }
    Params version;
    version.Text(project_id).Int(c.slot());
    calls.push_back({&kRaiseDataVersion, &version});
    Result<std::vector<Rows>> rows = c.Pipeline(calls, c.deadline());
    if (!rows.ok() && !batch.unique.empty() && c.last_sqlstate() == kUniqueViolation) {
      // Rolled back whole: run again in the form that skips the stored ids.
      calls[insert_call].statement = &kInsertTracesSkippingStored;
      rows = c.Pipeline(calls, c.deadline());
    }
    if (!rows.ok()) return rows.status();
    if (batch.unique.empty()) return Status::Ok();
    const Rows& inserted = (*rows)[insert_call];
    std::set<std::string_view> fresh;
    for (int r = 0; r < inserted.rows(); ++r) fresh.insert(inserted.View(r, 0));
    duplicate = batch.repeated;
    for (size_t i : batch.unique) {
      if (fresh.count(traces[i].trace_id) == 0) duplicate[i] = true;
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return duplicate;
}

Result<std::vector<StoredTrace>> PgStore::TracesFor(const Statement& statement,
                                                    const Params& params, bool generic_plan) {
  std::vector<StoredTrace> out;
  auto read = [&](const Rows& r) {
    out = ReadTraces(r);
    return Status::Ok();
  };
  Status status = generic_plan ? QueryWithGenericPlan(statement, params, read)
                               : Query(statement, params, read);
  if (!status.ok()) return status;
  return out;
}

Result<std::optional<StoredTrace>> PgStore::GetTrace(const std::string& project_id,
                                                     const std::string& trace_id) {
  Params p;
  p.Text(project_id).Text(trace_id);
  Result<std::vector<StoredTrace>> found = TracesFor(kGetTrace, p);
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<StoredTrace>();
  return std::optional<StoredTrace>(std::move(found->front()));
}

Result<TracePage> PgStore::ListTraces(const TraceFilter& filter) {
  TraceFilterSql where = BuildTraceFilterSql(filter, '$');
  const size_t n = where.args.size();
  // Total and page in one statement (one round trip, one snapshot). The unfiltered total is the
  // sum of the project's counters instead of a count over its traces.
  const std::string total =
      where.project_only()
          ? "SELECT coalesce(sum(trace_count), 0)::bigint AS total FROM project_counters "
            "WHERE project_id = $1"
          : "SELECT count(*) AS total FROM traces t WHERE " + where.where;
  const Statement statement{
      "ats_list_traces_" + std::to_string(where.shape),
      "SELECT c.total, p.* FROM (" + total + ") c LEFT JOIN LATERAL (SELECT " +
          ATS_TRACE_COLUMNS " FROM traces t WHERE " + where.where + " ORDER BY " + kTraceListOrder +
          " LIMIT $" + std::to_string(n + 1) + " OFFSET $" + std::to_string(n + 2) + ") p ON true"};
  Params p;
  for (const SqlArg& a : where.args) {
    if (a.kind == SqlArg::Kind::kInt64) {
      p.Int(a.number);
    } else {
      p.Text(a.text);  // text and bytea are both sent as raw bytes
    }
  }
  p.Int(std::max(filter.limit, 0)).Int(std::max(filter.offset, 0));
  TracePage page;
  Status status = Query(statement, p, [&](const Rows& r) {
    page.total = r.rows() > 0 ? r.Int(0, 0) : 0;
    page.traces = ReadTraces(r, 1);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return page;
}

Result<std::vector<StoredTrace>> PgStore::GetTracesByIds(
    const std::string& project_id, const std::vector<std::string>& trace_ids) {
  if (trace_ids.empty()) return std::vector<StoredTrace>();
  Params p;
  p.Text(project_id).TextArray(trace_ids);
  return TracesFor(kTracesByIds, p, /*generic_plan=*/true);
}

Result<std::vector<StoredTrace>> PgStore::GetTracesByRevisions(
    const std::string& project_id, const std::vector<std::string>& revisions) {
  if (revisions.empty()) return std::vector<StoredTrace>();
  Params p;
  p.Text(project_id).TextArray(revisions);
  return TracesFor(kTracesByRevisions, p);
}

Result<std::vector<StoredTrace>> PgStore::GetTracesTouchingFile(
    const std::string& project_id, const std::string& file_path,
    const std::vector<TimeWindow>& windows) {
  if (windows.empty()) return std::vector<StoredTrace>();
  const PathMatchKeys keys = PathMatchKeysFor(file_path);
  std::vector<int64_t> from, to;
  for (const TimeWindow& w : windows) {
    from.push_back(w.from);
    to.push_back(w.to);
  }
  Params p;
  p.Text(project_id)
      .BytesArray(keys.proper_suffixes)
      .Bytes(keys.reversed)
      .IntArray(from)
      .IntArray(to);
  if (keys.upper) p.Bytes(*keys.upper);
  return TracesFor(keys.upper ? kTracesTouching : kTracesTouchingUnbounded, p,
                   /*generic_plan=*/true);
}

Result<Store::BlameCandidates> PgStore::GetBlameCandidates(
    const std::string& project_id, const std::vector<std::string>& trace_ids,
    const std::vector<std::string>& revisions, const std::string& file_path) {
  BlameCandidates out;
  if (trace_ids.empty() && revisions.empty()) return out;
  const PathMatchKeys keys = PathMatchKeysFor(file_path);
  Params p;
  p.Text(project_id)
      .TextArray(trace_ids)
      .TextArray(revisions)
      .BytesArray(keys.proper_suffixes)
      .Bytes(keys.reversed);
  if (keys.upper) p.Bytes(*keys.upper);
  const Statement& statement = keys.upper ? kBlameCandidates : kBlameCandidatesUnbounded;
  Status status = QueryWithGenericPlan(statement, p, [&](const Rows& r) -> Status {
    // A trace named by id that also touches the file at a revision comes twice; one of them has
    // the record.
    std::unordered_map<std::string_view, size_t> seen;
    out.traces.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
      if (!r.IsNull(i, 5)) {
        out.revision_counts.emplace_back(r.String(i, 1), r.Int(i, 5));
        continue;
      }
      auto [it, fresh] = seen.try_emplace(r.View(i, 0), out.traces.size());
      if (fresh) {
        CandidateTrace& added = out.traces.emplace_back();
        added.trace_id = r.String(i, 0);
        added.revision = r.String(i, 1);
        added.timestamp = r.Int(i, 2);
      }
      CandidateTrace& trace = out.traces[it->second];
      if (!trace.record_json && !r.IsNull(i, 3)) {
        trace.record_json = r.String(i, 3);
        trace.user_id = r.String(i, 4);
      }
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

// --- commit links ----------------------------------------------------------------------------

Result<CommitLink> PgStore::UpsertCommitLink(const std::string& project_id,
                                             const CommitLink& link) {
  CommitLink stored = link;
  const UnixMicros now = NowMicros();
  if (stored.created_at.empty()) stored.created_at = FormatTimestamp(now);
  Params project = ProjectIfMissing(project_id, link.user_id, now);
  Params p;
  p.Text(NewUuid())
      .Text(project_id)
      .Text(stored.commit_sha)
      .OptionalText(stored.parent_sha)
      .Text(EncodeStringArray(stored.trace_ids))
      .Text(stored.files_changed_json)
      .OptionalText(stored.committed_at)
      .Text(stored.created_at)
      .OptionalText(stored.ledger_json)
      .Text(stored.user_id)
      .Int(now);
  Status status = Run(Kind::kWrite, [&](Connection& c) -> Status {
    Params version;
    version.Text(project_id).Int(c.slot());
    Result<std::vector<Rows>> rows = Exec(c, {{&kInsertProjectIfMissing, &project},
                                              {&kUpsertLink, &p},
                                              {&kRaiseDataVersion, &version}});
    if (!rows.ok()) return rows.status();
    const Rows& upserted = (*rows)[1];
    if (upserted.rows() != 1) return Status::Internal("commit link upsert returned no row");
    stored.id = upserted.String(0, 0);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return stored;
}

Result<std::optional<CommitLink>> PgStore::GetCommitLink(const std::string& project_id,
                                                         const std::string& commit_sha) {
  Result<std::vector<CommitLink>> found = GetCommitLinks(project_id, {commit_sha});
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<CommitLink>();
  return std::optional<CommitLink>(std::move(found->front()));
}

Result<std::vector<CommitLink>> PgStore::GetCommitLinks(
    const std::string& project_id, const std::vector<std::string>& commit_shas) {
  std::vector<CommitLink> out;
  if (commit_shas.empty()) return out;
  Params p;
  p.Text(project_id).TextArray(commit_shas);
  Status status = QueryWithGenericPlan(kGetLinks, p, [&](const Rows& r) -> Status {
    Result<std::vector<CommitLink>> links = ReadAll<CommitLink>(r, ReadCommitLink<Row>);
    if (!links.ok()) return links.status();
    out = std::move(links).value();
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

// --- conversations ---------------------------------------------------------------------------

Result<std::unordered_map<std::string, std::string>> PgStore::UrlMap(
    const Statement& statement, const std::string& project_id,
    const std::vector<std::string>& urls, bool generic_plan) {
  std::unordered_map<std::string, std::string> out;
  if (urls.empty()) return out;
  Params p;
  p.Text(project_id).TextArray(urls);
  auto read = [&](const Rows& r) {
    for (int i = 0; i < r.rows(); ++i) out.emplace(r.String(i, 0), r.String(i, 1));
    return Status::Ok();
  };
  Status status = generic_plan ? QueryWithGenericPlan(statement, p, read) : Query(statement, p, read);
  if (!status.ok()) return status;
  return out;
}

Status PgStore::PrepareConversationWrites(const std::string& project_id,
                                          std::vector<PreparedConversation>& conversations) {
  if (conversations.empty()) return Status::Ok();
  std::vector<std::string> urls;
  for (const auto& c : conversations) urls.push_back(c.source->url);
  // An unchanged upload (the common case: the client re-sends the whole transcript) costs one
  // indexed read and is neither compressed nor sent again.
  Result<std::unordered_map<std::string, std::string>> stored =
      UrlMap(kConversationHashes, project_id, urls);
  if (!stored.ok()) return stored.status();
  DropUnchangedAndCompress(conversations, *stored);
  return Status::Ok();
}

Params PgStore::ConversationParams(const std::string& project_id, const std::string& user_id,
                                   const std::vector<PreparedConversation>& conversations,
                                   UnixMicros now) {
  std::vector<std::string_view> urls, contents, hashes, summaries;
  std::vector<int64_t> sizes;
  for (const PreparedConversation& c : conversations) {
    urls.push_back(c.source->url);
    contents.push_back(c.compressed);
    hashes.push_back(c.sha256);
    sizes.push_back(static_cast<int64_t>(c.source->content.size()));
    summaries.push_back(c.summary);
  }
  Params p;
  p.Text(project_id)
      .Text(user_id)
      .Int(now)
      .TextArray(urls)
      .BytesArray(contents)
      .TextArray(hashes)
      .IntArray(sizes)
      .TextArray(summaries);
  return p;
}

Status PgStore::UpsertConversations(const std::string& project_id, const std::string& user_id,
                                    const std::vector<ConversationContent>& conversations) {
  std::vector<PreparedConversation> prepared = PrepareConversations(conversations);
  ATS_RETURN_IF_ERROR(PrepareConversationWrites(project_id, prepared));
  // Every content was unchanged, so each is stored in the project already: nothing to write, and
  // the project exists (conversations are only ever written after their project, and projects
  // are never deleted). The client re-sends unchanged transcripts often; this spares them a
  // write transaction.
  if (prepared.empty()) return Status::Ok();
  const UnixMicros now = NowMicros();
  Params project = ProjectIfMissing(project_id, user_id, now);
  Params convs = ConversationParams(project_id, user_id, prepared, now);
  return Run(Kind::kWrite, [&](Connection& c) -> Status {
    Params version;
    version.Text(project_id).Int(c.slot());
    return Exec(c, {{&kInsertProjectIfMissing, &project},
                    {&kUpsertConversations, &convs},
                    {&kRaiseDataVersion, &version}})
        .status();
  });
}

Result<std::optional<std::string>> PgStore::GetConversation(const std::string& project_id,
                                                            const std::string& url) {
  std::optional<std::string> content;
  Params p;
  p.Text(project_id).Text(url);
  Status status = Query(kGetConversation, p, [&](const Rows& r) -> Status {
    if (r.rows() == 0) return Status::Ok();
    Result<std::string> text = Decompress(r.View(0, 0));
    if (!text.ok()) return text.status();
    content = std::move(text).value();
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return content;
}

Result<std::unordered_map<std::string, std::string>> PgStore::GetConversationHashes(
    const std::string& project_id, const std::vector<std::string>& urls) {
  return UrlMap(kConversationHashes, project_id, urls, /*generic_plan=*/true);
}

Result<std::unordered_map<std::string, std::string>> PgStore::GetConversationSummaries(
    const std::string& project_id, const std::vector<std::string>& urls) {
  return UrlMap(kConversationSummaries, project_id, urls, /*generic_plan=*/true);
}

// --- tokens ----------------------------------------------------------------------------------

Status PgStore::InsertToken(const TokenRecord& token) {
  Params p;
  p.Text(token.id)
      .Text(token.user_id)
      .Text(EncodeStringArray(token.scopes))
      .Int(token.issued_at)
      .OptionalInt(token.expires_at)
      .OptionalInt(token.revoked_at)
      .Text(token.secret_hash);
  return Run(Kind::kWrite, [&](Connection& c) -> Status {
    Result<std::vector<Rows>> rows = Exec(c, {{&kInsertToken, &p}});
    if (!rows.ok()) return rows.status();
    return rows->front().AffectedRows() == 0
               ? Status::InvalidArgument("a token with this id already exists")
               : Status::Ok();
  });
}

Result<std::optional<TokenRecord>> PgStore::GetToken(const std::string& token_id) {
  std::optional<TokenRecord> token;
  Params p;
  p.Text(token_id);
  Status status = Query(kGetToken, p, [&](const Rows& r) -> Status {
    if (r.rows() == 0) return Status::Ok();
    Result<TokenRecord> read = ReadToken(Row(r, 0));
    if (!read.ok()) return read.status();
    token = std::move(read).value();
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return token;
}

Result<std::vector<TokenRecord>> PgStore::ListTokens() {
  std::vector<TokenRecord> out;
  Params none;
  Status status = Query(kListTokens, none, [&](const Rows& r) -> Status {
    Result<std::vector<TokenRecord>> tokens = ReadAll<TokenRecord>(r, ReadToken<Row>);
    if (!tokens.ok()) return tokens.status();
    out = std::move(tokens).value();
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status PgStore::RevokeToken(const std::string& token_id, UnixMicros when) {
  Params p;
  p.Text(token_id).Int(when);
  return Run(Kind::kWrite, [&](Connection& c) -> Status {
    Result<std::vector<Rows>> rows = Exec(c, {{&kRevokeToken, &p}});
    if (!rows.ok()) return rows.status();
    return rows->front().AffectedRows() == 0 ? Status::NotFound("token not found") : Status::Ok();
  });
}

// --- opening ---------------------------------------------------------------------------------

// The settings libpq reads from `url`, or kInvalidArgument.
Result<std::map<std::string, std::string>> ParseUrl(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    std::string message = error != nullptr ? pg::FirstLine(error) : "out of memory";
    PQfreemem(error);
    return Status::InvalidArgument("invalid PostgreSQL URL: " + message);
  }
  std::map<std::string, std::string> out;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val != nullptr) out[o->keyword] = o->val;
  }
  PQconninfoFree(options);
  return out;
}

bool IsIdentifier(std::string_view name) {
  return !name.empty() && name.size() < 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Runs one administrative statement (CREATE/DROP DATABASE cannot run in a transaction or take
// parameters) on the database `url` names.
Status RunAdminStatement(const std::string& url, const std::string& sql, int timeout_seconds) {
  Result<std::map<std::string, std::string>> parsed = ParseUrl(url);
  if (!parsed.ok()) return parsed.status();
  Pool pool({{"dbname", "connect_timeout"},
             {url, std::to_string(std::max(2, timeout_seconds))},
             1,
             std::chrono::seconds(timeout_seconds)});
  Result<Pool::Lease> lease = pool.Acquire();
  if (!lease.ok()) return lease.status();
  return (*lease)->Simple(sql, Clock::now() + std::chrono::seconds(timeout_seconds)).status();
}

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const StoreOptions& options) {
  Result<std::map<std::string, std::string>> parsed = ParseUrl(options.database_url);
  if (!parsed.ok()) return parsed.status();
  const int timeout = std::max(1, options.timeout_seconds);
  const int timeout_ms = timeout * 1000;
  // Server-side limits make an outage or a stuck lock answer within the timeout; the client
  // side keeps its own deadline for a server that stops answering altogether.
  // No JIT compilation, unless the URL asks for it: PostgreSQL starts it from cost estimates,
  // and it would add tens of milliseconds to statements that are index lookups taking less than
  // one.
  std::string server_options = "-c jit=off ";
  if (parsed->count("options")) server_options += parsed->at("options") + " ";
  server_options += "-c statement_timeout=" + std::to_string(timeout_ms) +
                    " -c idle_in_transaction_session_timeout=" + std::to_string(4 * timeout_ms);
  Pool::Settings settings;
  auto set = [&](const std::string& keyword, const std::string& value) {
    settings.keywords.push_back(keyword);
    settings.values.push_back(value);
  };
  set("dbname", options.database_url);  // expanded: the URL's own settings come first
  set("connect_timeout", std::to_string(std::max(2, timeout)));  // libpq's minimum is 2
  set("options", server_options);
  if (!parsed->count("application_name")) set("application_name", "agent-trace-service");
  if (!parsed->count("keepalives_idle")) set("keepalives_idle", "30");
  if (!parsed->count("keepalives_interval")) set("keepalives_interval", "10");
  if (!parsed->count("keepalives_count")) set("keepalives_count", "3");
  settings.size = std::max(1, options.pg_pool_size);
  settings.timeout = std::chrono::seconds(timeout);
  auto store = std::make_unique<PgStore>(std::move(settings));
  ATS_RETURN_IF_ERROR(store->Connect());
  return std::unique_ptr<Store>(std::move(store));
}

std::string PostgresUrlWithDatabase(const std::string& url, const std::string& database) {
  // A dbname query parameter overrides the path of a libpq URL.
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "dbname=" + database;
}

Result<std::string> PostgresDatabaseName(const std::string& url) {
  Result<std::map<std::string, std::string>> parsed = ParseUrl(url);
  if (!parsed.ok()) return parsed.status();
  auto it = parsed->find("dbname");
  if (it == parsed->end() || it->second.empty()) {
    return Status::InvalidArgument("the PostgreSQL URL names no database");
  }
  return it->second;
}

Status CreatePostgresDatabase(const std::string& url, const std::string& database,
                              int timeout_seconds) {
  if (!IsIdentifier(database)) return Status::InvalidArgument("invalid database name");
  Status status =
      RunAdminStatement(url, "CREATE DATABASE " + QuoteIdentifier(database), timeout_seconds);
  // 42P04 duplicate_database: it exists already, which is what the caller wants.
  if (!status.ok() && status.message().find("already exists") != std::string::npos) {
    return Status::Ok();
  }
  return status;
}

Status DropPostgresDatabase(const std::string& url, const std::string& database,
                            int timeout_seconds) {
  if (!IsIdentifier(database)) return Status::InvalidArgument("invalid database name");
  return RunAdminStatement(url,
                           "DROP DATABASE IF EXISTS " + QuoteIdentifier(database) + " WITH (FORCE)",
                           timeout_seconds);
}

}  // namespace ats::storage
