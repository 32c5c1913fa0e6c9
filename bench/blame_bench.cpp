// The blame service's own CPU per request, without a database or HTTP: BlameService::Blame over an
// in-memory store shaped like the load kit's standard dataset (each segment its own commit, linked
// to 3 traces at the commit's parent revision, 10 traces per revision of which one edits the
// blamed file, records of the real client's shape), plus parsing the request body and serialising
// the response as the HTTP handler does. "heur" commits carry no ledger; "ledger" commits carry
// one covering the file. "warm" keeps the service's parsed-record cache across requests (the
// steady state); "cold" disables it. requests/s here is per core; the store's share is small
// (it copies what a backend's row reading would).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "attribution/matching.hpp"
#include "service/blame_service.hpp"
#include "storage/store.hpp"
// Header-only, shared with the unit tests' fake store.
#include "../tests/unit/attribution/blame_only_store.hpp"

namespace {
namespace json = boost::json;
using namespace ats;

constexpr int kTracesPerRevision = 10;
constexpr int kLinkedPerCommit = 3;
constexpr int kLinesPerSegment = 12;
const char* kFile = "src/core/engine_h0.py";
const char* kProject = "bench";

std::string Hex(uint64_t v, int width) {
  static const char* kDigits = "0123456789abcdef";
  std::string s(static_cast<size_t>(width), '0');
  for (int i = width - 1; i >= 0; --i, v >>= 4) s[static_cast<size_t>(i)] = kDigits[v & 15];
  return s;
}
std::string Sha(uint64_t i) { return Hex(i * 0x9E3779B97F4A7C15ull, 16) + Hex(i, 24); }
std::string Uuid(uint64_t i) {
  const std::string h = Hex(i * 0xD1B54A32D192ED03ull, 16) + Hex(i, 16);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

// A trace record of the client's shape: one file entry, one conversation, one range with a
// content hash and per-line hashes.
std::string Record(const std::string& id, UnixMicros ts, const std::string& revision,
                   const std::string& path, int start, int end, const std::string& hash) {
  json::array line_hashes;
  for (int k = 0; k <= end - start; ++k) {
    line_hashes.push_back({{"line_offset", k}, {"hash", "sha256:" + Hex(std::hash<std::string>{}(id) + k, 16)}});
  }
  json::object range{{"start_line", start}, {"end_line", end}, {"content_hash", hash},
                     {"line_hashes", line_hashes}};
  json::object conversation{
      {"url", "file:///home/u/.claude/projects/-home-u-src-bench/" + id + ".jsonl"},
      {"contributor", {{"type", "ai"}, {"model_id", "anthropic/claude-sonnet-4"}}},
      {"ranges", json::array{range}}};
  return json::serialize(json::object{
      {"version", "1.0"}, {"id", id}, {"timestamp", FormatTimestamp(ts)},
      {"tool", {{"name", "claude-code"}, {"version", "2.0.22"}}},
      {"files", json::array{json::object{{"path", path}, {"conversations", json::array{conversation}}}}},
      {"vcs", {{"type", "git"}, {"revision", revision}}},
      {"metadata", {{"session_id", "s-" + id}, {"tool_name", "Write"}, {"edit_sequence", 1}}}});
}

// Just the reads blame makes, answered from memory.
class MemoryBlameStore final : public attribution::testing::BlameOnlyStore {
 public:
  struct Trace {
    StoredTrace stored;
    std::string revision;
    std::string path;
  };
  std::vector<Trace> traces;
  std::unordered_map<std::string, size_t> by_id;
  std::unordered_map<std::string, std::vector<size_t>> by_revision;
  std::unordered_map<std::string, CommitLink> links;
  std::unordered_map<std::string, std::string> summaries;

  void Add(Trace t) {
    by_id[t.stored.trace_id] = traces.size();
    by_revision[t.revision].push_back(traces.size());
    traces.push_back(std::move(t));
  }

  Result<std::vector<CommitLink>> GetCommitLinks(const std::string&,
                                                 const std::vector<std::string>& shas) override {
    std::vector<CommitLink> out;
    for (const std::string& sha : shas) {
      auto it = links.find(sha);
      if (it != links.end()) out.push_back(it->second);
    }
    return out;
  }
  Result<BlameCandidates> GetBlameCandidates(const std::string&,
                                             const std::vector<std::string>& trace_ids,
                                             const std::vector<std::string>& revisions,
                                             const std::string& file_path) override {
    BlameCandidates out;
    std::set<size_t> picked;
    for (const std::string& id : trace_ids) {
      auto it = by_id.find(id);
      if (it != by_id.end()) picked.insert(it->second);
    }
    for (const std::string& r : revisions) {
      auto it = by_revision.find(r);
      if (it == by_revision.end()) continue;
      out.revision_counts.emplace_back(r, static_cast<int64_t>(it->second.size()));
      for (size_t i : it->second) {
        if (attribution::PathMatches(traces[i].path, file_path)) picked.insert(i);
      }
    }
    for (size_t i : picked) {
      const Trace& t = traces[i];
      out.traces.push_back({t.stored.trace_id, t.revision, t.stored.timestamp,
                            t.stored.record_json, t.stored.user_id});
    }
    return out;
  }
  Result<std::vector<StoredTrace>> GetTracesTouchingFile(
      const std::string&, const std::string& file_path,
      const std::vector<TimeWindow>& windows) override {
    std::vector<StoredTrace> out;
    for (const Trace& t : traces) {
      if (!attribution::PathMatches(t.path, file_path)) continue;
      for (const TimeWindow& w : windows) {
        if (w.from <= t.stored.timestamp && t.stored.timestamp <= w.to) {
          out.push_back(t.stored);
          break;
        }
      }
    }
    return out;
  }
  Result<std::unordered_map<std::string, std::string>> GetConversationSummaries(
      const std::string&, const std::vector<std::string>& urls) override {
    std::unordered_map<std::string, std::string> out;
    for (const std::string& u : urls) {
      auto it = summaries.find(u);
      if (it != summaries.end()) out.emplace(u, it->second);
    }
    return out;
  }

  Result<std::vector<StoredTrace>> GetTracesByIds(const std::string&,
                                                  const std::vector<std::string>&) override {
    return Unused();
  }
  Result<std::vector<StoredTrace>> GetTracesByRevisions(const std::string&,
                                                        const std::vector<std::string>&) override {
    return Unused();
  }
};

struct Workload {
  MemoryBlameStore store;
  std::string body;  // the request as sent
};

// `segments` segments, one commit each; ledgers cover every line of their segment.
void Build(Workload& w, int segments, bool ledgers) {
  const UnixMicros t0 = *ParseTimestamp("2025-09-01T00:00:00Z");
  json::array blame_data;
  uint64_t next_trace = 1;
  for (int c = 0; c < segments; ++c) {
    const std::string commit = Sha(static_cast<uint64_t>(c) + 1);
    const std::string parent = Sha(static_cast<uint64_t>(c) + 1000001);
    const UnixMicros when = t0 + c * 26LL * 3600 * 1000000;
    const int start = c * kLinesPerSegment + 1;
    const int end = start + kLinesPerSegment - 1;
    const std::string hash = "sha256:" + Hex(static_cast<uint64_t>(c) * 7919 + 1, 16);
    CommitLink link;
    link.commit_sha = commit;
    link.parent_sha = parent;
    for (int k = 0; k < kTracesPerRevision; ++k) {
      const std::string id = Uuid(next_trace++);
      const bool on_file = k == 0;
      const UnixMicros ts = when - (k + 1) * 600LL * 1000000;
      MemoryBlameStore::Trace t;
      t.path = on_file ? kFile : "src/other/file_" + std::to_string(k) + ".py";
      t.revision = parent;
      t.stored = {id, Record(id, ts, parent, t.path, start, end, on_file ? hash : "sha256:0"), "u", ts};
      w.store.Add(std::move(t));
      if (k < kLinkedPerCommit) link.trace_ids.push_back(id);
      if (on_file) {
        w.store.summaries["file:///home/u/.claude/projects/-home-u-src-bench/" + id + ".jsonl"] =
            std::string(200, 'x') + "...";
      }
    }
    if (ledgers) {
      json::array runs{json::object{{"start_line", start}, {"end_line", end}, {"type", "ai"},
                                    {"trace_id", link.trace_ids[0]},
                                    {"model_id", "anthropic/claude-sonnet-4"},
                                    {"conversation_url", "file:///home/u/.claude/projects/-home-u-src-bench/" +
                                                             link.trace_ids[0] + ".jsonl"}}};
      link.ledger_json = json::serialize(json::object{
          {"version", "1.0"}, {"commit_sha", commit}, {"parent_sha", parent},
          {"trace_ids", json::array{link.trace_ids[0]}},
          {"files", {{kFile, {{"line_attributions", runs}}}}}});
    }
    w.store.links[commit] = std::move(link);
    blame_data.push_back({{"start_line", start}, {"end_line", end}, {"commit_sha", commit},
                          {"parent_sha", parent}, {"content_hash", hash},
                          {"timestamp", FormatTimestamp(when)}});
  }
  w.body = json::serialize(
      json::object{{"project_id", kProject}, {"file_path", kFile}, {"blame_data", blame_data}});
}

// One request as the handler runs it: parse the body, blame, serialise the answer.
void BM_Blame(benchmark::State& state) {
  Workload w;
  Build(w, static_cast<int>(state.range(0)), state.range(1) != 0);
  BlameServiceOptions options;
  if (state.range(2) == 0) options.trace_cache_bytes = 0;
  BlameService service(w.store, options);
  size_t bytes = 0;
  for (auto _ : state) {
    json::value body = json::parse(w.body);
    Result<json::value> r = service.Blame(body);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
    std::string out = json::serialize(*r);
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["response_bytes"] = static_cast<double>(bytes);
  state.SetItemsProcessed(state.iterations());  // requests
}

// Args: {segments, ledgers, warm cache}.
BENCHMARK(BM_Blame)->ArgNames({"segments", "ledgers", "warm"})
    ->Args({100, 0, 1})->Args({100, 1, 1})->Args({100, 0, 0})->Args({2000, 0, 1})
    ->Args({2000, 1, 1})->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
