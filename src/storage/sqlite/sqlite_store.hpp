// The SQLite backend: one writer connection behind a mutex (every write is one BEGIN IMMEDIATE
// transaction) and a small pool of reader connections, which WAL lets read while the writer
// writes. Only the factory and the storage tests name it.
#pragma once

#include <memory>
#include <string>

#include "storage/store.hpp"

namespace ats::storage {

// Opens, creating when missing, the database file at `path` (its directory must exist), or a
// private in-memory database when `path` is ":memory:" (then reads share the writer
// connection). kUnavailable when the file cannot be opened. Does not migrate.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const StoreOptions& options);

}  // namespace ats::storage
