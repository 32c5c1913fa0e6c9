// Databases for the storage conformance suite: a fresh SQLite file per test, the shared
// PostgreSQL test database named by ATS_TEST_PG_URL, or a throwaway PostgreSQL database for
// tests that drop tables. Plus direct SQL, for the checks the Store interface cannot express
// (whether a write happened) and for fault injection (a trigger that makes one insert fail).
#pragma once

#include <string>

#include "common/status.hpp"

namespace ats::testing {

// Backend names used as test parameters.
inline constexpr const char* kSqlite = "sqlite";
inline constexpr const char* kPostgres = "postgresql";

// The URL of ATS_TEST_PG_URL, or "" when unset.
std::string PostgresTestUrl();

// A database that exists for the lifetime of this object. SQLite: a file in a fresh temporary
// directory; PostgreSQL: a database created on the server of ATS_TEST_PG_URL (dropped at
// destruction) when `isolated`, else the shared test database itself.
class TestDatabase {
 public:
  TestDatabase(const std::string& backend, bool isolated);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // Empty when the database could not be provided; `error` then says why.
  const std::string& url() const { return url_; }
  const std::string& error() const { return error_; }

 private:
  std::string url_;
  std::string error_;
  std::string temp_dir_;       // SQLite
  std::string admin_url_;      // PostgreSQL, isolated
  std::string database_name_;  // PostgreSQL, isolated
};

// Runs `sql` (one or more statements) on the database of `url` over a connection of its own.
Status RawExec(const std::string& url, const std::string& sql);
// The first column of the first row of `sql` as text ("" when there is no row or it is NULL).
Result<std::string> RawScalar(const std::string& url, const std::string& sql);
// The plan the database makes for `sql`, whose `params` placeholders are left unbound, as text
// naming the indexes it reads: SQLite's EXPLAIN QUERY PLAN; on PostgreSQL, the generic plan of
// the prepared statement (what a statement reused across calls ends up running).
Result<std::string> RawQueryPlan(const std::string& url, const std::string& sql, size_t params);

}  // namespace ats::testing
