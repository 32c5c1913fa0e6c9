// Group commit for trace ingests.
//
// Every POST /api/v1/traces carries one trace, and one transaction per trace spends most of the
// database's time on per-transaction work (commit, round trips, planning); batches pay it too,
// and rewrite the same hot index pages once per commit. The coalescer lets concurrent requests
// for the same (project, user) share one Store::InsertTraces call. A caller
// that finds a free write slot writes whatever has queued up, its own trace first, and keeps
// writing while more arrives; a caller that finds every slot busy leaves its trace in the queue
// and returns at once, and the writer that takes it reports the outcome. No trace waits for a
// timer, and an outcome is reported only after the transaction holding the trace has committed,
// so a 2xx still means durable.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/request_arrival.hpp"
#include "storage/store.hpp"

namespace ats {

class IngestCoalescer {
 public:
  // Receives, per trace, whether it was a duplicate, or why none of them was stored.
  using Done = std::function<void(Result<std::vector<bool>>)>;

  // `max_in_flight`: concurrent InsertTraces calls per (project, user), the second and later
  // ones started only while at least `parallel_from` traces wait; `max_group`: traces per call (a
  // larger request is written whole, alone).
  //
  // Measured on two cores with PostgreSQL: single ingests from 32 connections reach 10,000/s
  // through one writer and 6,700/s through two, whose smaller transactions cost more each;
  // batches of 50 from 16 connections reach 330/s through two writers, which the database runs
  // on both cores, and 220/s through one. Queues of single traces stay below `parallel_from`,
  // queues of batches do not.
  explicit IngestCoalescer(Store& store, int max_in_flight = 2, size_t max_group = 512,
                           size_t parallel_from = 64)
      : store_(store),
        max_in_flight_(max_in_flight),
        max_group_(max_group),
        parallel_from_(parallel_from) {}

  // Stores the traces (and conversations) of one request, all or none, and calls `done` with
  // what Store::InsertTraces says of them: on this thread before returning, or later on the
  // thread of the writer that took them. Thread-safe; `done` must not throw and is called
  // exactly once.
  void Submit(const std::string& project_id, const std::string& user_id,
              std::vector<NewTrace> traces, std::vector<ConversationContent> conversations,
              Done done);

  // Submit of one trace, waiting for the outcome (whether it was a duplicate). Its thread may
  // go on writing other requests' traces after its own are stored.
  Result<bool> Insert(const std::string& project_id, const std::string& user_id, NewTrace trace,
                      std::vector<ConversationContent> conversations);

 private:
  struct Pending {
    std::vector<NewTrace> traces;
    std::vector<ConversationContent> conversations;
    Done done;
    RequestArrival::Clock::time_point arrived;  // the request's, for its database time budget
    Result<std::vector<bool>> result = Status::Internal("not written");
  };
  struct Queue {
    std::deque<Pending> waiting;
    size_t waiting_traces = 0;  // in `waiting`
    int in_flight = 0;
  };
  using Key = std::pair<std::string, std::string>;  // (project_id, user_id)

  // Writes one group and fills in each member's result; on a group failure retries each member
  // alone, so one bad request cannot fail the others.
  void WriteGroup(const Key& key, std::vector<Pending>& group);

  Store& store_;
  const int max_in_flight_;
  const size_t max_group_;
  const size_t parallel_from_;
  std::mutex mutex_;
  std::map<Key, Queue> queues_;  // an entry lives while something waits or is being written
};

}  // namespace ats
