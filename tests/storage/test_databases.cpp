#include "test_databases.hpp"

#include <sqlite3.h>

#if __has_include(<libpq-fe.h>)
#include <libpq-fe.h>
#else
#include <postgresql/libpq-fe.h>
#endif

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

#include "common/crypto.hpp"
#include "storage/postgres/pg_store.hpp"

namespace ats::testing {
namespace {

bool IsSqliteUrl(const std::string& url) { return url.starts_with("sqlite:///"); }

std::string SqlitePathOf(const std::string& url) { return url.substr(10); }

using PgConnPtr = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using PgResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;
using SqlitePtr = std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)>;

Result<PgConnPtr> PgConnect(const std::string& url) {
  PgConnPtr conn(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return Status::Unavailable(std::string("cannot connect: ") + PQerrorMessage(conn.get()));
  }
  return conn;
}

Result<SqlitePtr> SqliteOpen(const std::string& url) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(SqlitePathOf(url).c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  SqlitePtr owned(db, &sqlite3_close_v2);
  if (rc != SQLITE_OK) return Status::Unavailable(sqlite3_errmsg(db));
  sqlite3_busy_timeout(db, 5000);
  return owned;
}

// Column `column` of every row of `sql` as text (NULL as "").
Result<std::vector<std::string>> RawColumn(const std::string& url, const std::string& sql,
                                           int column) {
  std::vector<std::string> values;
  if (IsSqliteUrl(url)) {
    Result<SqlitePtr> db = SqliteOpen(url);
    if (!db.ok()) return db.status();
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db->get(), sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return Status::Internal(sqlite3_errmsg(db->get()));
    }
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, column);
      values.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return Status::Internal(sqlite3_errmsg(db->get()));
    return values;
  }
  Result<PgConnPtr> conn = PgConnect(url);
  if (!conn.ok()) return conn.status();
  PgResultPtr res(PQexec(conn->get(), sql.c_str()), &PQclear);
  if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
    return Status::Internal(PQerrorMessage(conn->get()));
  }
  for (int row = 0; row < PQntuples(res.get()); ++row) {
    const bool null = PQgetisnull(res.get(), row, column);
    values.emplace_back(null ? "" : PQgetvalue(res.get(), row, column));
  }
  return values;
}

}  // namespace

std::string PostgresTestUrl() {
  const char* url = std::getenv("ATS_TEST_PG_URL");
  return url != nullptr ? url : "";
}

TestDatabase::TestDatabase(const std::string& backend, bool isolated) {
  if (backend == kSqlite) {
    auto dir = std::filesystem::temp_directory_path() / ("ats-storage-test-" + NewUuid());
    std::filesystem::create_directories(dir);
    temp_dir_ = dir.string();
    url_ = "sqlite:///" + (dir / "store.db").string();  // absolute: sqlite:////tmp/...
    return;
  }
  const std::string base = PostgresTestUrl();
  if (base.empty()) {
    error_ =
        "ATS_TEST_PG_URL is not set: the PostgreSQL half of the storage suite needs a server, "
        "e.g. ATS_TEST_PG_URL=$(scripts/pg-test-server.sh start /tmp/ats-pg)";
    return;
  }
  if (!isolated) {
    url_ = base;
    return;
  }
  std::string name = "ats_test_" + HexEncode(RandomBytes(6));
  Status created = storage::CreatePostgresDatabase(base, name, 10);
  if (!created.ok()) {
    error_ = "cannot create a throwaway database: " + created.ToString();
    return;
  }
  admin_url_ = base;
  database_name_ = name;
  url_ = storage::PostgresUrlWithDatabase(base, name);
}

TestDatabase::~TestDatabase() {
  if (!temp_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(temp_dir_, ec);
  }
  if (!database_name_.empty()) {
    storage::DropPostgresDatabase(admin_url_, database_name_, 10);
  }
}

Status RawExec(const std::string& url, const std::string& sql) {
  if (IsSqliteUrl(url)) {
    Result<SqlitePtr> db = SqliteOpen(url);
    if (!db.ok()) return db.status();
    char* error = nullptr;
    if (sqlite3_exec(db->get(), sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error != nullptr ? error : "sqlite3_exec failed";
      sqlite3_free(error);
      return Status::Internal(message);
    }
    return Status::Ok();
  }
  Result<PgConnPtr> conn = PgConnect(url);
  if (!conn.ok()) return conn.status();
  PgResultPtr res(PQexec(conn->get(), sql.c_str()), &PQclear);
  if (PQresultStatus(res.get()) != PGRES_COMMAND_OK &&
      PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
    return Status::Internal(PQerrorMessage(conn->get()));
  }
  return Status::Ok();
}

Result<std::string> RawScalar(const std::string& url, const std::string& sql) {
  Result<std::vector<std::string>> values = RawColumn(url, sql, 0);
  if (!values.ok()) return values.status();
  return values->empty() ? std::string() : values->front();
}

Result<std::string> RawQueryPlan(const std::string& url, const std::string& sql, size_t params) {
  std::string nulls;
  for (size_t i = 0; i < params; ++i) nulls += i == 0 ? "NULL" : ", NULL";
  Result<std::vector<std::string>> lines =
      IsSqliteUrl(url)
          ? RawColumn(url, "EXPLAIN QUERY PLAN " + sql, 3)  // column 3: "detail"
          : RawColumn(url,
                      "SET plan_cache_mode = force_generic_plan; PREPARE ats_plan_probe AS " + sql +
                          "; EXPLAIN EXECUTE ats_plan_probe" +
                          (params == 0 ? "" : "(" + nulls + ")"),
                      0);
  if (!lines.ok()) return lines.status();
  std::string plan;
  for (const std::string& line : *lines) plan += line + "\n";
  return plan;
}

}  // namespace ats::testing
