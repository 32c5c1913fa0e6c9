#include "storage/sqlite/sqlite_checkpointer.hpp"

#include <chrono>

namespace ats::storage::sqlite {
namespace {

// SQLite's own default: checkpoint once the WAL holds ~4 MB of pages.
constexpr int kCheckpointPages = 1000;
// If the background thread falls this far behind (~80 MB), the writer checkpoints itself:
// back-pressure instead of an ever-growing WAL.
constexpr int kWriterCheckpointPages = 20000;
// Checkpoints also run on this period, so that a quiet database ends up fully checkpointed.
constexpr std::chrono::seconds kPeriod{1};
// Planner statistics are refreshed this long after start and then on this period. Without them
// SQLite cannot tell a selective side-table filter (one file path) from a broad one, and lists
// filtered by file path would walk the project's whole time index.
constexpr std::chrono::seconds kFirstAnalyze{30};
constexpr std::chrono::hours kAnalyzePeriod{6};
// An approximate ANALYZE (this many rows per index) takes milliseconds on any table size.
constexpr const char* kAnalyze = "PRAGMA analysis_limit = 1000; ANALYZE;";

}  // namespace

Result<std::unique_ptr<Checkpointer>> Checkpointer::Start(const std::string& path,
                                                          Connection& writer,
                                                          const Connection::Options& options) {
  Connection::Options own = options;
  own.read_only = false;
  // Not the writer's large page cache: checkpoints copy frames without it, and ANALYZE reads
  // only a sample.
  own.page_cache_kib = Connection::Options{}.page_cache_kib;
  Result<std::unique_ptr<Connection>> conn = Connection::Open(path, own);
  if (!conn.ok()) return conn.status();
  return std::unique_ptr<Checkpointer>(new Checkpointer(std::move(conn).value(), writer.db()));
}

Checkpointer::Checkpointer(std::unique_ptr<Connection> conn, sqlite3* writer)
    : conn_(std::move(conn)), writer_(writer) {
  // Installing a WAL hook replaces the writer's automatic checkpoints.
  sqlite3_wal_hook(writer_, &Checkpointer::OnCommit, this);
  thread_ = std::thread([this] { Run(); });
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_autocheckpoint(writer_, kCheckpointPages);  // also removes our hook
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

int Checkpointer::OnCommit(void* self, sqlite3* db, const char* schema, int wal_pages) {
  // Called by the writer after each commit, under the store's writer mutex.
  auto* checkpointer = static_cast<Checkpointer*>(self);
  if (wal_pages >= kWriterCheckpointPages) {
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    checkpointer->pages_at_request_ = 0;
    return SQLITE_OK;
  }
  // The WAL keeps its length after a checkpoint until a later commit restarts it from the
  // beginning, so ask again only after another kCheckpointPages of growth (or after a restart).
  if (wal_pages < checkpointer->pages_at_request_) checkpointer->pages_at_request_ = 0;
  if (wal_pages - checkpointer->pages_at_request_ >= kCheckpointPages) {
    checkpointer->pages_at_request_ = wal_pages;
    {
      std::lock_guard lock(checkpointer->mu_);
      checkpointer->wanted_ = true;
    }
    checkpointer->cv_.notify_one();
  }
  return SQLITE_OK;
}

void Checkpointer::Run() {
  auto next_analyze = std::chrono::steady_clock::now() + kFirstAnalyze;
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, kPeriod, [&] { return stop_ || wanted_; });
    if (stop_) break;
    wanted_ = false;
    lock.unlock();
    // PASSIVE: copies what it can without blocking the writer or readers. A failure (busy)
    // is retried on the next round.
    sqlite3_wal_checkpoint_v2(conn_->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (std::chrono::steady_clock::now() >= next_analyze) {
      conn_->Exec(kAnalyze);  // best effort: a busy database is analysed next time
      next_analyze = std::chrono::steady_clock::now() + kAnalyzePeriod;
    }
    lock.lock();
  }
}

}  // namespace ats::storage::sqlite
