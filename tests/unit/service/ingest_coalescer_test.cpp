#include "service/ingest_coalescer.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <new>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "support/forwarding_store.hpp"
#include "support/memory_store.hpp"

namespace ats {
namespace {

// Counts InsertTraces calls, holds each for a while so that concurrent callers pile up, and
// rejects any group that contains the trace id "poison".
class SlowCountingStore : public test::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Result<std::vector<bool>> InsertTraces(const std::string& p, const std::string& u,
                                         const std::vector<NewTrace>& traces,
                                         const std::vector<ConversationContent>& c) override {
    ++calls;
    largest_group = std::max<int>(largest_group, static_cast<int>(traces.size()));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    for (const NewTrace& t : traces) {
      if (t.trace_id == "poison") return Status::InvalidArgument("poison");
    }
    return ForwardingStore::InsertTraces(p, u, traces, c);
  }
  std::atomic<int> calls{0};
  std::atomic<int> largest_group{0};
};

NewTrace MakeTrace(const std::string& id) {
  NewTrace t;
  t.trace_id = id;
  t.record_json = R"({"id":")" + id + R"(","timestamp":"2026-02-11T10:00:00Z"})";
  t.timestamp = 1770804000000000;
  return t;
}

class IngestCoalescerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = test::OpenMigratedMemoryStore();
    ASSERT_NE(base_, nullptr);
    store_ = std::make_unique<SlowCountingStore>(*base_);
  }
  std::unique_ptr<Store> base_;
  std::unique_ptr<SlowCountingStore> store_;
};

TEST_F(IngestCoalescerTest, ConcurrentInsertsShareTransactionsAndAllCommit) {
  IngestCoalescer coalescer(*store_, /*max_in_flight=*/2);
  constexpr int kThreads = 32;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, duplicates{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      // Threads 0..27 write distinct ids; 28..31 repeat ids 0..3.
      std::string id = "t" + std::to_string(i < 28 ? i : i - 28);
      auto r = coalescer.Insert("p", "alice", MakeTrace(id), {});
      if (r.ok()) ++ok;
      if (r.ok() && *r) ++duplicates;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, kThreads);
  EXPECT_EQ(duplicates, 4);
  EXPECT_LT(store_->calls, kThreads);  // grouped
  EXPECT_GT(store_->largest_group, 1);
  TraceFilter all;
  all.project_id = "p";
  all.limit = 100;
  auto page = base_->ListTraces(all);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 28);
}

TEST_F(IngestCoalescerTest, OneBadTraceFailsAloneNotItsGroup) {
  IngestCoalescer coalescer(*store_, /*max_in_flight=*/1);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, failed{0};
  auto id = [](int i) { return i == 5 ? std::string("poison") : "g" + std::to_string(i); };
  auto transcript = [&](int i) {
    return ConversationContent{"file:///" + id(i), "turns of " + id(i)};
  };
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&, i] {
      auto r = coalescer.Insert("p", "alice", MakeTrace(id(i)), {transcript(i)});
      (r.ok() ? ok : failed)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 11);
  EXPECT_EQ(failed, 1);
  EXPECT_GT(store_->largest_group, 1);  // the poison failed a group, whose members were retried
  // Each retried member stored its own record and transcript.
  for (int i = 0; i < 12; ++i) {
    auto stored = base_->GetTrace("p", id(i));
    auto content = base_->GetConversation("p", transcript(i).url);
    ASSERT_TRUE(stored.ok() && content.ok());
    if (i == 5) {
      EXPECT_EQ(*stored, std::nullopt);
      EXPECT_EQ(*content, std::nullopt);
      continue;
    }
    ASSERT_TRUE(stored->has_value()) << id(i);
    EXPECT_EQ((*stored)->record_json, MakeTrace(id(i)).record_json);
    EXPECT_EQ(*content, transcript(i).content);
  }
}

TEST_F(IngestCoalescerTest, SeparateProjectsAreWrittenSeparately) {
  IngestCoalescer coalescer(*store_);
  ASSERT_TRUE(coalescer.Insert("p1", "alice", MakeTrace("x"), {}).ok());
  auto again = coalescer.Insert("p2", "alice", MakeTrace("x"), {});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);  // same id, other project: not a duplicate
  auto dup = coalescer.Insert("p1", "bob", MakeTrace("x"), {});
  ASSERT_TRUE(dup.ok());
  EXPECT_TRUE(*dup);
}

}  // namespace
}  // namespace ats

