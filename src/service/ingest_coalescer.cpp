#include "service/ingest_coalescer.hpp"

namespace ats {

Result<bool> IngestCoalescer::Insert(const std::string& project_id, const std::string& user_id,
                                     NewTrace trace,
                                     std::vector<ConversationContent> conversations) {
  Pending self{std::move(trace), std::move(conversations)};
  const Key key(project_id, user_id);
  std::unique_lock lock(mutex_);
  Queue& queue = queues_[key];
  queue.waiting.push_back(&self);
  // `queue` stays valid while our trace is unwritten: the entry is only erased when nothing is
  // waiting or in flight. Lead while there is capacity: take the queue (ours included) and write it; loop while
  // more arrived and nobody else is free to take it.
  while (!self.done) {
    if (queue.in_flight < max_in_flight_ && !queue.waiting.empty()) {
      std::vector<Pending*> group;
      while (!queue.waiting.empty() && group.size() < max_group_) {
        group.push_back(queue.waiting.front());
        queue.waiting.pop_front();
      }
      ++queue.in_flight;
      lock.unlock();
      WriteGroup(key, group);
      lock.lock();
      --queue.in_flight;
      for (Pending* p : group) p->done = true;
      done_.notify_all();
    } else {
      done_.wait(lock);
    }
  }
  // Our trace may have been written by another leader that has since dropped the queue (and a
  // new one may exist under the same key): look it up again rather than trusting `queue`.
  auto it = queues_.find(key);
  if (it != queues_.end() && it->second.waiting.empty() && it->second.in_flight == 0) {
    queues_.erase(it);
  }
  return std::move(self.result);
}

void IngestCoalescer::WriteGroup(const Key& key, const std::vector<Pending*>& group) {
  std::vector<NewTrace> traces;
  std::vector<ConversationContent> conversations;
  traces.reserve(group.size());
  for (Pending* p : group) {
    traces.push_back(std::move(p->trace));
    for (auto& c : p->conversations) conversations.push_back(std::move(c));
  }
  auto duplicates = store_.InsertTraces(key.first, key.second, traces, conversations);
  if (duplicates.ok()) {
    for (size_t i = 0; i < group.size(); ++i) group[i]->result = Result<bool>(static_cast<bool>((*duplicates)[i]));
    return;
  }
  if (group.size() == 1 || duplicates.status().IsUnavailable()) {
    for (Pending* p : group) p->result = duplicates.status();
    return;
  }
  // The group failed as a whole (nothing of it was written): find the culprit by writing each
  // trace alone. Conversations were moved out; hand each its own back from the combined list.
  size_t next_conversation = 0;
  for (size_t i = 0; i < group.size(); ++i) {
    std::vector<NewTrace> one{traces[i]};
    std::vector<ConversationContent> own;
    for (size_t n = 0; n < group[i]->conversations.size(); ++n) {
      own.push_back(conversations[next_conversation++]);
    }
    auto single = store_.InsertTraces(key.first, key.second, one, own);
    group[i]->result = single.ok() ? Result<bool>(static_cast<bool>((*single)[0])) : Result<bool>(single.status());
  }
}

}  // namespace ats
