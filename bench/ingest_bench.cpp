// The ingest path below HTTP. "Prepare" is what a request pays before storage: parsing the body,
// validating every record and extracting its index values, for one ~2 KB record (POST
// /api/v1/traces) and for a batch of 50 (POST /api/v1/traces/batch). "SqliteInsert" stores
// prepared records with fresh ids in a SQLite file (WAL, synchronous=NORMAL as the service runs
// it): one record per transaction, and 50 per transaction. No HTTP, no authentication.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "model/records.hpp"
#include "spec/trace_record.hpp"
#include "storage/store.hpp"

namespace {
namespace json = boost::json;
using namespace ats;

// A record shaped like the client's edit records: two files, two ranges each, with the range's
// content hash and one hash per line.
std::string RecordJson(int n) {
  char hex[32];
  auto hash = [&](unsigned v) {
    std::snprintf(hex, sizeof hex, "sha256:%08x%08x", v * 2654435761u, v ^ 0x5bd1e995u);
    return std::string(hex);
  };
  std::string ranges[2];
  for (int f = 0; f < 2; ++f) {
    for (int r = 0; r < 2; ++r) {
      const int start = 10 + 30 * r, lines = 6;
      std::string line_hashes;
      for (int k = 0; k < lines; ++k) {
        if (k) line_hashes += ',';
        line_hashes += R"({"line_offset":)" + std::to_string(k) + R"(,"hash":")" +
                       hash(n * 1000 + f * 100 + r * 20 + k) + "\"}";
      }
      if (r) ranges[f] += ',';
      ranges[f] += R"({"start_line":)" + std::to_string(start) + R"(,"end_line":)" +
                   std::to_string(start + lines - 1) + R"(,"content_hash":")" + hash(n + f + r) +
                   R"(","line_hashes":[)" + line_hashes + "]}";
    }
  }
  const std::string conversation =
      R"("url":"file:///home/dev/.claude/projects/-home-dev-app/4f1c2d3e-0000-4000-8000-00000000002a.jsonl",)"
      R"("contributor":{"type":"ai","model_id":"anthropic/claude-sonnet-4-5"})";
  char id[40];
  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012x", n);
  return std::string(R"({"version":"1.0","id":")") + id +
         R"(","timestamp":"2026-03-02T10:15:42.123456+00:00",)"
         R"("vcs":{"type":"git","revision":"9fceb02d0ae598e95dc970b74767f19372d61af8"},)"
         R"("tool":{"name":"claude-code"},"files":[)"
         R"({"path":"src/billing/invoice.py","conversations":[{)" + conversation +
         R"(,"ranges":[)" + ranges[0] + "]}]},"
         R"({"path":"tests/test_invoice.py","conversations":[{)" + conversation +
         R"(,"ranges":[)" + ranges[1] + "]}]}],"
         R"("metadata":{"session_id":"4f1c2d3e-0000-4000-8000-00000000002a","tool_name":"Edit",)"
         R"("tool_use_id":"toolu_01abcdef","edit_sequence":)" + std::to_string(n) + "}}";
}

std::string SingleBody() { return R"({"project_id":"bench","trace":)" + RecordJson(1) + "}"; }

std::string BatchBody(int items) {
  std::string body = R"({"project_id":"bench","items":[)";
  for (int i = 0; i < items; ++i) body += (i ? "," : "") + std::string(R"({"trace":)") + RecordJson(i) + "}";
  return body + "]}";
}

NewTrace Prepare(const json::value& record, const char* path) {
  if (!spec::ValidateTraceRecord(record, path).empty()) std::abort();
  return spec::MakeNewTrace(record.as_object(), "");
}

void PrepareOne(benchmark::State& state) {
  const std::string body = SingleBody();
  for (auto _ : state) {
    json::value parsed = json::parse(body);
    NewTrace trace = Prepare(parsed.at("trace"), "/trace");
    benchmark::DoNotOptimize(trace);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * body.size());
  state.counters["body_bytes"] = double(body.size());
}
BENCHMARK(PrepareOne);

void PrepareBatch(benchmark::State& state) {
  const std::string body = BatchBody(int(state.range(0)));
  for (auto _ : state) {
    json::value parsed = json::parse(body);
    std::vector<NewTrace> traces;
    for (const json::value& item : parsed.at("items").as_array()) {
      traces.push_back(Prepare(item.at("trace"), "/items/0/trace"));
    }
    benchmark::DoNotOptimize(traces);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * state.range(0));
  state.SetBytesProcessed(int64_t(state.iterations()) * body.size());
}
BENCHMARK(PrepareBatch)->Arg(50);

// A SQLite store in a scratch folder, removed when the benchmark ends.
class ScratchSqlite {
 public:
  ScratchSqlite() {
    char pattern[] = "/tmp/ats-ingest-bench.XXXXXX";
    if (!mkdtemp(pattern)) std::abort();
    dir_ = pattern;
    StoreOptions options;
    options.database_url = "sqlite:///" + (dir_ / "bench.db").string();
    auto store = OpenStore(options);
    if (!store.ok() || !(*store)->Migrate().ok()) std::abort();
    store_ = std::move(*store);
  }
  ~ScratchSqlite() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  Store& store() { return *store_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

void SqliteInsert(benchmark::State& state) {
  const int per_transaction = int(state.range(0));
  ScratchSqlite db;
  const json::value prototype = json::parse(RecordJson(7));
  const NewTrace base = Prepare(prototype, "/trace");
  int next_id = 0;
  std::vector<NewTrace> traces(per_transaction, base);
  for (auto _ : state) {
    for (NewTrace& t : traces) t.trace_id = "trace-" + std::to_string(++next_id);
    auto inserted = db.store().InsertTraces("bench", "bench", traces, {});
    if (!inserted.ok()) {
      state.SkipWithError("insert failed");
      break;
    }
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * per_transaction);
}
BENCHMARK(SqliteInsert)->Arg(1)->Arg(50)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
