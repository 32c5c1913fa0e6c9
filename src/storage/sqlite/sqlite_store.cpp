#include "storage/sqlite/sqlite_store.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <unordered_map>

#include "common/crypto.hpp"
#include "common/request_arrival.hpp"
#include "common/time.hpp"
#include "storage/encoding.hpp"
#include "storage/migration.hpp"
#include "storage/row_readers.hpp"
#include "storage/sqlite/sqlite_checkpointer.hpp"
#include "storage/sqlite/sqlite_connection.hpp"
#include "storage/trace_filter_sql.hpp"

namespace ats::storage {
namespace {

using sqlite::Checkpointer;
using sqlite::Connection;
using sqlite::Statement;

// Readers beside the writer. Reads are short index lookups, so a few connections keep the
// service's threads busy without holding much page cache each.
constexpr int kReaderConnections = 4;

// Page cache per connection, within the service's memory budget (100 MB in all). The writer's
// inserts touch a random leaf of the trace-id index and the right edge of every other index: with
// SQLite's default 2 MB it read most of them back from the file. On the kit's dataset, batch
// ingests ran at 175-196 batches/s with 8-16 MB against 150-160 with 2 MB; with 12 MB the
// service's peak reached 96 MB, so 8 MB keeps a margin. Readers find most answers in the
// service's caches, so they give back part of what the writer takes.
constexpr int kWriterPageCacheKib = 8 * 1024;
constexpr int kReaderPageCacheKib = 1024;

// The Row interface of row_readers.hpp over the current row of a statement.
class Row {
 public:
  explicit Row(const Statement& s) : s_(s) {}
  std::string String(int c) const { return s_.ColumnString(c); }
  std::string_view View(int c) const { return s_.ColumnView(c); }
  std::optional<std::string> OptionalString(int c) const { return s_.ColumnOptionalString(c); }
  int64_t Int(int c) const { return s_.ColumnInt(c); }
  std::optional<int64_t> OptionalInt(int c) const { return s_.ColumnOptionalInt(c); }

 private:
  const Statement& s_;
};

StoredTrace ReadTraceRow(const Statement& s) { return ReadTrace(Row(s)); }
Result<CommitLink> ReadCommitLinkRow(const Statement& s) { return ReadCommitLink(Row(s)); }
Result<TokenRecord> ReadTokenRow(const Statement& s) { return ReadToken(Row(s)); }

// Steps `s` to the end, appending `read(s)` for each row to `out`.
template <typename T, typename ReadRow>
Status CollectRows(Statement& s, std::vector<T>& out, ReadRow read) {
  for (;;) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    if constexpr (std::is_same_v<decltype(read(s)), T>) {
      out.push_back(read(s));
    } else {
      auto value = read(s);
      if (!value.ok()) return value.status();
      out.push_back(std::move(value).value());
    }
  }
}

// "[[from,to],...]" for json_each.
std::string WindowsJson(const std::vector<Store::TimeWindow>& windows) {
  std::string out = "[";
  for (const auto& w : windows) {
    if (out.size() > 1) out += ',';
    out += '[' + std::to_string(w.from) + ',' + std::to_string(w.to) + ']';
  }
  return out + "]";
}

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<Connection> writer, std::unique_ptr<Checkpointer> checkpointer,
              std::vector<std::unique_ptr<Connection>> readers, int timeout_seconds)
      : writer_(std::move(writer)),
        checkpointer_(std::move(checkpointer)),
        idle_readers_(std::move(readers)),
        has_readers_(!idle_readers_.empty()),
        timeout_(std::chrono::seconds(timeout_seconds)) {}

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
  // Runs fn(connection) in one BEGIN IMMEDIATE transaction on the writer: committed when fn
  // returns OK, rolled back otherwise.
  template <typename Fn>
  Status Write(Fn&& fn);
  // Runs fn(connection) on a reader; with `snapshot`, inside one read transaction so that
  // several statements see the same state.
  template <typename Fn>
  Status Read(Fn&& fn, bool snapshot = false);

  // Queries returning traces: `sql` selects ATS_TRACE_COLUMNS from `traces t`; `bind` binds it.
  template <typename Bind>
  Result<std::vector<StoredTrace>> QueryTraces(const std::string& sql, Bind bind);

  // The traces whose `column` equals one of `values`.
  Result<std::vector<StoredTrace>> TracesWhereIn(const std::string& project_id, const char* column,
                                                 const std::vector<std::string>& values);
  // url → `column` of the stored conversations among `urls`.
  Result<std::unordered_map<std::string, std::string>> ConversationColumn(
      const std::string& project_id, const std::vector<std::string>& urls, const char* column);

  // Raises the project's data version (Store::GetProjectDataVersion) inside the writer's
  // transaction; every write that changes a project's data calls it.
  Status RaiseDataVersion(Connection& c, const std::string& project_id);
  Status InsertProjectIfMissing(Connection& c, const std::string& project_id,
                                const std::string& owner, UnixMicros now);
  // Compresses the contents that differ from the stored ones and drops the others.
  Status PrepareConversationWrites(const std::string& project_id,
                                   std::vector<PreparedConversation>& conversations);
  Status WriteConversations(Connection& c, const std::string& project_id,
                            const std::string& user_id,
                            const std::vector<PreparedConversation>& conversations, UnixMicros now);

  // Holds the single writer connection for one call, waiting at most until a deadline: a request
  // queued behind a long write answers kUnavailable instead of waiting without bound (busy_timeout
  // only covers waits on other processes' locks). A flag under a condition variable rather than
  // std::timed_mutex, whose timed lock ThreadSanitizer does not see.
  class WriterLease {
   public:
    WriterLease(SqliteStore& store, std::chrono::steady_clock::time_point deadline)
        : store_(store) {
      std::unique_lock lock(store_.writer_mu_);
      held_ = store_.writer_free_cv_.wait_until(lock, deadline, [&] { return !store_.writer_busy_; });
      if (held_) store_.writer_busy_ = true;
    }
    ~WriterLease() {
      if (!held_) return;
      {
        std::lock_guard lock(store_.writer_mu_);
        store_.writer_busy_ = false;
      }
      store_.writer_free_cv_.notify_one();
    }
    WriterLease(const WriterLease&) = delete;
    WriterLease& operator=(const WriterLease&) = delete;
    bool held() const { return held_; }

   private:
    SqliteStore& store_;
    bool held_ = false;
  };

  std::mutex writer_mu_;
  std::condition_variable writer_free_cv_;
  bool writer_busy_ = false;  // guarded by writer_mu_
  std::unique_ptr<Connection> writer_;
  std::unique_ptr<Checkpointer> checkpointer_;  // after writer_: stops before it closes

  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;
  const bool has_readers_;
  const std::chrono::seconds timeout_;
};

