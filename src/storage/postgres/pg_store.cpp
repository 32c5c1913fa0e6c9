#include "storage/postgres/pg_store.hpp"

namespace ats::storage {

Result<std::unique_ptr<Store>> OpenPostgresStore(const StoreOptions& options) {
  return Status::NotImplemented("PostgreSQL backend not yet built");
}

std::string PostgresUrlWithDatabase(const std::string& url, const std::string& database) {
  return url;
}

Status CreatePostgresDatabase(const std::string& url, const std::string& database,
                              int timeout_seconds) {
  return Status::NotImplemented("PostgreSQL backend not yet built");
}

Status DropPostgresDatabase(const std::string& url, const std::string& database,
                            int timeout_seconds) {
  return Status::NotImplemented("PostgreSQL backend not yet built");
}

}  // namespace ats::storage
