#include "service/ingest_coalescer.hpp"

#include <future>

namespace ats {

void IngestCoalescer::Submit(const std::string& project_id, const std::string& user_id,
                             NewTrace trace, std::vector<ConversationContent> conversations,
                             Done done) {
  const Key key(project_id, user_id);
  std::unique_lock lock(mutex_);
  // std::map never moves its entries, and this one is erased only by the writer that leaves it
  // empty and idle, under the lock: `queue` stays valid while we hold a write slot.
  Queue& queue = queues_[key];
  queue.waiting.push_back(Pending{std::move(trace), std::move(conversations), std::move(done),
                                 RequestArrival::OfThisThread()});
  if (queue.in_flight >= max_in_flight_) return;  // a busy writer takes it when it finishes

  ++queue.in_flight;
  while (!queue.waiting.empty()) {
    std::vector<Pending> group;
    while (!queue.waiting.empty() && group.size() < max_group_) {
      group.push_back(std::move(queue.waiting.front()));
      queue.waiting.pop_front();
    }
    lock.unlock();
    {
      // The group's time budget is its oldest request's, not that of the request whose thread
      // happens to write it.
      const RequestArrival oldest(group.front().arrived);
      WriteGroup(key, group);
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
  Submit(project_id, user_id, std::move(trace), std::move(conversations),
         [&outcome](Result<bool> result) { outcome.set_value(std::move(result)); });
  return outcome_ready.get();
}

void IngestCoalescer::WriteGroup(const Key& key, std::vector<Pending>& group) {
  std::vector<NewTrace> traces;
  std::vector<ConversationContent> conversations;
  traces.reserve(group.size());
  for (Pending& p : group) {
    traces.push_back(std::move(p.trace));
    for (auto& c : p.conversations) conversations.push_back(std::move(c));
  }
  auto duplicates = store_.InsertTraces(key.first, key.second, traces, conversations);
  if (duplicates.ok()) {
    for (size_t i = 0; i < group.size(); ++i) {
      group[i].result = Result<bool>(static_cast<bool>((*duplicates)[i]));
    }
    return;
  }
  if (group.size() == 1 || duplicates.status().IsUnavailable()) {
    for (Pending& p : group) p.result = duplicates.status();
    return;
  }
  // The group failed as a whole (nothing of it was written): find the culprit by writing each
  // trace alone. Conversations were moved out; hand each its own back from the combined list.
  size_t next_conversation = 0;
  for (size_t i = 0; i < group.size(); ++i) {
    std::vector<NewTrace> one{traces[i]};
    std::vector<ConversationContent> own;
    for (size_t n = 0; n < group[i].conversations.size(); ++n) {
      own.push_back(conversations[next_conversation++]);
    }
    auto single = store_.InsertTraces(key.first, key.second, one, own);
    group[i].result = single.ok() ? Result<bool>(static_cast<bool>((*single)[0]))
                                  : Result<bool>(single.status());
  }
}

}  // namespace ats
