// Group commit for single-trace ingests.
//
// Every POST /api/v1/traces carries one trace, and one transaction per trace spends most of the
// database's time on per-transaction work (commit, round trips, planning). The coalescer lets
// concurrent requests for the same (project, user) share one Store::InsertTraces call: the first
// caller becomes the leader and writes whatever has queued up while earlier writes were in
// flight. No request waits for a timer, and each caller returns only after the transaction that
// holds its trace has committed, so a 2xx still means durable.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "storage/store.hpp"

namespace ats {

class IngestCoalescer {
 public:
  // `max_in_flight`: concurrent InsertTraces calls per (project, user); `max_group`: traces per
  // call.
  explicit IngestCoalescer(Store& store, int max_in_flight = 4, size_t max_group = 256)
      : store_(store), max_in_flight_(max_in_flight), max_group_(max_group) {}

  // Stores one trace (and its conversations) and returns whether it was a duplicate. Same
  // contract as Store::InsertTraces for one trace. Thread-safe; blocks until committed.
  Result<bool> Insert(const std::string& project_id, const std::string& user_id, NewTrace trace,
                      std::vector<ConversationContent> conversations);

 private:
  struct Pending {
    NewTrace trace;
    std::vector<ConversationContent> conversations;
    bool done = false;
    Result<bool> result = Status::Internal("not written");
  };
  struct Queue {
    std::deque<Pending*> waiting;
    int in_flight = 0;
  };
  using Key = std::pair<std::string, std::string>;  // (project_id, user_id)

  // Writes one group; on a group failure retries each member alone, so one bad trace cannot fail
  // the others.
  void WriteGroup(const Key& key, const std::vector<Pending*>& group);

  Store& store_;
  const int max_in_flight_;
  const size_t max_group_;
  std::mutex mutex_;
  std::condition_variable done_;
  std::map<Key, Queue> queues_;
};

}  // namespace ats
