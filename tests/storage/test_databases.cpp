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
  if (IsSqliteUrl(url)) {
    Result<SqlitePtr> db = SqliteOpen(url);
    if (!db.ok()) return db.status();
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db->get(), sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return Status::Internal(sqlite3_errmsg(db->get()));
    }
    std::string out;
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Status::Internal(sqlite3_errmsg(db->get()));
    return out;
  }
  Result<PgConnPtr> conn = PgConnect(url);
  if (!conn.ok()) return conn.status();
  PgResultPtr res(PQexec(conn->get(), sql.c_str()), &PQclear);
  if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
    return Status::Internal(PQerrorMessage(conn->get()));
  }
  if (PQntuples(res.get()) == 0 || PQgetisnull(res.get(), 0, 0)) return std::string();
  return std::string(PQgetvalue(res.get(), 0, 0));
}

Result<std::string> RawQueryPlan(const std::string& url, const std::string& sql, size_t params) {
  std::string plan;
  if (IsSqliteUrl(url)) {
    Result<SqlitePtr> db = SqliteOpen(url);
    if (!db.ok()) return db.status();
    sqlite3_stmt* stmt = nullptr;
    const std::string explain = "EXPLAIN QUERY PLAN " + sql;
    if (sqlite3_prepare_v2(db->get(), explain.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return Status::Internal(sqlite3_errmsg(db->get()));
    }
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));  // "detail"
      plan += "\n";
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return Status::Internal(sqlite3_errmsg(db->get()));
    return plan;
  }
  std::string nulls;
  for (size_t i = 0; i < params; ++i) nulls += i == 0 ? "NULL" : ", NULL";
  const std::string script = "SET plan_cache_mode = force_generic_plan; PREPARE ats_plan_probe AS " +
                             sql + "; EXPLAIN EXECUTE ats_plan_probe" +
                             (params == 0 ? "" : "(" + nulls + ")");
  Result<PgConnPtr> conn = PgConnect(url);
  if (!conn.ok()) return conn.status();
  PgResultPtr res(PQexec(conn->get(), script.c_str()), &PQclear);
  if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
    return Status::Internal(PQerrorMessage(conn->get()));
  }
  for (int row = 0; row < PQntuples(res.get()); ++row) {
    plan += PQgetvalue(res.get(), row, 0);
    plan += "\n";
  }
  return plan;
}

}  // namespace ats::testing