template <typename Fn>
Status SqliteStore::Write(Fn&& fn) {
  // One time budget per call, counted from the request's arrival (common/request_arrival.hpp):
  // waiting for the writer and then for the database lock (held by another process) together
  // stay within timeout_.
  const auto deadline = RequestArrival::DeadlineAfter(timeout_);
  WriterLease lease(*this, deadline);
  if (!lease.held()) return Status::Unavailable("the SQLite writer did not become free in time");
  Connection& c = *writer_;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  sqlite3_busy_timeout(c.db(), static_cast<int>(std::max<int64_t>(1, left.count())));
  Result<Statement> begin = c.Prepare("BEGIN IMMEDIATE");
  if (!begin.ok()) return begin.status();
  ATS_RETURN_IF_ERROR(begin->Run());
  Status status = fn(c);
  if (status.ok()) {
    Result<Statement> commit = c.Prepare("COMMIT");
    status = commit.ok() ? commit->Run() : commit.status();
  }
  if (!status.ok() && sqlite3_get_autocommit(c.db()) == 0) {
    // A failed COMMIT (or statement) leaves the transaction open; nothing of it may persist.
    c.Exec("ROLLBACK");
  }
  return status;
}

template <typename Fn>
Status SqliteStore::Read(Fn&& fn, bool snapshot) {
  auto run = [&](Connection& c) -> Status {
    if (!snapshot) return fn(c);
    ATS_RETURN_IF_ERROR(c.Exec("BEGIN"));
    Status status = fn(c);
    c.Exec("COMMIT");  // read-only: ending the transaction cannot lose anything
    return status;
  };
  if (!has_readers_) {
    WriterLease lease(*this, RequestArrival::DeadlineAfter(timeout_));
    if (!lease.held()) return Status::Unavailable("the SQLite connection did not become free in time");
    return run(*writer_);
  }
  std::unique_ptr<Connection> reader;
  {
    std::unique_lock lock(readers_mu_);
    if (!readers_cv_.wait_until(lock, RequestArrival::DeadlineAfter(timeout_),
                                [&] { return !idle_readers_.empty(); })) {
      return Status::Unavailable("no SQLite reader connection became free in time");
    }
    reader = std::move(idle_readers_.back());
    idle_readers_.pop_back();
  }
  Status status = run(*reader);
  {
    std::lock_guard lock(readers_mu_);
    idle_readers_.push_back(std::move(reader));
  }
  readers_cv_.notify_one();
  return status;
}

template <typename Bind>
Result<std::vector<StoredTrace>> SqliteStore::QueryTraces(const std::string& sql, Bind bind) {
  std::vector<StoredTrace> out;
  Status status = Read([&](Connection& c) -> Status {
    Result<Statement> s = c.Prepare(sql);
    if (!s.ok()) return s.status();
    bind(*s);
    return CollectRows(*s, out, ReadTraceRow);
  });
  if (!status.ok()) return status;
  return out;
}

// --- lifecycle -------------------------------------------------------------------------------