namespace ats {
namespace {

// Many short rounds of concurrent inserts: every round ends with the queue dropped while some
// followers are still waking up, which is where a stale queue reference used to crash.
TEST_F(IngestCoalescerTest, QueuesDroppedAndRecreatedUnderChurnStaySound) {
  IngestCoalescer coalescer(*base_, /*max_in_flight=*/2, /*max_group=*/4);
  std::atomic<int> ok{0};
  for (int round = 0; round < 30; ++round) {
    std::vector<std::thread> threads;
    for (int i = 0; i < 16; ++i) {
      threads.emplace_back([&, round, i] {
        auto r = coalescer.Insert("churn", "alice",
                                  MakeTrace("c" + std::to_string(round) + "-" + std::to_string(i)), {});
        if (r.ok() && !*r) ++ok;
      });
    }
    for (auto& t : threads) t.join();
  }
  EXPECT_EQ(ok, 30 * 16);
}

// Holds every InsertTraces call until released (at most 5 s); notes the calls running at once,
// and for each call the traces it carried and the arrival its thread marks (the time budget the
// store would count from).
class HeldStore : public test::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Result<std::vector<bool>> InsertTraces(const std::string& p, const std::string& u,
                                         const std::vector<NewTrace>& traces,
                                         const std::vector<ConversationContent>& c) override {
    {
      std::unique_lock lock(mutex);
      ++running;
      most_running = std::max(most_running, running);
      group_sizes.push_back(traces.size());
      arrivals.push_back(RequestArrival::OfThisThread());
      changed.notify_all();
      // Bounded, so that a regression (a caller made a writer too early) fails instead of hangs.
      changed.wait_for(lock, std::chrono::seconds(5), [&] { return released; });
      --running;
    }
    return ForwardingStore::InsertTraces(p, u, traces, c);
  }
  bool WaitRunning(int n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(5), [&] { return running == n; });
  }
  void Release() {
    std::lock_guard lock(mutex);
    released = true;
    changed.notify_all();
  }
  std::mutex mutex;
  std::condition_variable changed;
  bool released = false;
  int running = 0;
  int most_running = 0;
  std::vector<size_t> group_sizes;
  std::vector<RequestArrival::Clock::time_point> arrivals;  // each call's, as its thread marks it
};

TEST_F(IngestCoalescerTest, ASubmitterFindingEverySlotBusyReturnsAtOnceAndHearsFromTheWriter) {
  HeldStore held(*base_);
  IngestCoalescer coalescer(held, /*max_in_flight=*/1);
  const auto now = RequestArrival::Clock::now();
  const auto first_arrival = now - std::chrono::seconds(10);
  const auto second_arrival = now - std::chrono::seconds(5);

  std::thread::id writer_thread;
  std::thread writer([&] {
    writer_thread = std::this_thread::get_id();
    const RequestArrival arrival(first_arrival);
    coalescer.Submit("p", "alice", {MakeTrace("first")}, {}, [](Result<std::vector<bool>> r) {
      EXPECT_TRUE(r.ok() && *r == std::vector<bool>{false});
    });
  });
  ASSERT_TRUE(held.WaitRunning(1));

  std::atomic<bool> heard{false};
  std::thread::id heard_on;
  Result<std::vector<bool>> outcome = Status::Internal("unset");
  {
    const RequestArrival arrival(second_arrival);
    coalescer.Submit("p", "alice", {MakeTrace("second")}, {}, [&](Result<std::vector<bool>> r) {
      heard_on = std::this_thread::get_id();
      outcome = std::move(r);
      heard = true;
    });
  }
  EXPECT_FALSE(heard);  // queued behind the busy writer, not written by this thread

  held.Release();
  writer.join();
  ASSERT_TRUE(heard);
  EXPECT_EQ(heard_on, writer_thread);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(*outcome, std::vector<bool>{false});
  ASSERT_EQ(held.group_sizes, (std::vector<size_t>{1, 1}));
  // Each group's database budget counts from its own request's arrival, not the writer's.
  EXPECT_EQ(held.arrivals[0], first_arrival);
  EXPECT_EQ(held.arrivals[1], second_arrival);
}

