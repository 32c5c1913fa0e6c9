// Moves WAL checkpoints, and the fsyncs they carry, off the commit path: commits of the writer
// connection only append to the WAL, and a background thread copies the WAL back into the
// database file. With synchronous=NORMAL a commit then never waits for the disk. The same
// thread refreshes the planner's statistics now and then.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.hpp"
#include "storage/sqlite/sqlite_connection.hpp"

namespace ats::storage::sqlite {

class Checkpointer {
 public:
  // Takes over checkpointing of `writer` (replacing its automatic checkpoints) with a connection
  // of its own to `path`. `writer` must outlive the returned object.
  static Result<std::unique_ptr<Checkpointer>> Start(const std::string& path, Connection& writer,
                                                     const Connection::Options& options);
  // Stops the thread and hands checkpointing back to the writer.
  ~Checkpointer();

 private:
  Checkpointer(std::unique_ptr<Connection> conn, sqlite3* writer);
  static int OnCommit(void* self, sqlite3* db, const char* schema, int wal_pages);
  void Run();

  std::unique_ptr<Connection> conn_;
  sqlite3* writer_;
  int pages_at_request_ = 0;  // WAL size at the last request; touched by the writer only
  std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace ats::storage::sqlite