Result<int> SqliteStore::Migrate() {
  int applied = 0;
  Status status = Write([&](Connection& c) -> Status {
    ATS_RETURN_IF_ERROR(
        c.Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
               "version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, "
               "applied_at INTEGER NOT NULL)"));
    std::set<int64_t> done;
    {
      Result<Statement> s = c.Prepare("SELECT version FROM schema_migrations");
      if (!s.ok()) return s.status();
      std::vector<int64_t> versions;
      ATS_RETURN_IF_ERROR(
          CollectRows(*s, versions, [](const Statement& r) { return r.ColumnInt(0); }));
      done.insert(versions.begin(), versions.end());
    }
    for (const Migration& m : SqliteMigrations()) {
      if (done.count(m.version) > 0) continue;
      ATS_RETURN_IF_ERROR(c.Exec(std::string(m.sql)));
      Result<Statement> s = c.Prepare(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)");
      if (!s.ok()) return s.status();
      ATS_RETURN_IF_ERROR(s->Int(m.version).Text(m.name).Int(NowMicros()).Run());
      ++applied;
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return applied;
}

Result<int> SqliteStore::SchemaVersion() {
  int version = 0;
  Status status = Read([&](Connection& c) -> Status {
    Result<Statement> exists = c.Prepare(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
    if (!exists.ok()) return exists.status();
    Result<bool> row = exists->Step();
    if (!row.ok() || !*row) return row.status();
    Result<Statement> s = c.Prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (!s.ok()) return s.status();
    row = s->Step();
    if (!row.ok()) return row.status();
    version = static_cast<int>(s->ColumnInt(0));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return version;
}

Status SqliteStore::Ping() {
  return Read([](Connection& c) -> Status {
    Result<Statement> s = c.Prepare("SELECT 1");
    return s.ok() ? s->Run() : s.status();
  });
}

Result<std::vector<TableCount>> SqliteStore::CountRows() {
  std::vector<TableCount> out;
  Status status = Read(
      [&](Connection& c) -> Status {
        for (std::string_view table : kSchemaTables) {
          Result<Statement> exists =
              c.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
          if (!exists.ok()) return exists.status();
          Result<bool> row = exists->Text(table).Step();
          if (!row.ok()) return row.status();
          if (!*row) continue;
          // Table names come from the constant list above, never from input.
          Result<Statement> count = c.Prepare("SELECT count(*) FROM " + std::string(table));
          if (!count.ok()) return count.status();
          row = count->Step();
          if (!row.ok()) return row.status();
          out.push_back({std::string(table), count->ColumnInt(0)});
        }
        return Status::Ok();
      },
      /*snapshot=*/true);
  if (!status.ok()) return status;
  return out;
}

Status SqliteStore::DropAll() {
  return Write([](Connection& c) -> Status {
    for (auto it = std::rbegin(kSchemaTables); it != std::rend(kSchemaTables); ++it) {
      ATS_RETURN_IF_ERROR(c.Exec("DROP TABLE IF EXISTS " + std::string(*it)));
    }
    return Status::Ok();
  });
}

// --- projects --------------------------------------------------------------------------------

Status SqliteStore::InsertProjectIfMissing(Connection& c, const std::string& project_id,
                                           const std::string& owner, UnixMicros now) {
  Result<Statement> s = c.Prepare(
      "INSERT INTO projects (id, project_id, created_at, updated_at, visibility, owner_user_id) "
      "VALUES (?1, ?2, ?3, ?3, 'team', ?4) ON CONFLICT (project_id) DO NOTHING");
  if (!s.ok()) return s.status();
  return s->Text(NewUuid()).Text(project_id).Int(now).Text(owner).Run();
}

Result<Project> SqliteStore::UpsertProject(const ProjectUpsert& upsert) {
  Project project;
  Status status = Write([&](Connection& c) -> Status {
    // updated_at moves forward on every upsert, even within one clock tick.
    Result<Statement> s = c.Prepare(
        std::string("INSERT INTO projects (id, project_id, name, description, created_at, "
                    "updated_at, visibility, owner_user_id) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?5, 'team', ?6) "
                    "ON CONFLICT (project_id) DO UPDATE SET "
                    "name = coalesce(excluded.name, projects.name), "
                    "description = coalesce(excluded.description, projects.description), "
                    "updated_at = max(excluded.updated_at, projects.updated_at + 1) "
                    "RETURNING ") +
        ATS_PROJECT_COLUMNS);
    if (!s.ok()) return s.status();
    Result<bool> row = s->Text(NewUuid())
                           .Text(upsert.project_id)
                           .OptionalText(upsert.name)
                           .OptionalText(upsert.description)
                           .Int(NowMicros())
                           .Text(upsert.user_id)
                           .Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Internal("project upsert returned no row");
    project = ReadProject(Row(*s));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return project;
}

Result<std::optional<Project>> SqliteStore::GetProject(const std::string& project_id) {
  std::optional<Project> project;
  Status status = Read([&](Connection& c) -> Status {
    Result<Statement> s = c.Prepare(std::string("SELECT ") + ATS_PROJECT_COLUMNS +
                                    " FROM projects WHERE project_id = ?1");
    if (!s.ok()) return s.status();
    Result<bool> row = s->Text(project_id).Step();
    if (!row.ok()) return row.status();
    if (*row) project = ReadProject(Row(*s));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return project;
}

Status SqliteStore::RaiseDataVersion(Connection& c, const std::string& project_id) {
  Result<Statement> s = c.Prepare(
      "INSERT INTO project_data_versions (project_id, slot, version) VALUES (?1, 0, 1) "
      "ON CONFLICT (project_id, slot) DO UPDATE SET version = version + 1");
  if (!s.ok()) return s.status();
  return s->Text(project_id).Run();
}

Result<int64_t> SqliteStore::GetProjectDataVersion(const std::string& project_id) {
  int64_t version = 0;
  Status status = Read([&](Connection& c) -> Status {
    Result<Statement> s = c.Prepare(
        "SELECT coalesce(sum(version), 0) FROM project_data_versions WHERE project_id = ?1");
    if (!s.ok()) return s.status();
    Result<bool> row = s->Text(project_id).Step();
    if (!row.ok()) return row.status();
    if (*row) version = s->ColumnInt(0);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return version;
}

Result<ProjectStats> SqliteStore::GetProjectStats(const std::string& project_id) {
  ProjectStats stats;
  Status status = Read([&](Connection& c) -> Status {
    Result<Statement> s = c.Prepare(
        "SELECT (SELECT coalesce(sum(trace_count), 0) FROM project_counters "
        "        WHERE project_id = ?1), "
        "       (SELECT count(DISTINCT user_id) FROM project_counters WHERE project_id = ?1), "
        "       (SELECT count(*) FROM conversation_contents WHERE project_id = ?1), "
        "       (SELECT ts_us FROM traces WHERE project_id = ?1 ORDER BY ts_us DESC LIMIT 1)");
    if (!s.ok()) return s.status();
    Result<bool> row = s->Text(project_id).Step();
    if (!row.ok()) return row.status();
    stats.trace_count = s->ColumnInt(0);
    stats.unique_users = s->ColumnInt(1);
    stats.conversation_count = s->ColumnInt(2);
    stats.latest_trace_at = s->ColumnOptionalInt(3);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return stats;
}

Status SqliteStore::SetProjectVisibility(const std::string& project_id,
                                         const std::string& visibility) {
  if (visibility != "team" && visibility != "private") {
    return Status::InvalidArgument("visibility must be \"team\" or \"private\"");
  }
  return Write([&](Connection& c) -> Status {
    Result<Statement> s = c.Prepare(
        "UPDATE projects SET visibility = ?2, updated_at = max(?3, updated_at + 1) "
        "WHERE project_id = ?1");
    if (!s.ok()) return s.status();
    ATS_RETURN_IF_ERROR(s->Text(project_id).Text(visibility).Int(NowMicros()).Run());
    if (c.Changes() == 0) return Status::NotFound("project not found");
    return Status::Ok();
  });
}

Status SqliteStore::AddProjectMember(const std::string& project_id, const std::string& user_id) {
  return Write([&](Connection& c) -> Status {
    Result<Statement> s = c.Prepare(
        "INSERT INTO project_members (project_id, user_id, added_at) "
        "SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM projects WHERE project_id = ?1) "
        "ON CONFLICT (project_id, user_id) DO NOTHING");
    if (!s.ok()) return s.status();
    ATS_RETURN_IF_ERROR(s->Text(project_id).Text(user_id).Int(NowMicros()).Run());
    if (c.Changes() > 0) return Status::Ok();
    Result<Statement> exists = c.Prepare("SELECT 1 FROM projects WHERE project_id = ?1");
    if (!exists.ok()) return exists.status();
    Result<bool> row = exists->Text(project_id).Step();
    if (!row.ok()) return row.status();
    return *row ? Status::Ok() : Status::NotFound("project not found");
  });
}

Status SqliteStore::RemoveProjectMember(const std::string& project_id, const std::string& user_id) {
  return Write([&](Connection& c) -> Status {
    Result<Statement> s =
        c.Prepare("DELETE FROM project_members WHERE project_id = ?1 AND user_id = ?2");
    if (!s.ok()) return s.status();
    return s->Text(project_id).Text(user_id).Run();
  });
}

Result<bool> SqliteStore::IsProjectMember(const std::string& project_id,
                                          const std::string& user_id) {
  bool member = false;
  Status status = Read([&](Connection& c) -> Status {
    Result<Statement> s =
        c.Prepare("SELECT 1 FROM project_members WHERE project_id = ?1 AND user_id = ?2");
    if (!s.ok()) return s.status();
    Result<bool> row = s->Text(project_id).Text(user_id).Step();
    if (!row.ok()) return row.status();
    member = *row;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return member;
}

// --- traces ----------------------------------------------------------------------------------

Result<std::vector<bool>> SqliteStore::InsertTraces(
    const std::string& project_id, const std::string& user_id, const std::vector<NewTrace>& traces,
    const std::vector<ConversationContent>& conversations) {
  TraceBatch batch = DedupeTraces(traces);
  std::vector<PreparedConversation> prepared = PrepareConversations(conversations);
  ATS_RETURN_IF_ERROR(PrepareConversationWrites(project_id, prepared));
  std::vector<bool> duplicate = batch.repeated;
  const UnixMicros now = NowMicros();
  Status status = Write([&](Connection& c) -> Status {
    ATS_RETURN_IF_ERROR(InsertProjectIfMissing(c, project_id, user_id, now));
    ATS_RETURN_IF_ERROR(WriteConversations(c, project_id, user_id, prepared, now));
    ATS_RETURN_IF_ERROR(RaiseDataVersion(c, project_id));
    Result<Statement> insert_trace = c.Prepare(
        "INSERT INTO traces (project_id, trace_id, record, user_id, ts_us, revision, session_id, "
        "conversation_id, hook_event, tool_name) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
        "ON CONFLICT (project_id, trace_id) DO NOTHING");
    Result<Statement> insert_file = c.Prepare(
        "INSERT INTO trace_files (project_id, path_reversed, ts_us, trace_row) "
        "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING");
    Result<Statement> insert_model = c.Prepare(
        "INSERT INTO trace_models (project_id, model_id, ts_us, trace_row) "
        "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING");
    for (const auto* s : {&insert_trace, &insert_file, &insert_model}) {
      if (!s->ok()) return s->status();
    }
    int64_t inserted = 0;
    for (size_t i : batch.unique) {
      const NewTrace& t = traces[i];
      insert_trace->Reset();
      ATS_RETURN_IF_ERROR(insert_trace->Text(project_id)
                              .Text(t.trace_id)
                              .Text(t.record_json)
                              .Text(user_id)
                              .Int(t.timestamp)
                              .Text(t.revision)
                              .Text(t.session_id)
                              .Text(t.conversation_id)
                              .Text(t.hook_event)
                              .Text(t.tool_name)
                              .Run());
      if (c.Changes() == 0) {
        duplicate[i] = true;
        continue;
      }
      ++inserted;
      const int64_t row = c.LastInsertRowid();
      for (const std::string& path : t.file_paths) {
        insert_file->Reset();
        ATS_RETURN_IF_ERROR(
            insert_file->Text(project_id).Text(ReversePath(path)).Int(t.timestamp).Int(row).Run());
      }
      for (const std::string& model : t.model_ids) {
        insert_model->Reset();
        ATS_RETURN_IF_ERROR(
            insert_model->Text(project_id).Text(model).Int(t.timestamp).Int(row).Run());
      }
    }
    if (inserted == 0) return Status::Ok();
    Result<Statement> count = c.Prepare(
        "INSERT INTO project_counters (project_id, user_id, slot, trace_count) "
        "VALUES (?1, ?2, 0, ?3) ON CONFLICT (project_id, user_id, slot) "
        "DO UPDATE SET trace_count = trace_count + excluded.trace_count");
    if (!count.ok()) return count.status();
    return count->Text(project_id).Text(user_id).Int(inserted).Run();
  });
  if (!status.ok()) return status;
  return duplicate;
}

Result<std::optional<StoredTrace>> SqliteStore::GetTrace(const std::string& project_id,
                                                         const std::string& trace_id) {
  Result<std::vector<StoredTrace>> found =
      QueryTraces(std::string("SELECT ") + ATS_TRACE_COLUMNS +
                      " FROM traces t WHERE t.project_id = ?1 AND t.trace_id = ?2",
                  [&](Statement& s) { s.Text(project_id).Text(trace_id); });
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<StoredTrace>();
  return std::optional<StoredTrace>(std::move(found->front()));
}

Result<TracePage> SqliteStore::ListTraces(const TraceFilter& filter) {
  TraceFilterSql where = BuildTraceFilterSql(filter, '?');
  const std::string page_sql =
      std::string("SELECT ") + ATS_TRACE_COLUMNS + " FROM traces t WHERE " + where.where +
      " ORDER BY " + kTraceListOrder + " LIMIT ?" + std::to_string(where.args.size() + 1) +
      " OFFSET ?" + std::to_string(where.args.size() + 2);
  const std::string count_sql =
      where.project_only()
          ? "SELECT coalesce(sum(trace_count), 0) FROM project_counters WHERE project_id = ?1"
          : "SELECT count(*) FROM traces t WHERE " + where.where;
  auto bind = [&](Statement& s, size_t args) {
    for (size_t i = 0; i < args; ++i) {
      const SqlArg& a = where.args[i];
      if (a.kind == SqlArg::Kind::kInt64) {
        s.Int(a.number);
      } else {
        s.Text(a.text);
      }
    }
  };
  TracePage page;
  Status status = Read(
      [&](Connection& c) -> Status {
        Result<Statement> count = c.Prepare(count_sql);
        if (!count.ok()) return count.status();
        bind(*count, where.project_only() ? 1 : where.args.size());
        Result<bool> row = count->Step();
        if (!row.ok()) return row.status();
        page.total = count->ColumnInt(0);
        Result<Statement> s = c.Prepare(page_sql);
        if (!s.ok()) return s.status();
        bind(*s, where.args.size());
        s->Int(std::max(filter.limit, 0)).Int(std::max(filter.offset, 0));
        return CollectRows(*s, page.traces, ReadTraceRow);
      },
      /*snapshot=*/true);
  if (!status.ok()) return status;
  return page;
}

Result<std::vector<StoredTrace>> SqliteStore::GetTracesByIds(
    const std::string& project_id, const std::vector<std::string>& trace_ids) {
  return TracesWhereIn(project_id, "trace_id", trace_ids);
}

Result<std::vector<StoredTrace>> SqliteStore::GetTracesByRevisions(
    const std::string& project_id, const std::vector<std::string>& revisions) {
  return TracesWhereIn(project_id, "revision", revisions);
}

Result<std::vector<StoredTrace>> SqliteStore::TracesWhereIn(
    const std::string& project_id, const char* column, const std::vector<std::string>& values) {
  if (values.empty()) return std::vector<StoredTrace>();
  // json_each turns one bound array into an IN-list: one statement text for any number of values.
  return QueryTraces(std::string("SELECT ") + ATS_TRACE_COLUMNS +
                         " FROM traces t WHERE t.project_id = ?1 AND t." + column +
                         " IN (SELECT value FROM json_each(?2))",
                     [&](Statement& s) { s.Text(project_id).Text(EncodeStringArray(values)); });
}

Result<std::vector<StoredTrace>> SqliteStore::GetTracesTouchingFile(
    const std::string& project_id, const std::string& file_path,
    const std::vector<TimeWindow>& windows) {
  if (windows.empty()) return std::vector<StoredTrace>();
  const PathMatchKeys keys = PathMatchKeysFor(file_path);
  // Two index range families on trace_files (project_id, path_reversed, ts_us), PathMatchKeys:
  // the reversed proper suffixes of the blamed path (stored paths it ends with), and the range
  // of reversed paths starting with the reversed blamed path (stored paths ending with it,
  // equality included).
  const char* in_window =
      " AND EXISTS (SELECT 1 FROM json_each(?4) w"
      " WHERE s.ts_us BETWEEN w.value ->> 0 AND w.value ->> 1)";
  std::string sql = std::string("SELECT ") + ATS_TRACE_COLUMNS +
                    " FROM traces t WHERE t.id IN ("
                    "SELECT s.trace_row FROM trace_files s WHERE s.project_id = ?1"
                    " AND s.path_reversed IN (SELECT value FROM json_each(?2))" +
                    in_window +
                    " UNION SELECT s.trace_row FROM trace_files s WHERE s.project_id = ?1"
                    " AND s.path_reversed >= ?3" +
                    (keys.upper ? " AND s.path_reversed < ?5" : "") + in_window + ")";
  return QueryTraces(sql, [&](Statement& s) {
    s.Text(project_id)
        .Text(EncodeStringArray(keys.proper_suffixes))
        .Text(keys.reversed)
        .Text(WindowsJson(windows));
    if (keys.upper) s.Text(*keys.upper);
  });
}

Result<Store::BlameCandidates> SqliteStore::GetBlameCandidates(
    const std::string& project_id, const std::vector<std::string>& trace_ids,
    const std::vector<std::string>& revisions, const std::string& file_path) {
  BlameCandidates out;
  if (trace_ids.empty() && revisions.empty()) return out;
  const PathMatchKeys keys = PathMatchKeysFor(file_path);
  // Three row kinds: the traces named by id (the (project_id, trace_id) index), with records;
  // the traces at one of the revisions (traces_by_revision, rowids only) that touch the file,
  // i.e. whose rowid is among the file's trace_files rows from the same two index range
  // families as GetTracesTouchingFile over all time, without records; and one count per
  // revision (n not null).
  const std::string sql =
      std::string(
          "WITH at_revision AS MATERIALIZED ("
          "  SELECT r.id, r.revision FROM traces r WHERE r.project_id = ?1"
          "  AND r.revision IN (SELECT value FROM json_each(?3))), "
          "hit AS MATERIALIZED ("
          "  SELECT a.id FROM at_revision a WHERE a.id IN ("
          "    SELECT s.trace_row FROM trace_files s WHERE s.project_id = ?1"
          "    AND s.path_reversed IN (SELECT value FROM json_each(?4))"
          "    UNION ALL SELECT s.trace_row FROM trace_files s WHERE s.project_id = ?1"
          "    AND s.path_reversed >= ?5") +
      (keys.upper ? " AND s.path_reversed < ?6" : "") +
      ")) "
      "SELECT t.trace_id, t.revision, t.ts_us, t.record, t.user_id, NULL FROM traces t"
      " WHERE t.project_id = ?1 AND t.trace_id IN (SELECT value FROM json_each(?2)) "
      "UNION ALL "
      "SELECT t.trace_id, t.revision, t.ts_us, NULL, NULL, NULL"
      " FROM hit h JOIN traces t ON t.id = h.id "
      "UNION ALL "
      "SELECT NULL, a.revision, NULL, NULL, NULL, count(*) FROM at_revision a GROUP BY a.revision";
  Status status = Read([&](Connection& c) -> Status {
    out = BlameCandidates();
    Result<Statement> s = c.Prepare(sql);
    if (!s.ok()) return s.status();
    s->Text(project_id)
        .Text(EncodeStringArray(trace_ids))
        .Text(EncodeStringArray(revisions))
        .Text(EncodeStringArray(keys.proper_suffixes))
        .Text(keys.reversed);
    if (keys.upper) s->Text(*keys.upper);
    // A trace named by id that also touches the file at a revision comes twice; one of them
    // has the record.
    std::unordered_map<std::string, size_t> seen;
    for (;;) {
      Result<bool> row = s->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      if (!s->ColumnIsNull(5)) {
        out.revision_counts.emplace_back(s->ColumnString(1), s->ColumnInt(5));
        continue;
      }
      auto [it, fresh] = seen.try_emplace(s->ColumnString(0), out.traces.size());
      if (fresh) {
        CandidateTrace& c = out.traces.emplace_back();
        c.trace_id = it->first;
        c.revision = s->ColumnString(1);
        c.timestamp = s->ColumnInt(2);
      }
      CandidateTrace& c = out.traces[it->second];
      if (!c.record_json && !s->ColumnIsNull(3)) {
        c.record_json = s->ColumnString(3);
        c.user_id = s->ColumnString(4);
      }
    }
  });
  if (!status.ok()) return status;
  return out;
}

// --- commit links ----------------------------------------------------------------------------

Result<CommitLink> SqliteStore::UpsertCommitLink(const std::string& project_id,
                                                 const CommitLink& link) {
  CommitLink stored = link;
  const UnixMicros now = NowMicros();
  if (stored.created_at.empty()) stored.created_at = FormatTimestamp(now);
  Status status = Write([&](Connection& c) -> Status {
    ATS_RETURN_IF_ERROR(InsertProjectIfMissing(c, project_id, link.user_id, now));
    ATS_RETURN_IF_ERROR(RaiseDataVersion(c, project_id));
    Result<Statement> s = c.Prepare(
        "INSERT INTO commit_links (id, project_id, commit_sha, parent_sha, trace_ids, "
        "files_changed, committed_at, created_at, ledger, user_id, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
        "ON CONFLICT (project_id, commit_sha) DO UPDATE SET "
        "parent_sha = excluded.parent_sha, trace_ids = excluded.trace_ids, "
        "files_changed = excluded.files_changed, committed_at = excluded.committed_at, "
        "created_at = excluded.created_at, ledger = excluded.ledger, "
        "user_id = excluded.user_id, updated_at = excluded.updated_at "
        "RETURNING id");
    if (!s.ok()) return s.status();
    Result<bool> row = s->Text(NewUuid())
                           .Text(project_id)
                           .Text(stored.commit_sha)
                           .OptionalText(stored.parent_sha)
                           .Text(EncodeStringArray(stored.trace_ids))
                           .Text(stored.files_changed_json)
                           .OptionalText(stored.committed_at)
                           .Text(stored.created_at)
                           .OptionalText(stored.ledger_json)
                           .Text(stored.user_id)
                           .Int(now)
                           .Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Internal("commit link upsert returned no row");
    stored.id = s->ColumnString(0);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return stored;
}

Result<std::optional<CommitLink>> SqliteStore::GetCommitLink(const std::string& project_id,
                                                             const std::string& commit_sha) {
  Result<std::vector<CommitLink>> found = GetCommitLinks(project_id, {commit_sha});
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<CommitLink>();
  return std::optional<CommitLink>(std::move(found->front()));
}

Result<std::vector<CommitLink>> SqliteStore::GetCommitLinks(
    const std::string& project_id, const std::vector<std::string>& commit_shas) {
  std::vector<CommitLink> out;
  if (commit_shas.empty()) return out;
  Status status = Read([&](Connection& c) -> Status {
    Result<Statement> s = c.Prepare(std::string("SELECT ") + ATS_COMMIT_LINK_COLUMNS +
                                    " FROM commit_links WHERE project_id = ?1 "
                                    "AND commit_sha IN (SELECT value FROM json_each(?2))");
    if (!s.ok()) return s.status();
    s->Text(project_id).Text(EncodeStringArray(commit_shas));
    return CollectRows(*s, out, ReadCommitLinkRow);
  });
  if (!status.ok()) return status;
  return out;
}

// --- conversations ---------------------------------------------------------------------------

Status SqliteStore::PrepareConversationWrites(const std::string& project_id,
                                              std::vector<PreparedConversation>& conversations) {
  if (conversations.empty()) return Status::Ok();
  std::vector<std::string> urls;
  for (const auto& c : conversations) urls.push_back(c.source->url);
  // Read before taking the writer: unchanged uploads (the common case) then cost one indexed
  // read, and compression happens outside the write lock.
  Result<std::unordered_map<std::string, std::string>> stored =
      ConversationColumn(project_id, urls, "content_sha256");
  if (!stored.ok()) return stored.status();
  DropUnchangedAndCompress(conversations, *stored);
  return Status::Ok();
}

Status SqliteStore::WriteConversations(Connection& c, const std::string& project_id,
                                       const std::string& user_id,
                                       const std::vector<PreparedConversation>& conversations,
                                       UnixMicros now) {
  if (conversations.empty()) return Status::Ok();
  // The hash comparison repeats the check made before the transaction, against the state this
  // transaction sees.
  Result<Statement> s = c.Prepare(
      "INSERT INTO conversation_contents (project_id, url, content, content_sha256, "
      "content_size, summary, user_id, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) "
      "ON CONFLICT (project_id, url) DO UPDATE SET content = excluded.content, "
      "content_sha256 = excluded.content_sha256, content_size = excluded.content_size, "
      "summary = excluded.summary, user_id = excluded.user_id, updated_at = excluded.updated_at "
      "WHERE conversation_contents.content_sha256 <> excluded.content_sha256");
  if (!s.ok()) return s.status();
  for (const PreparedConversation& conv : conversations) {
    s->Reset();
    ATS_RETURN_IF_ERROR(s->Text(project_id)
                            .Text(conv.source->url)
                            .Blob(conv.compressed)
                            .Text(conv.sha256)
                            .Int(static_cast<int64_t>(conv.source->content.size()))
                            .Text(conv.summary)
                            .Text(user_id)
                            .Int(now)
                            .Run());
  }
  return Status::Ok();
}

Status SqliteStore::UpsertConversations(const std::string& project_id, const std::string& user_id,
                                        const std::vector<ConversationContent>& conversations) {
  std::vector<PreparedConversation> prepared = PrepareConversations(conversations);
  ATS_RETURN_IF_ERROR(PrepareConversationWrites(project_id, prepared));
  // Every content was unchanged, so each is stored in the project already: nothing to write, and
  // the project exists (see PgStore::UpsertConversations).
  if (prepared.empty()) return Status::Ok();
  const UnixMicros now = NowMicros();
  return Write([&](Connection& c) -> Status {
    ATS_RETURN_IF_ERROR(InsertProjectIfMissing(c, project_id, user_id, now));
    ATS_RETURN_IF_ERROR(RaiseDataVersion(c, project_id));
    return WriteConversations(c, project_id, user_id, prepared, now);
  });
}

Result<std::optional<std::string>> SqliteStore::GetConversation(const std::string& project_id,
                                                                const std::string& url) {
  std::optional<std::string> content;
  Status status = Read([&](Connection& c) -> Status {
    Result<Statement> s =
        c.Prepare("SELECT content FROM conversation_contents WHERE project_id = ?1 AND url = ?2");
    if (!s.ok()) return s.status();
    Result<bool> row = s->Text(project_id).Text(url).Step();
    if (!row.ok() || !*row) return row.status();
    Result<std::string> text = Decompress(s->ColumnView(0));
    if (!text.ok()) return text.status();
    content = std::move(text).value();
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return content;
}

Result<std::unordered_map<std::string, std::string>> SqliteStore::GetConversationHashes(
    const std::string& project_id, const std::vector<std::string>& urls) {
  return ConversationColumn(project_id, urls, "content_sha256");
}

Result<std::unordered_map<std::string, std::string>> SqliteStore::GetConversationSummaries(
    const std::string& project_id, const std::vector<std::string>& urls) {
  return ConversationColumn(project_id, urls, "summary");
}

Result<std::unordered_map<std::string, std::string>> SqliteStore::ConversationColumn(
    const std::string& project_id, const std::vector<std::string>& urls, const char* column) {
  std::unordered_map<std::string, std::string> out;
  if (urls.empty()) return out;
  // Answered from the conversation_lookups index alone (migration 0002): the row's columns
  // after the content are behind its overflow pages.
  Status status = Read([&](Connection& c) -> Status {
    Result<Statement> s = c.Prepare(std::string("SELECT url, ") + column +
                                    " FROM conversation_contents WHERE project_id = ?1 "
                                    "AND url IN (SELECT value FROM json_each(?2))");
    if (!s.ok()) return s.status();
    s->Text(project_id).Text(EncodeStringArray(urls));
    for (;;) {
      Result<bool> row = s->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      out.emplace(s->ColumnString(0), s->ColumnString(1));
    }
  });
  if (!status.ok()) return status;
  return out;
}

// --- tokens ----------------------------------------------------------------------------------

Status SqliteStore::InsertToken(const TokenRecord& token) {
  return Write([&](Connection& c) -> Status {
    Result<Statement> s = c.Prepare(
        "INSERT INTO api_tokens (id, user_id, scopes, issued_at, expires_at, revoked_at, "
        "secret_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING");
    if (!s.ok()) return s.status();
    ATS_RETURN_IF_ERROR(s->Text(token.id)
                            .Text(token.user_id)
                            .Text(EncodeStringArray(token.scopes))
                            .Int(token.issued_at)
                            .OptionalInt(token.expires_at)
                            .OptionalInt(token.revoked_at)
                            .Text(token.secret_hash)
                            .Run());
    if (c.Changes() == 0) return Status::InvalidArgument("a token with this id already exists");
    return Status::Ok();
  });
}

Result<std::optional<TokenRecord>> SqliteStore::GetToken(const std::string& token_id) {
  std::vector<TokenRecord> found;
  Status status = Read([&](Connection& c) -> Status {
    Result<Statement> s =
        c.Prepare(std::string("SELECT ") + ATS_TOKEN_COLUMNS + " FROM api_tokens WHERE id = ?1");
    if (!s.ok()) return s.status();
    s->Text(token_id);
    return CollectRows(*s, found, ReadTokenRow);
  });
  if (!status.ok()) return status;
  if (found.empty()) return std::optional<TokenRecord>();
  return std::optional<TokenRecord>(std::move(found.front()));
}

Result<std::vector<TokenRecord>> SqliteStore::ListTokens() {
  std::vector<TokenRecord> out;
  Status status = Read([&](Connection& c) -> Status {
    Result<Statement> s = c.Prepare(std::string("SELECT ") + ATS_TOKEN_COLUMNS +
                                    " FROM api_tokens ORDER BY issued_at, id");
    if (!s.ok()) return s.status();
    return CollectRows(*s, out, ReadTokenRow);
  });
  if (!status.ok()) return status;
  return out;
}

Status SqliteStore::RevokeToken(const std::string& token_id, UnixMicros when) {
  return Write([&](Connection& c) -> Status {
    // A second revocation keeps the first time.
    Result<Statement> s =
        c.Prepare("UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1");
    if (!s.ok()) return s.status();
    ATS_RETURN_IF_ERROR(s->Text(token_id).Int(when).Run());
    if (c.Changes() == 0) return Status::NotFound("token not found");
    return Status::Ok();
  });
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const StoreOptions& options) {
  Connection::Options writer_options;
  writer_options.synchronous_full = options.sqlite_synchronous_full;
  writer_options.busy_timeout_ms = options.timeout_seconds * 1000;
  writer_options.page_cache_kib = kWriterPageCacheKib;
  Result<std::unique_ptr<Connection>> writer = Connection::Open(path, writer_options);
  if (!writer.ok()) return writer.status();
  std::vector<std::unique_ptr<Connection>> readers;
  std::unique_ptr<Checkpointer> checkpointer;
  if (path != ":memory:") {
    Result<std::unique_ptr<Checkpointer>> started =
        Checkpointer::Start(path, **writer, writer_options);
    if (!started.ok()) return started.status();
    checkpointer = std::move(started).value();
    Connection::Options reader_options = writer_options;
    reader_options.read_only = true;
    reader_options.page_cache_kib = kReaderPageCacheKib;
    for (int i = 0; i < kReaderConnections; ++i) {
      Result<std::unique_ptr<Connection>> reader = Connection::Open(path, reader_options);
      if (!reader.ok()) return reader.status();
      readers.push_back(std::move(reader).value());
    }
  }
  return std::unique_ptr<Store>(new SqliteStore(std::move(writer).value(), std::move(checkpointer),
                                                std::move(readers), options.timeout_seconds));
}

}  // namespace ats::storage
