// A thin layer over libpq for the PostgreSQL backend: binary parameters (including arrays, for
// multi-row statements), binary results, pipelined execution of prepared statements with a
// client-side deadline, and a pool that replaces broken connections.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/status.hpp"

namespace ats::storage::pg {

using Clock = std::chrono::steady_clock;

// Parameters of one statement, all sent in binary format. Values are copied.
class Params {
 public:
  Params& Text(std::string_view value) { return Add(std::string(value)); }
  Params& Bytes(std::string_view value) { return Add(std::string(value)); }  // bytea
  Params& Int(int64_t value);                                                // int8
  Params& Null();
  Params& OptionalText(const std::optional<std::string>& value) {
    return value ? Text(*value) : Null();
  }
  Params& OptionalInt(const std::optional<int64_t>& value) { return value ? Int(*value) : Null(); }

  // One-dimensional arrays: text[], bytea[], int8[].
  template <typename Strings>
  Params& TextArray(const Strings& values) {
    return Add(EncodeArray(kTextOid, values));
  }
  template <typename Strings>
  Params& BytesArray(const Strings& values) {
    return Add(EncodeArray(kByteaOid, values));
  }
  Params& IntArray(const std::vector<int64_t>& values);

  int size() const { return static_cast<int>(data_.size()); }
  // Pointers into this object, valid while it is neither changed nor destroyed.
  const char* const* values() const;
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  static constexpr uint32_t kTextOid = 25;
  static constexpr uint32_t kByteaOid = 17;
  static constexpr uint32_t kInt8Oid = 20;

  Params& Add(std::string value);
  static std::string ArrayHeader(uint32_t element_oid, size_t count);
  static void AppendElement(std::string& out, std::string_view value);
  template <typename Strings>
  static std::string EncodeArray(uint32_t element_oid, const Strings& values) {
    std::string out = ArrayHeader(element_oid, std::size(values));
    for (const auto& v : values) AppendElement(out, std::string_view(v));
    return out;
  }

  std::vector<std::string> data_;
  std::vector<bool> null_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  mutable std::vector<const char*> values_;
};

// A result with binary columns. Owns the PGresult.
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result, &PQclear) {}
  int rows() const { return PQntuples(result_.get()); }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string_view View(int row, int column) const {
    return {PQgetvalue(result_.get(), row, column),
            static_cast<size_t>(PQgetlength(result_.get(), row, column))};
  }
  std::string String(int row, int column) const { return std::string(View(row, column)); }
  int64_t Int(int row, int column) const;  // int8, int4 or int2
  std::optional<std::string> OptionalString(int row, int column) const;
  std::optional<int64_t> OptionalInt(int row, int column) const;
  // Rows a command inserted, updated or deleted.
  int64_t AffectedRows() const;
  PGresult* raw() const { return result_.get(); }

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

// A prepared statement: a name unique within the process and its SQL.
struct Statement {
  std::string name;
  std::string sql;
};

struct Call {
  const Statement* statement;
  const Params* params;
};

class Connection {
 public:
  Connection(PGconn* conn, int slot) : conn_(conn), slot_(slot) {}
  ~Connection() { PQfinish(conn_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  PGconn* raw() const { return conn_; }
  // The pool position of this connection: stable, distinct among the pool's live connections.
  int slot() const { return slot_; }
  // True once the connection failed; the pool then discards it instead of reusing it.
  bool broken() const { return broken_; }
  // SQLSTATE of the last statement error ("" when the last call failed otherwise or not at all).
  const std::string& last_sqlstate() const { return last_sqlstate_; }
  // When the current holder's time is up; its statements use it as their deadline. The pool sets
  // it to the deadline given to Acquire; the holder may move it.
  Clock::time_point deadline() const { return deadline_; }
  void set_deadline(Clock::time_point deadline) { deadline_ = deadline; }

  // Checks without blocking whether the server closed the connection while it sat idle in the
  // pool (a restart or an administrator ending sessions).
  bool StillAlive();

  // Runs `calls` as one pipeline ending in one sync: one round trip, one implicit transaction
  // (an error rolls back every call). Statements are prepared on first use on this connection,
  // inside the same pipeline. Returns one result per call. kUnavailable when the server cannot
  // be reached, the deadline passes or a statement timed out; errors of statements map by
  // SQLSTATE.
  Result<std::vector<Rows>> Pipeline(std::span<const Call> calls, Clock::time_point deadline);

  // Runs `sql` (one or more statements, no parameters) with the simple query protocol; results
  // are in text format. For migrations and administration.
  Result<std::vector<Rows>> Simple(const std::string& sql, Clock::time_point deadline);

 private:
  Status Flush(Clock::time_point deadline);
  // Reads until PQgetResult will not block.
  Status AwaitResult(Clock::time_point deadline);
  Status Fail(std::string what);  // marks the connection broken
  Status StatementError(const PGresult* result);

  PGconn* conn_;
  int slot_;
  bool broken_ = false;
  Clock::time_point deadline_ = Clock::time_point::max();
  std::string last_sqlstate_;
  std::unordered_set<std::string> prepared_;
};

// A fixed number of connection slots, connected on demand and reconnected after failures.
class Pool {
 public:
  struct Settings {
    std::vector<std::string> keywords;  // for PQconnectStartParams (expand_dbname = 1)
    std::vector<std::string> values;
    int size = 16;
    std::chrono::seconds timeout{5};  // Acquire() without a deadline: waiting and connecting
  };
  explicit Pool(Settings settings);
  ~Pool();

  // A connection held by one caller; returned to the pool (or discarded when broken) on
  // destruction.
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (conn_) pool_->Release(std::move(conn_));
    }
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  // A connection by `deadline`, waiting for a free slot and connecting included; its deadline()
  // is `deadline`. kUnavailable when no slot frees up in time or the connection cannot be made
  // in time. Acquire() allows the settings' timeout.
  Result<Lease> Acquire(Clock::time_point deadline);
  Result<Lease> Acquire() { return Acquire(Clock::now() + settings_.timeout); }

 private:
  // A caller waiting for a connection: served in arrival order. A freed connection (or slot) is
  // handed to the oldest waiter directly instead of going back to the pool, where any thread,
  // often the one that just released it, could take it first: under saturation that barging
  // left some waiters starved for a second and more (the p99 of fast reads).
  struct Waiter {
    std::condition_variable ready;
    bool served = false;
    std::unique_ptr<Connection> conn;  // when served: a live connection, or null and `slot`
    int slot = -1;
  };

  Result<std::unique_ptr<Connection>> Connect(int slot, Clock::time_point deadline);
  void Release(std::unique_ptr<Connection> conn);
  // Gives a connection (or, with conn null, an unconnected slot) to the oldest waiter, else back
  // to the pool. Called with mu_ held.
  void HandOverLocked(std::unique_ptr<Connection> conn, int slot);

  const Settings settings_;
  std::mutex mu_;
  std::deque<Waiter*> waiters_;  // oldest first
  std::vector<std::unique_ptr<Connection>> idle_;
  std::vector<int> unconnected_slots_;
};

// The first line of a libpq message, for one-line errors.
std::string FirstLine(std::string_view message);

}  // namespace ats::storage::pg
