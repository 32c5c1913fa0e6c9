#include "storage/store.hpp"

#include <filesystem>
#include <system_error>

#include "storage/postgres/pg_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace ats {
namespace {

constexpr std::string_view kUrlForms =
    "expected sqlite:///relative/path.db, sqlite:////absolute/path.db, sqlite::memory: or "
    "postgresql://user@host:port/database";

// The file path of a sqlite: URL, ":memory:" for an in-memory database, or nullopt.
//   sqlite:///rel/x.db → rel/x.db      sqlite:////abs/x.db → /abs/x.db
//   sqlite://rel/x.db  → rel/x.db      sqlite:rel/x.db     → rel/x.db
//   sqlite::memory:, sqlite:///:memory:, sqlite://         → :memory:
std::optional<std::string> SqlitePath(std::string_view rest) {
  if (rest.starts_with("///")) {
    rest.remove_prefix(3);
  } else if (rest.starts_with("//")) {
    rest.remove_prefix(2);
    if (rest.empty()) return ":memory:";
  }
  if (rest.empty()) return std::nullopt;
  return std::string(rest);
}

Result<std::unique_ptr<Store>> OpenSqlite(std::string_view rest, const StoreOptions& options) {
  std::optional<std::string> path = SqlitePath(rest);
  if (!path) {
    return Status::InvalidArgument("database URL names no SQLite file (" + std::string(kUrlForms) +
                                   ")");
  }
  if (*path == ":memory:") return storage::OpenSqliteStore(":memory:", options);
  std::filesystem::path parent = std::filesystem::path(*path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return Status::Unavailable("cannot create directory " + parent.string() + ": " +
                                 ec.message());
    }
  }
  return storage::OpenSqliteStore(*path, options);
}

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options) {
  std::string_view url = options.database_url;
  if (url.starts_with("sqlite:")) return OpenSqlite(url.substr(7), options);
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return storage::OpenPostgresStore(options);
  }
  if (url.empty())
    return Status::InvalidArgument("database URL is empty (" + std::string(kUrlForms) + ")");
  // The URL itself is not echoed: it may carry a password.
  std::string_view scheme = url.substr(0, url.find(':'));
  if (scheme.size() == url.size() || scheme.size() > 20) scheme = "?";
  return Status::InvalidArgument("unsupported database URL scheme '" + std::string(scheme) + "' (" +
                                 std::string(kUrlForms) + ")");
}

std::string ConversationSummary(std::string_view content) {
  constexpr size_t kMaxCodePoints = 200;
  size_t code_points = 0;
  for (size_t i = 0; i < content.size(); ++i) {
    // Every byte that is not a continuation byte (10xxxxxx) starts a code point.
    if ((static_cast<unsigned char>(content[i]) & 0xC0) != 0x80) {
      if (code_points == kMaxCodePoints) return std::string(content.substr(0, i)) + "...";
      ++code_points;
    }
  }
  return std::string(content);
}

}  // namespace ats
