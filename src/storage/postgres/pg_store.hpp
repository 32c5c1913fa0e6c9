// The PostgreSQL backend (libpq): a pool of connections, each with its own prepared statements,
// statements pipelined so that a write is one round trip where possible. Only the factory and
// the storage tests name it.
#pragma once

#include <memory>
#include <string>

#include "storage/store.hpp"

namespace ats::storage {

// Connects to options.database_url (postgresql:// or postgres://) and returns the store; the
// first connection is opened here, the others on demand. kInvalidArgument when libpq rejects the
// URL; kUnavailable (one line, no password) when the server cannot be reached within
// options.timeout_seconds. Does not migrate.
Result<std::unique_ptr<Store>> OpenPostgresStore(const StoreOptions& options);

// `url` with its database replaced by `database` (other settings kept).
std::string PostgresUrlWithDatabase(const std::string& url, const std::string& database);
// The database `url` names (its path, or a dbname parameter, which wins). kInvalidArgument when
// libpq rejects the URL or it names no database (libpq would then use the user's name).
Result<std::string> PostgresDatabaseName(const std::string& url);

// Creates database `database` (an identifier: letters, digits, '_') on the server of `url`,
// connecting to the database `url` names; OK when it already exists. For `db create` and for
// tests that need a database of their own.
Status CreatePostgresDatabase(const std::string& url, const std::string& database,
                              int timeout_seconds);
// Drops database `database` (same rules); OK when it does not exist.
Status DropPostgresDatabase(const std::string& url, const std::string& database,
                            int timeout_seconds);

}  // namespace ats::storage
