#include "storage/store.hpp"

#include <filesystem>
#include <map>
#include <system_error>
#include <unordered_set>

#include <boost/json/parse.hpp>

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

namespace {

// vcs.revision of a stored record ("" when absent or unreadable).
std::string RecordRevision(std::string_view record_json) {
  boost::system::error_code ec;
  boost::json::value record = boost::json::parse(record_json, ec);
  if (ec || !record.is_object()) return {};
  const boost::json::value* vcs = record.get_object().if_contains("vcs");
  if (vcs == nullptr || !vcs->is_object()) return {};
  const boost::json::value* revision = vcs->get_object().if_contains("revision");
  return revision != nullptr && revision->is_string() ? std::string(revision->get_string())
                                                      : std::string();
}

}  // namespace

Result<Store::BlameCandidates> Store::GetBlameCandidates(
    const std::string& project_id, const std::vector<std::string>& trace_ids,
    const std::vector<std::string>& revisions, const std::string& /*file_path*/) {
  BlameCandidates out;
  std::unordered_set<std::string> seen;
  std::map<std::string, int64_t> counts;
  for (int source = 0; source < 2; ++source) {
    const std::vector<std::string>& keys = source == 0 ? trace_ids : revisions;
    if (keys.empty()) continue;
    Result<std::vector<StoredTrace>> traces =
        source == 0 ? GetTracesByIds(project_id, keys) : GetTracesByRevisions(project_id, keys);
    if (!traces.ok()) return traces.status();
    for (StoredTrace& t : *traces) {
      std::string revision = RecordRevision(t.record_json);
      if (source == 1) ++counts[revision];
      if (!seen.insert(t.trace_id).second) continue;
      out.traces.push_back({std::move(t.trace_id), std::move(revision), t.timestamp,
                            std::move(t.record_json), std::move(t.user_id)});
    }
  }
  out.revision_counts.assign(counts.begin(), counts.end());
  return out;
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
