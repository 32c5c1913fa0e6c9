#include "storage/postgres/pg_connection.hpp"

#include <poll.h>

#include <algorithm>
#include <cstring>

namespace ats::storage::pg {
namespace {

void AppendBigEndian32(std::string& out, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  out.append(b, 4);
}

std::string BigEndian64(int64_t value) {
  auto v = static_cast<uint64_t>(value);
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

// Waits until the socket is ready for `events` or the deadline passes (false).
bool WaitSocket(PGconn* conn, short events, Clock::time_point deadline) {
  pollfd pfd{PQsocket(conn), events, 0};
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    int rc = poll(&pfd, 1, static_cast<int>(std::min<int64_t>(left.count(), 60'000)));
    if (rc > 0) return true;
    if (rc < 0 && errno != EINTR) return true;  // let libpq report the socket error
  }
}

bool StartsWith(const std::string& s, std::string_view prefix) { return s.starts_with(prefix); }

}  // namespace

std::string FirstLine(std::string_view message) {
  size_t end = message.find('\n');
  std::string line(message.substr(0, end));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
  return line;
}

// --- Params ----------------------------------------------------------------------------------

Params& Params::Add(std::string value) {
  lengths_.push_back(static_cast<int>(value.size()));
  data_.push_back(std::move(value));
  null_.push_back(false);
  formats_.push_back(1);
  return *this;
}

Params& Params::Int(int64_t value) { return Add(BigEndian64(value)); }

Params& Params::Null() {
  Add(std::string());
  null_.back() = true;
  return *this;
}

Params& Params::IntArray(const std::vector<int64_t>& values) {
  std::string out = ArrayHeader(kInt8Oid, values.size());
  for (int64_t v : values) AppendElement(out, BigEndian64(v));
  return Add(std::move(out));
}

// The binary array format of array_recv: dimensions, a has-nulls flag, the element type, then
// per dimension its size and lower bound.
std::string Params::ArrayHeader(uint32_t element_oid, size_t count) {
  std::string out;
  AppendBigEndian32(out, count == 0 ? 0 : 1);
  AppendBigEndian32(out, 0);
  AppendBigEndian32(out, element_oid);
  if (count > 0) {
    AppendBigEndian32(out, static_cast<uint32_t>(count));
    AppendBigEndian32(out, 1);
  }
  return out;
}

void Params::AppendElement(std::string& out, std::string_view value) {
  AppendBigEndian32(out, static_cast<uint32_t>(value.size()));
  out.append(value);
}

const char* const* Params::values() const {
  values_.resize(data_.size());
  for (size_t i = 0; i < data_.size(); ++i) values_[i] = null_[i] ? nullptr : data_[i].data();
  return values_.data();
}

// --- Rows ------------------------------------------------------------------------------------

int64_t Rows::Int(int row, int column) const {
  std::string_view v = View(row, column);
  if (PQfformat(result_.get(), column) == 0) return std::strtoll(v.data(), nullptr, 10);
  uint64_t out = 0;
  for (unsigned char c : v) out = (out << 8) | c;
  // Sign-extend int4/int2 values.
  if (v.size() < 8 && !v.empty() && (static_cast<unsigned char>(v[0]) & 0x80) != 0) {
    out |= ~uint64_t{0} << (8 * v.size());
  }
  return static_cast<int64_t>(out);
}

std::optional<std::string> Rows::OptionalString(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return String(row, column);
}

std::optional<int64_t> Rows::OptionalInt(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Int(row, column);
}

int64_t Rows::AffectedRows() const { return std::strtoll(PQcmdTuples(result_.get()), nullptr, 10); }

// --- Connection ------------------------------------------------------------------------------

Status Connection::Fail(std::string what) {
  broken_ = true;
  return Status::Unavailable(what + ": " + FirstLine(PQerrorMessage(conn_)));
}

Status Connection::StatementError(const PGresult* result) {
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  last_sqlstate_ = state != nullptr ? state : "";
  std::string message = FirstLine(PQresultErrorMessage(result));
  if (PQstatus(conn_) == CONNECTION_BAD) {
    broken_ = true;
    return Status::Unavailable("PostgreSQL connection lost: " + message);
  }
  const std::string& s = last_sqlstate_;
  if (StartsWith(s, "08") || s == "57P01" || s == "57P02" || s == "57P03") {
    broken_ = true;
    return Status::Unavailable("PostgreSQL is unavailable: " + message);
  }
  if (s == "57014") return Status::Unavailable("PostgreSQL statement timed out: " + message);
  if (StartsWith(s, "53") || s == "55P03" || s == "40001" || s == "40P01") {
    return Status::Unavailable("PostgreSQL is busy: " + message);
  }
  if (StartsWith(s, "22"))
    return Status::InvalidArgument("value rejected by PostgreSQL: " + message);
  if (StartsWith(s, "54")) return Status::TooLarge("value too large for PostgreSQL: " + message);
  return Status::Internal("PostgreSQL error " + s + ": " + message);
}

bool Connection::StillAlive() {
  if (PQstatus(conn_) != CONNECTION_OK) return false;
  // Nothing is sent to an idle connection that does not LISTEN, except when the server ends it
  // (a FATAL message, then end of file; the end may not be readable yet). Anything readable
  // therefore condemns the connection: a reconnect costs less than a failed request.
  pollfd pfd{PQsocket(conn_), POLLIN, 0};
  return poll(&pfd, 1, 0) == 0;
}

Status Connection::Flush(Clock::time_point deadline) {
  for (;;) {
    int rc = PQflush(conn_);
    if (rc == 0) return Status::Ok();
    if (rc < 0) return Fail("sending to PostgreSQL failed");
    if (!WaitSocket(conn_, POLLOUT | POLLIN, deadline)) {
      broken_ = true;
      return Status::Unavailable("PostgreSQL did not accept the request in time");
    }
    if (PQconsumeInput(conn_) == 0) return Fail("PostgreSQL connection lost");
  }
}

Status Connection::AwaitResult(Clock::time_point deadline) {
  while (PQisBusy(conn_)) {
    if (!WaitSocket(conn_, POLLIN, deadline)) {
      // The request may still be running; the connection's state is unknown, so it is dropped
      // (the server's statement_timeout ends the statement).
      broken_ = true;
      return Status::Unavailable("PostgreSQL did not answer in time");
    }
    if (PQconsumeInput(conn_) == 0) return Fail("PostgreSQL connection lost");
  }
  return Status::Ok();
}

Result<std::vector<Rows>> Connection::Pipeline(std::span<const Call> calls,
                                               Clock::time_point deadline) {
  last_sqlstate_.clear();
  if (PQenterPipelineMode(conn_) != 1) return Fail("cannot enter pipeline mode");
  // Each queued step: a prepare (result discarded) or an execution (result kept).
  struct Step {
    const Statement* prepare;  // non-null for a prepare step
    bool keep;
  };
  std::vector<Step> steps;
  std::vector<std::string> preparing;
  for (const Call& call : calls) {
    const Statement& st = *call.statement;
    if (prepared_.count(st.name) == 0 &&
        std::find(preparing.begin(), preparing.end(), st.name) == preparing.end()) {
      if (PQsendPrepare(conn_, st.name.c_str(), st.sql.c_str(), 0, nullptr) != 1) {
        return Fail("queueing a statement failed");
      }
      preparing.push_back(st.name);
      steps.push_back({&st, false});
    }
    if (PQsendQueryPrepared(conn_, st.name.c_str(), call.params->size(), call.params->values(),
                            call.params->lengths(), call.params->formats(), 1) != 1) {
      return Fail("queueing a statement failed");
    }
    steps.push_back({nullptr, true});
  }
  if (PQpipelineSync(conn_) != 1) return Fail("queueing a sync failed");
  ATS_RETURN_IF_ERROR(Flush(deadline));

  std::vector<Rows> out;
  out.reserve(calls.size());
  Status first_error;
  for (const Step& step : steps) {
    // Each step yields one result, then a null.
    ATS_RETURN_IF_ERROR(AwaitResult(deadline));
    PGresult* raw = PQgetResult(conn_);
    if (raw == nullptr) return Fail("PostgreSQL pipeline out of step");
    Rows result(raw);
    ExecStatusType status = PQresultStatus(raw);
    if (status == PGRES_FATAL_ERROR) {
      if (first_error.ok()) first_error = StatementError(raw);
      if (broken_) return first_error;
    } else if (status != PGRES_PIPELINE_ABORTED && step.prepare != nullptr) {
      prepared_.insert(step.prepare->name);
    }
    ATS_RETURN_IF_ERROR(AwaitResult(deadline));
    if (PQgetResult(conn_) != nullptr) return Fail("PostgreSQL pipeline out of step");
    if (step.keep) out.push_back(std::move(result));
  }
  ATS_RETURN_IF_ERROR(AwaitResult(deadline));
  Rows sync(PQgetResult(conn_));
  if (PQresultStatus(sync.raw()) != PGRES_PIPELINE_SYNC) {
    return Fail("PostgreSQL pipeline out of step");
  }
  if (PQexitPipelineMode(conn_) != 1) return Fail("cannot leave pipeline mode");
  if (!first_error.ok()) return first_error;
  return out;
}

Result<std::vector<Rows>> Connection::Simple(const std::string& sql, Clock::time_point deadline) {
  last_sqlstate_.clear();
  if (PQsendQuery(conn_, sql.c_str()) != 1) return Fail("sending a query failed");
  ATS_RETURN_IF_ERROR(Flush(deadline));
  std::vector<Rows> out;
  Status first_error;
  for (;;) {
    ATS_RETURN_IF_ERROR(AwaitResult(deadline));
    PGresult* raw = PQgetResult(conn_);
    if (raw == nullptr) break;
    Rows result(raw);
    if (PQresultStatus(raw) == PGRES_FATAL_ERROR) {
      if (first_error.ok()) first_error = StatementError(raw);
      if (broken_) return first_error;
    } else {
      out.push_back(std::move(result));
    }
  }
  if (!first_error.ok()) return first_error;
  return out;
}

// --- Pool ------------------------------------------------------------------------------------

Pool::Pool(Settings settings) : settings_(std::move(settings)) {
  for (int slot = settings_.size - 1; slot >= 0; --slot) unconnected_slots_.push_back(slot);
}

Pool::~Pool() = default;

Result<std::unique_ptr<Connection>> Pool::Connect(int slot, Clock::time_point deadline) {
  std::vector<const char*> keywords;
  std::vector<const char*> values;
  for (size_t i = 0; i < settings_.keywords.size(); ++i) {
    keywords.push_back(settings_.keywords[i].c_str());
    values.push_back(settings_.values[i].c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  // Connects without blocking, polled up to the caller's deadline: a server that accepts the TCP
  // connection but never answers (stopped, or behind a dead network path) would otherwise hold
  // the caller for connect_timeout, whole seconds and at least two, after whatever it waited
  // for a slot.
  PGconn* raw = PQconnectStartParams(keywords.data(), values.data(), /*expand_dbname=*/1);
  auto conn = std::make_unique<Connection>(raw, slot);
  if (raw == nullptr) return Status::Unavailable("cannot connect to PostgreSQL: out of memory");
  PostgresPollingStatusType polling = PGRES_POLLING_WRITING;  // what the documentation starts with
  while (PQstatus(raw) != CONNECTION_BAD && polling != PGRES_POLLING_OK &&
         polling != PGRES_POLLING_FAILED) {
    if (PQsocket(raw) < 0) break;
    if (!WaitSocket(raw, polling == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline)) {
      return Status::Unavailable("cannot connect to PostgreSQL: no answer in time");
    }
    polling = PQconnectPoll(raw);
  }
  if (PQstatus(raw) != CONNECTION_OK) {
    return Status::Unavailable("cannot connect to PostgreSQL: " + FirstLine(PQerrorMessage(raw)));
  }
  // Server notices ("relation already exists, skipping", the FATAL of a terminated session) are
  // expected events, not output for the service's stderr.
  PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  // Non-blocking sends, so that a stalled server cannot hold a caller past its deadline.
  if (PQsetnonblocking(raw, 1) != 0) {
    return Status::Unavailable("cannot configure the PostgreSQL connection");
  }
  return conn;
}

Result<Pool::Lease> Pool::Acquire(Clock::time_point deadline) {
  std::unique_ptr<Connection> conn;
  int slot = -1;
  {
    std::unique_lock lock(mu_);
    if (waiters_.empty() && (!idle_.empty() || !unconnected_slots_.empty())) {
      // Prefer a live connection; open a new one only when none is idle.
      if (!idle_.empty()) {
        conn = std::move(idle_.back());
        idle_.pop_back();
      } else {
        slot = unconnected_slots_.back();
        unconnected_slots_.pop_back();
      }
    } else {
      Waiter me;
      waiters_.push_back(&me);
      if (!me.ready.wait_until(lock, deadline, [&] { return me.served; })) {
        waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &me));
        return Status::Unavailable("no PostgreSQL connection became free in time");
      }
      conn = std::move(me.conn);
      slot = me.slot;
    }
  }
  if (conn) {
    if (conn->StillAlive()) {
      conn->set_deadline(deadline);
      return Lease(this, std::move(conn));
    }
    slot = conn->slot();
    conn.reset();  // the server ended it while idle: open a new one in its slot
  }
  Result<std::unique_ptr<Connection>> fresh = Connect(slot, deadline);
  if (fresh.ok()) {
    (*fresh)->set_deadline(deadline);
    return Lease(this, std::move(fresh).value());
  }
  std::lock_guard lock(mu_);
  HandOverLocked(nullptr, slot);
  return fresh.status();
}

void Pool::HandOverLocked(std::unique_ptr<Connection> conn, int slot) {
  if (!waiters_.empty()) {
    Waiter* oldest = waiters_.front();
    waiters_.pop_front();
    oldest->conn = std::move(conn);
    oldest->slot = slot;
    oldest->served = true;
    // Notified under the lock: once it sees `served` the waiter may return and end `ready`.
    oldest->ready.notify_one();
    return;
  }
  if (conn) {
    idle_.push_back(std::move(conn));
  } else {
    unconnected_slots_.push_back(slot);
  }
}

void Pool::Release(std::unique_ptr<Connection> conn) {
  // A connection left inside a transaction (a failed administrative sequence) is not reused
  // either: its next user would run inside that transaction.
  const bool reusable = !conn->broken() && PQstatus(conn->raw()) == CONNECTION_OK &&
                        PQtransactionStatus(conn->raw()) == PQTRANS_IDLE;
  const int slot = conn->slot();
  if (!reusable) conn.reset();
  std::lock_guard lock(mu_);
  HandOverLocked(std::move(conn), slot);
}

}  // namespace ats::storage::pg