// Batches: several share one call, each hears its own traces' outcomes in order, and a batch
// holding a bad trace fails whole while the batches it was grouped with are stored.
TEST_F(IngestCoalescerTest, BatchesShareCallsAndFailOrSucceedWhole) {
  IngestCoalescer coalescer(*store_, /*max_in_flight=*/1);
  ASSERT_TRUE(coalescer.Insert("p", "alice", MakeTrace("seen"), {}).ok());
  constexpr int kBatches = 8;
  std::vector<Result<std::vector<bool>>> outcomes(kBatches, Status::Internal("unset"));
  std::vector<std::thread> threads;
  for (int b = 0; b < kBatches; ++b) {
    threads.emplace_back([&, b] {
      std::vector<NewTrace> batch;
      for (int i = 0; i < 3; ++i) batch.push_back(MakeTrace("b" + std::to_string(b) + "-" + std::to_string(i)));
      batch.push_back(MakeTrace(b == 3 ? "poison" : "seen"));  // a duplicate, or the bad one
      std::promise<void> heard;
      coalescer.Submit("p", "alice", std::move(batch), {}, [&](Result<std::vector<bool>> r) {
        outcomes[static_cast<size_t>(b)] = std::move(r);
        heard.set_value();
      });
      heard.get_future().wait();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_GT(store_->largest_group, 4);  // more than one batch in a call
  for (int b = 0; b < kBatches; ++b) {
    const auto& outcome = outcomes[static_cast<size_t>(b)];
    if (b == 3) {
      EXPECT_FALSE(outcome.ok());
      continue;
    }
    ASSERT_TRUE(outcome.ok()) << b << ": " << outcome.status().ToString();
    EXPECT_EQ(*outcome, (std::vector<bool>{false, false, false, true})) << b;
  }
  TraceFilter all;
  all.project_id = "p";
  all.limit = 100;
  auto page = base_->ListTraces(all);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 1 + (kBatches - 1) * 3);  // nothing of the bad batch
}

std::vector<NewTrace> Batch(const std::string& prefix, int size) {
  std::vector<NewTrace> batch;
  for (int i = 0; i < size; ++i) batch.push_back(MakeTrace(prefix + std::to_string(i)));
  return batch;
}

// A second writer starts only once enough traces wait (parallel_from): queued single traces go
// to the one writer's next transaction, queued batches get a transaction of their own beside it.
TEST_F(IngestCoalescerTest, ASecondWriterStartsOnlyWhenEnoughTracesWait) {
  HeldStore held(*base_);
  IngestCoalescer coalescer(held, /*max_in_flight=*/2, /*max_group=*/512, /*parallel_from=*/64);
  std::atomic<int> stored{0};
  auto count = [&](Result<std::vector<bool>> r) {
    if (r.ok()) stored += static_cast<int>(r->size());
  };
  std::thread first([&] { coalescer.Submit("p", "alice", Batch("s", 1), {}, count); });
  ASSERT_TRUE(held.WaitRunning(1));
  // 40 single traces and one batch of 20 wait: 60 traces, below 64, so each Submit only queues
  // and returns at once. A Submit that became a writer would be held: the bounded wait turns that
  // regression into a prompt failure rather than a long stall.
  auto queue_sixty = std::async(std::launch::async, [&] {
    for (int i = 0; i < 40; ++i) {
      coalescer.Submit("p", "alice", Batch("one" + std::to_string(i) + "-", 1), {}, count);
    }
    coalescer.Submit("p", "alice", Batch("b", 20), {}, count);
  });
  if (queue_sixty.wait_for(std::chrono::seconds(2)) != std::future_status::ready) {
    held.Release();
    queue_sixty.wait();
    first.join();
    FAIL() << "a Submit below parallel_from started a second writer";
  }
  EXPECT_EQ(held.most_running, 1);
  EXPECT_EQ(stored, 0);
  // Another 20 make 80 waiting: this caller starts the second writer, with everything waiting.
  std::thread second([&] { coalescer.Submit("p", "alice", Batch("c", 20), {}, count); });
  EXPECT_TRUE(held.WaitRunning(2));
  held.Release();
  first.join();
  second.join();
  EXPECT_EQ(stored, 1 + 40 + 20 + 20);
  EXPECT_EQ(held.most_running, 2);
  EXPECT_EQ(held.group_sizes, (std::vector<size_t>{1, 80}));
}

// A store call that throws (out of memory) fails its group's requests and leaves the queue
// usable: the next ingest of the same project and user is written, not left waiting.
TEST_F(IngestCoalescerTest, AThrowingWriteFailsItsGroupAndTheQueueGoesOn) {
  class ThrowingOnceStore : public test::ForwardingStore {
   public:
    using ForwardingStore::ForwardingStore;
    Result<std::vector<bool>> InsertTraces(const std::string& p, const std::string& u,
                                           const std::vector<NewTrace>& traces,
                                           const std::vector<ConversationContent>& c) override {
      if (!thrown.exchange(true)) throw std::bad_alloc();
      return ForwardingStore::InsertTraces(p, u, traces, c);
    }
    std::atomic<bool> thrown{false};
  } store(*base_);
  IngestCoalescer coalescer(store);
  auto failed = coalescer.Insert("p", "alice", MakeTrace("a"), {});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), Status::Code::kInternal);
  auto next = coalescer.Insert("p", "alice", MakeTrace("b"), {});
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_FALSE(*next);
}

}  // namespace
}  // namespace ats
