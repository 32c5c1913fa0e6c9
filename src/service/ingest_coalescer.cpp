#include "service/ingest_coalescer.hpp"

#include <algorithm>
#include <exception>
#include <future>
#include <iterator>
#include <string>

namespace ats {

void IngestCoalescer::Submit(const std::string& project_id, const std::string& user_id,
                             std::vector<NewTrace> traces,
                             std::vector<ConversationContent> conversations, Done done) {
  const Key key(project_id, user_id);
  std::unique_lock lock(mutex_);
  // std::map never moves its entries, and this one is erased only by the writer that leaves it
  // empty and idle, under the lock: `queue` stays valid while we hold a write slot.
  Queue& queue = queues_[key];
  queue.waiting_traces += traces.size();
  queue.waiting.push_back(Pending{std::move(traces), std::move(conversations), std::move(done),
                                  RequestArrival::OfThisThread()});
  const bool write_now =
      queue.in_flight == 0 ||
      (queue.in_flight < max_in_flight_ && queue.waiting_traces >= parallel_from_);
  if (!write_now) return;  // a busy writer takes it when it finishes

  ++queue.in_flight;
  while (!queue.waiting.empty()) {
    std::vector<Pending> group;
    size_t group_traces = 0;
    while (!queue.waiting.empty() &&
           (group.empty() || group_traces + queue.waiting.front().traces.size() <= max_group_)) {
      group_traces += queue.waiting.front().traces.size();
      group.push_back(std::move(queue.waiting.front()));
      queue.waiting.pop_front();
    }
    queue.waiting_traces -= group_traces;
    lock.unlock();
    {
      // The group's time budget is its oldest request's, not that of the request whose thread
      // happens to write it.
      const RequestArrival oldest(group.front().arrived);
      try {
        WriteGroup(key, group);
      } catch (const std::exception& e) {
        // Out of memory, most likely. The queue must keep its writer accounting straight, or
        // every later ingest of this project and user would wait for a writer that never comes.
        const Status failed = Status::Internal(std::string("ingest failed: ") + e.what());
        for (Pending& p : group) p.result = failed;
      }
    }
    for (Pending& p : group) p.done(std::move(p.result));
    lock.lock();
  }
  --queue.in_flight;
  if (queue.in_flight == 0) queues_.erase(key);
}

Result<bool> IngestCoalescer::Insert(const std::string& project_id, const std::string& user_id,
                                     NewTrace trace,
                                     std::vector<ConversationContent> conversations) {
  std::promise<Result<bool>> outcome;
  std::future<Result<bool>> outcome_ready = outcome.get_future();
  std::vector<NewTrace> one;
  one.push_back(std::move(trace));
  Submit(project_id, user_id, std::move(one), std::move(conversations),
         [&outcome](Result<std::vector<bool>> result) {
           outcome.set_value(result.ok() ? Result<bool>(static_cast<bool>((*result)[0]))
                                         : Result<bool>(result.status()));
         });
  return outcome_ready.get();
}

void IngestCoalescer::WriteGroup(const Key& key, std::vector<Pending>& group) {
  if (group.size() == 1) {
    Pending& only = group.front();
    only.result = store_.InsertTraces(key.first, key.second, only.traces, only.conversations);
    return;
  }
  // The members' traces and transcripts (often 100 KB or more each) are moved into the one call,
  // not copied, and moved back for the retries below.
  std::vector<NewTrace> traces;
  std::vector<ConversationContent> conversations;
  size_t trace_count = 0;
  size_t conversation_count = 0;
  for (const Pending& p : group) {
    trace_count += p.traces.size();
    conversation_count += p.conversations.size();
  }
  traces.reserve(trace_count);
  conversations.reserve(conversation_count);
  for (Pending& p : group) {
    std::move(p.traces.begin(), p.traces.end(), std::back_inserter(traces));
    std::move(p.conversations.begin(), p.conversations.end(), std::back_inserter(conversations));
  }
  auto duplicates = store_.InsertTraces(key.first, key.second, traces, conversations);
  if (duplicates.ok()) {
    size_t next = 0;
    for (Pending& p : group) {
      const auto first = duplicates->begin() + static_cast<ptrdiff_t>(next);
      p.result = std::vector<bool>(first, first + static_cast<ptrdiff_t>(p.traces.size()));
      next += p.traces.size();
    }
    return;
  }
  if (duplicates.status().IsUnavailable()) {
    for (Pending& p : group) p.result = duplicates.status();
    return;
  }
  // The group failed as a whole (nothing of it was written): find the culprit by writing each
  // request alone.
  auto next_trace = traces.begin();
  auto next_conversation = conversations.begin();
  for (Pending& p : group) {
    const auto traces_end = next_trace + static_cast<ptrdiff_t>(p.traces.size());
    std::move(next_trace, traces_end, p.traces.begin());
    next_trace = traces_end;
    const auto conversations_end =
        next_conversation + static_cast<ptrdiff_t>(p.conversations.size());
    std::move(next_conversation, conversations_end, p.conversations.begin());
    next_conversation = conversations_end;
    p.result = store_.InsertTraces(key.first, key.second, p.traces, p.conversations);
  }
}

}  // namespace ats
