// Concurrency (issue 7, point 6): many clients writing the same keys at once. 32 clients ingest
// 2,000 distinct traces plus 200 re-sends (half identical, half different) in random order: each
// id is stored once, exactly one request per id is told "new", the stored record is the one that
// request sent, and the list total is 2,000. Concurrent syncs of the same conversations store
// one sent content whole, never a mix, and readers never see a mix either. Both again with two
// service processes sharing one PostgreSQL database.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "http/reliability_support.hpp"
#include "support/api_test_base.hpp"

namespace ats::test {
namespace {

using reliability::Bearer;
namespace json = boost::json;

constexpr int kClients = 32;
constexpr int kDistinct = 2000;
constexpr int kResent = 200;

// The services' logs, for failure messages.
std::string Logs(const std::vector<ServiceProcess*>& services) {
  std::string out;
  for (ServiceProcess* s : services) out += "\n--- service log:\n" + s->Log();
  return out;
}

// The trace race against the services on `ports` (clients take turns among them).
void RaceTraces(const std::vector<ServiceProcess*>& services, const std::string& token,
                const std::string& project) {
  std::vector<uint16_t> ports;
  for (ServiceProcess* s : services) ports.push_back(s->port());
  // Every id once with variant 0; every tenth id again, half with the same content (variant 0),
  // half with a different one (variant 1). Random order, so a re-send may arrive first.
  struct Send {
    int id;
    int variant;
  };
  std::vector<Send> sends;
  for (int i = 0; i < kDistinct; ++i) sends.push_back({i, 0});
  for (int i = 0; i < kResent; ++i) sends.push_back({i * (kDistinct / kResent), i % 2});
  std::shuffle(sends.begin(), sends.end(), std::mt19937(7));
  auto id_of = [](int i) { return "race-" + std::to_string(i); };

  std::mutex mu;
  std::vector<std::vector<int>> stored_variant(kDistinct);  // variants answered as new
  std::vector<std::string> failures;
  std::atomic<size_t> next{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      const uint16_t port = ports[static_cast<size_t>(c) % ports.size()];
      for (size_t k = next++; k < sends.size(); k = next++) {
        const Send s = sends[k];
        json::object body{{"project_id", project},
                          {"trace", reliability::TraceRecord(id_of(s.id), s.variant)}};
        HttpResult r = Request(port, "POST", "/api/v1/traces", json::serialize(body), Bearer(token));
        std::lock_guard lock(mu);
        if (r.status != 201) {
          failures.push_back(id_of(s.id) + ": " + std::to_string(r.status) + " " + r.body);
          continue;
        }
        json::value reply = r.Json();
        const json::value* duplicate = reply.as_object().if_contains("duplicate");
        if (duplicate == nullptr || !duplicate->as_bool()) stored_variant[s.id].push_back(s.variant);
      }
    });
  }
  for (auto& t : clients) t.join();
  ASSERT_TRUE(failures.empty()) << failures.size() << " failed, first: " << failures.front()
                                << Logs(services);

