#include "storage/sqlite/sqlite_connection.hpp"

namespace ats::storage::sqlite {

Status ErrorStatus(sqlite3* db, int rc, std::string_view context) {
  std::string message =
      std::string(context) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return Status::Unavailable(std::move(message));
    case SQLITE_TOOBIG:
      return Status::TooLarge(std::move(message));
    default:
      return Status::Internal(std::move(message));
  }
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), next_param_(other.next_param_), bind_rc_(other.bind_rc_) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  next_param_ = 1;
  bind_rc_ = SQLITE_OK;
}

void Statement::Check(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

Statement& Statement::Text(std::string_view value) {
  Check(sqlite3_bind_text64(stmt_, next_param_++, value.data(), value.size(), SQLITE_TRANSIENT,
                            SQLITE_UTF8));
  return *this;
}

Statement& Statement::Blob(std::string_view value) {
  Check(sqlite3_bind_blob64(stmt_, next_param_++, value.data(), value.size(), SQLITE_TRANSIENT));
  return *this;
}

Statement& Statement::Int(int64_t value) {
  Check(sqlite3_bind_int64(stmt_, next_param_++, value));
  return *this;
}

Statement& Statement::Null() {
  Check(sqlite3_bind_null(stmt_, next_param_++));
  return *this;
}

Statement& Statement::OptionalText(const std::optional<std::string>& value) {
  return value ? Text(*value) : Null();
}

Statement& Statement::OptionalInt(const std::optional<int64_t>& value) {
  return value ? Int(*value) : Null();
}

Result<bool> Statement::Step() {
  if (bind_rc_ != SQLITE_OK) return ErrorStatus(db_, bind_rc_, "binding a parameter");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return ErrorStatus(db_, rc, "executing a statement");
}

Status Statement::Run() {
  for (;;) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

std::string_view Statement::ColumnView(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr) return {};
  return {static_cast<const char*>(data), static_cast<size_t>(size)};
}

int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::optional<std::string> Statement::ColumnOptionalString(int column) const {
  if (ColumnIsNull(column)) return std::nullopt;
  return ColumnString(column);
}

std::optional<int64_t> Statement::ColumnOptionalInt(int column) const {
  if (ColumnIsNull(column)) return std::nullopt;
  return ColumnInt(column);
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                     const Options& options) {
  sqlite3* db = nullptr;
  // NOMUTEX: the store hands a connection to one thread at a time, so SQLite's own per-connection
  // mutex would only add cost.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  std::unique_ptr<Connection> conn(new Connection(db));
  if (rc != SQLITE_OK) {
    return ErrorStatus(db, SQLITE_CANTOPEN, "cannot open SQLite database " + path);
  }
  sqlite3_extended_result_codes(db, 0);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  std::string pragmas = "PRAGMA foreign_keys = ON; PRAGMA cache_size = -" +
                        std::to_string(options.page_cache_kib) + ";";
  if (options.read_only) {
    pragmas += "PRAGMA query_only = ON;";
  } else {
    // WAL: readers never block the writer nor each other. NORMAL syncs the WAL at checkpoints
    // only: a commit survives a process crash, FULL also a power loss.
    pragmas += "PRAGMA journal_mode = WAL; PRAGMA journal_size_limit = 67108864;";
    pragmas +=
        options.synchronous_full ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;";
  }
  ATS_RETURN_IF_ERROR(conn->Exec(pragmas));
  return conn;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<Statement> Connection::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return ErrorStatus(db_, rc, "preparing a statement");
    it = cache_.emplace(sql, stmt).first;
  }
  return Statement(db_, it->second);
}

Status Connection::Exec(const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string message = error != nullptr ? error : sqlite3_errstr(rc);
  sqlite3_free(error);
  if (ErrorStatus(nullptr, rc, "").IsUnavailable()) return Status::Unavailable(message);
  return Status::Internal(message);
}

}  // namespace ats::storage::sqlite
