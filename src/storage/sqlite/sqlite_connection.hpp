// A thin layer over libsqlite3: one connection with a cache of prepared statements, and a
// statement handle that binds parameters in order and resets itself when it goes out of scope.
// Not thread-safe: the store gives each connection to one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.hpp"

namespace ats::storage::sqlite {

// The Status for a failed call that returned `rc` on `db`. Busy/locked (the busy timeout passed)
// and I/O trouble are kUnavailable; everything else is kInternal.
Status ErrorStatus(sqlite3* db, int rc, std::string_view context);

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  // Each binds the next parameter (?1, ?2, ... in order); values are copied.
  Statement& Text(std::string_view value);
  Statement& Blob(std::string_view value);
  Statement& Int(int64_t value);
  Statement& Null();
  Statement& OptionalText(const std::optional<std::string>& value);
  Statement& OptionalInt(const std::optional<int64_t>& value);

  // Makes the statement ready to be bound and run again.
  void Reset();

  // Steps once: true when a row is ready to read, false when the statement is done.
  Result<bool> Step();
  // Steps to the end (a statement without rows, or whose rows are of no interest).
  Status Run();

  std::string_view ColumnView(int column) const;  // text or blob, valid until the next step
  std::string ColumnString(int column) const { return std::string(ColumnView(column)); }
  int64_t ColumnInt(int column) const;
  bool ColumnIsNull(int column) const;
  std::optional<std::string> ColumnOptionalString(int column) const;
  std::optional<int64_t> ColumnOptionalInt(int column) const;

 private:
  void Check(int rc);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int next_param_ = 1;
  int bind_rc_ = SQLITE_OK;
};

class Connection {
 public:
  struct Options {
    bool read_only = false;  // readers: PRAGMA query_only
    bool synchronous_full = false;
    int busy_timeout_ms = 5000;
    int page_cache_kib = 2000;  // PRAGMA cache_size, SQLite's default
  };
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, const Options& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A cached prepared statement for `sql` (prepared on first use on this connection).
  Result<Statement> Prepare(const std::string& sql);
  // Runs one or more statements without caching them (DDL, pragmas, migrations).
  Status Exec(const std::string& sql);

  int64_t Changes() const { return sqlite3_changes64(db_); }
  int64_t LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
  sqlite3* db() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace ats::storage::sqlite