  // Exactly one "new" per id, and the stored record is the one that request sent; read through
  // every service.
  std::atomic<int> mismatches{0};
  std::string first_mismatch;
  next = 0;
  clients.clear();
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      const uint16_t port = ports[static_cast<size_t>(c) % ports.size()];
      for (size_t i = next++; i < static_cast<size_t>(kDistinct); i = next++) {
        std::string problem;
        if (stored_variant[i].size() != 1) {
          problem = id_of(static_cast<int>(i)) + " answered as new " +
                    std::to_string(stored_variant[i].size()) + " times";
        } else {
          HttpResult r = Request(port, "GET", "/api/v1/traces/" + id_of(static_cast<int>(i)) +
                                                  "?project_id=" + project, "", Bearer(token));
          json::value got = r.Json();
          if (r.status != 200 || !got.is_object() ||
              got.as_object().at("trace") !=
                  json::value(reliability::TraceRecord(id_of(static_cast<int>(i)), stored_variant[i][0]))) {
            problem = id_of(static_cast<int>(i)) + ": " + std::to_string(r.status) + " " +
                      r.body.substr(0, 200);
          }
        }
        if (problem.empty()) continue;
        std::lock_guard lock(mu);
        if (mismatches++ == 0) first_mismatch = problem;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(mismatches.load(), 0) << first_mismatch;

  for (uint16_t port : ports) {
    HttpResult list = Request(port, "GET", "/api/v1/traces?limit=1&project_id=" + project, "",
                              Bearer(token));
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(list.Json().at("total"), kDistinct);
    HttpResult stats = Request(port, "GET", "/api/v1/projects/" + project, "", Bearer(token));
    ASSERT_EQ(stats.status, 200) << stats.body;
    EXPECT_EQ(stats.Json().at("stats").at("trace_count"), kDistinct);
  }
}

// Writers sync the same two conversation urls at once, each request both urls (in either order)
// with contents of its own; readers read meanwhile. Every read and the final state is one sent
// content, whole; both urls end with the contents of one request.
void RaceConversations(const std::vector<ServiceProcess*>& services, const std::string& token,
                       const std::string& project) {
  std::vector<uint16_t> ports;
  for (ServiceProcess* s : services) ports.push_back(s->port());
  constexpr int kWriters = 16;
  constexpr int kRounds = 8;
  constexpr int kReaders = 4;
  const std::string urls[2] = {"file:///home/dev/.claude/projects/race/a.jsonl",
                               "file:///home/dev/.claude/projects/race/b.jsonl"};
  // The tag of a content names its writer, round and url: "w3-r5-u1".
  auto tag = [](int writer, int round, int url) {
    return "w" + std::to_string(writer) + "-r" + std::to_string(round) + "-u" + std::to_string(url);
  };
  // Sizes differ per writer, so that a content spliced from two would differ in length too.
  auto content = [&](int writer, int round, int url) {
    return reliability::ConversationText(tag(writer, round, url), 20000 + 3000 * writer);
  };
  std::set<std::string> sent[2];
  for (int w = 0; w < kWriters; ++w) {
    for (int r = 0; r < kRounds; ++r) {
      for (int u = 0; u < 2; ++u) sent[u].insert(content(w, r, u));
    }
  }

  std::mutex mu;
  std::vector<std::string> failures;
  std::atomic<bool> writing{true};
  std::atomic<int> reads{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      const uint16_t port = ports[static_cast<size_t>(w) % ports.size()];
      for (int r = 0; r < kRounds; ++r) {
        json::array list;
        for (int i = 0; i < 2; ++i) {
          const int u = (w + r + i) % 2;  // half the requests write b before a
          list.push_back(json::object{{"url", urls[u]}, {"content", content(w, r, u)}});
        }
        HttpResult reply = Request(
            port, "POST", "/api/v1/conversations/sync",
            json::serialize(json::object{{"project_id", project}, {"conversation_contents", list}}),
            Bearer(token));
        if (reply.status != 200) {
          std::lock_guard lock(mu);
          failures.push_back("sync: " + std::to_string(reply.status) + " " + reply.body);
        }
      }
    });
  }
  auto read = [&](uint16_t port, int u) -> std::optional<std::string> {
    HttpResult r = Request(port, "GET",
                           "/api/v1/conversations/content?project_id=" + project +
                               "&url=" + UrlEncode(urls[u]),
                           "", Bearer(token));
    if (r.status == 404) return std::nullopt;  // before the first write
    json::value got = r.Json();
    if (r.status != 200 || !got.is_object() || !got.as_object().at("content").is_string()) {
      return "unreadable: " + std::to_string(r.status) + " " + r.body.substr(0, 200);
    }
    return std::string(got.as_object().at("content").as_string());
  };
  std::vector<std::thread> readers;
  for (int k = 0; k < kReaders; ++k) {
    readers.emplace_back([&, k] {
      const uint16_t port = ports[static_cast<size_t>(k) % ports.size()];
      while (writing) {
        const int u = k % 2;
        std::optional<std::string> got = read(port, u);
        ++reads;
        if (got && sent[u].count(*got) == 0) {
          std::lock_guard lock(mu);
          failures.push_back("a reader saw a content nobody sent (" +
                             std::to_string(got->size()) + " bytes): " + got->substr(0, 80));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  writing = false;
  for (auto& t : readers) t.join();
  ASSERT_TRUE(failures.empty()) << failures.size() << " failures, first: " << failures.front()
                                << Logs(services);
  EXPECT_GT(reads.load(), 0);

  for (uint16_t port : ports) {
    std::optional<std::string> a = read(port, 0);
    std::optional<std::string> b = read(port, 1);
    ASSERT_TRUE(a && b);
    ASSERT_EQ(sent[0].count(*a), 1u) << "stored content is not one that was sent";
    ASSERT_EQ(sent[1].count(*b), 1u) << "stored content is not one that was sent";
    // Each request wrote both urls in one transaction, so the last one wrote both: the writer
    // and round named in a's first line are those in b's.
    auto request_of = [](const std::string& text) {
      const size_t start = text.find("\"tag\":\"") + 7;
      const std::string t = text.substr(start, text.find('"', start) - start);
      return t.substr(0, t.rfind("-u"));
    };
    EXPECT_EQ(request_of(*a), request_of(*b)) << "the two urls hold contents of different requests";
  }
}

class ConcurrencyTest : public ApiTestBase {};

TEST_P(ConcurrencyTest, DistinctTracesAndDuplicatesFrom32Clients) {
  RaceTraces({service_.get()}, token_, UniqueId("race"));
}

TEST_P(ConcurrencyTest, ConcurrentConversationUpsertsStoreOneWholeContent) {
  RaceConversations({service_.get()}, token_, UniqueId("conv-race"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ConcurrencyTest, ::testing::ValuesIn(TestBackends()));

// Two service processes on one PostgreSQL database: the same races, the clients split between
// them.
class ConcurrencyTwoServersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string url = DatabaseUrlFor("postgresql");
    ASSERT_FALSE(url.empty());
    for (auto& service : services_) {
      service = std::make_unique<ServiceProcess>(reliability::ServiceOn(url));
      ASSERT_TRUE(service->Start());
    }
    // A token minted through one process is known to the other: they share the database.
    token_ = services_[0]->MintToken("racer");
    ASSERT_FALSE(token_.empty());
  }

  std::unique_ptr<ServiceProcess> services_[2];
  std::string token_;
};

TEST_F(ConcurrencyTwoServersTest, DistinctTracesAndDuplicatesThroughTwoProcesses) {
  RaceTraces({services_[0].get(), services_[1].get()}, token_, UniqueId("race2"));
}

TEST_F(ConcurrencyTwoServersTest, ConversationUpsertsThroughTwoProcesses) {
  RaceConversations({services_[0].get(), services_[1].get()}, token_, UniqueId("conv-race2"));
}

}  // namespace
}  // namespace ats::test
