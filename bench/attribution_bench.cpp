// Engine-only throughput of AI blame: segments scored per second for 100- and 2,000-segment
// files, with realistic evidence (about 10 candidate traces per segment: 3 linked, 1 at the
// parent revision, the rest from the time window; records with line_hashes like the real client
// sends). "Attribute" runs the engine on prepared evidence; "ParseAndAttribute" also parses the
// stored records and links, which a request pays without a trace cache; "CachedParseAndAttribute"
// takes the parsed records from a warm TraceViewCache, as the blame service does for records
// it has seen before. No storage, no HTTP.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include <boost/json/serialize.hpp>

#include "attribution/engine.hpp"
#include "attribution/evidence.hpp"
#include "attribution/trace_cache.hpp"
#include "model/records.hpp"

namespace {
namespace json = boost::json;
using namespace ats;
using namespace ats::attribution;

constexpr int kLinesPerSegment = 12;
constexpr int kSegmentsPerCommit = 5;
constexpr int kLinkedPerCommit = 3;
constexpr int kWindowPerCommit = 6;
const char* kFile = "src/services/billing/invoice.py";

std::string Hex(uint64_t v, int width) {
  static const char* kDigits = "0123456789abcdef";
  std::string s(width, '0');
  for (int i = width - 1; i >= 0; --i, v >>= 4) s[i] = kDigits[v & 15];
  return s;
}

std::string Sha(uint64_t i) { return Hex(i * 0x9E3779B97F4A7C15ull, 16) + Hex(i, 24); }

std::string TimeOf(int commit) {
  // One commit every 26 hours, so that a segment's time window holds its own commit's traces.
  const UnixMicros t = *ParseTimestamp("2026-03-01T00:00:00Z") + commit * 26LL * 3600 * 1000000;
  return FormatTimestamp(t);
}

json::value Record(const std::string& id, const std::string& timestamp, const std::string& revision,
                   int start, int end, uint64_t hash_seed) {
  json::array line_hashes;
  for (int k = 0; k <= end - start; ++k) {
    line_hashes.push_back({{"line_offset", k}, {"hash", "sha256:" + Hex(hash_seed * 31 + k, 16)}});
  }
  json::object range{{"start_line", start}, {"end_line", end},
                     {"content_hash", "sha256:" + Hex(hash_seed, 16)}, {"line_hashes", line_hashes}};
  json::object conversation{{"url", "file://$HOME/.claude/projects/repo/" + id + ".jsonl"},
                            {"contributor", {{"type", "ai"}, {"model_id", "anthropic/claude-sonnet-4-5"}}},
                            {"ranges", json::array{range}}};
  return json::object{
      {"version", "1.0"}, {"id", id}, {"timestamp", timestamp},
      {"vcs", {{"type", "git"}, {"revision", revision}}}, {"tool", {{"name", "claude-code"}}},
      {"files", json::array{json::object{{"path", kFile}, {"conversations", json::array{conversation}}},
                            json::object{{"path", "tests/test_invoice.py"},
                                         {"conversations", json::array{conversation}}}}},
      {"metadata", {{"session_id", "s-" + id}, {"tool_name", "Edit"}, {"edit_sequence", 3}}}};
}

struct Workload {
  std::vector<Segment> segments;
  std::vector<StoredTrace> traces;
  std::vector<CommitLink> links;
};

Workload MakeWorkload(int segment_count, bool ledgers) {
  Workload w;
  const int commits = (segment_count + kSegmentsPerCommit - 1) / kSegmentsPerCommit;
  for (int c = 0; c < commits; ++c) {
    const std::string commit = Sha(c + 1), parent = Sha(c + 100001), when = TimeOf(c);
    const int first_line = c * kSegmentsPerCommit * kLinesPerSegment + 1;
    const int last_line = first_line + kSegmentsPerCommit * kLinesPerSegment - 1;
    CommitLink link;
    link.commit_sha = commit;
    link.parent_sha = parent;
    auto add = [&](const std::string& id, const std::string& revision, int start, int end) {
      StoredTrace t;
      t.trace_id = id;
      t.timestamp = *ParseTimestamp(when) - 600LL * 1000000;
      t.record_json = json::serialize(Record(id, FormatTimestamp(t.timestamp), revision, start, end,
                                             static_cast<uint64_t>(start)));
      w.traces.push_back(std::move(t));
    };
    for (int k = 0; k < kLinkedPerCommit; ++k) {
      const std::string id = "linked-" + std::to_string(c) + "-" + std::to_string(k);
      link.trace_ids.push_back(id);
      add(id, parent, first_line + k * 20, first_line + k * 20 + 19);
    }
    add("parent-" + std::to_string(c), parent, first_line, last_line);
    for (int k = 0; k < kWindowPerCommit; ++k) {
      add("window-" + std::to_string(c) + "-" + std::to_string(k), Sha(c + 200001),
          first_line + k * 9, first_line + k * 9 + 15);
    }
    if (ledgers) {
      json::array runs;
      for (int line = first_line; line <= last_line; line += 10) {
        runs.push_back({{"start_line", line}, {"end_line", std::min(line + 9, last_line)},
                        {"type", line % 20 == 1 ? "ai" : "mixed"}, {"trace_id", link.trace_ids[0]},
                        {"model_id", "anthropic/claude-sonnet-4-5"}, {"conversation_url", "file://x"}});
      }
      json::object ledger{{"version", "1.0"}, {"trace_ids", json::array{link.trace_ids[0]}},
                          {"files", {{kFile, {{"line_attributions", runs}}}}}};
      link.ledger_json = json::serialize(ledger);
    }
    w.links.push_back(std::move(link));
    for (int s = 0; s < kSegmentsPerCommit && static_cast<int>(w.segments.size()) < segment_count; ++s) {
      Segment seg;
      seg.start_line = first_line + s * kLinesPerSegment;
      seg.end_line = seg.start_line + kLinesPerSegment - 1;
      seg.commit_sha = commit;
      seg.parent_sha = parent;
      seg.content_hash = "sha256:" + Hex(static_cast<uint64_t>(seg.start_line), 16);
      seg.timestamp = ParseTimestamp(when);
      w.segments.push_back(std::move(seg));
    }
  }
  return w;
}

Evidence BuildEvidence(const Workload& w) {
  Evidence evidence(kFile);
  for (const CommitLink& link : w.links) evidence.AddCommitLink(link);
  for (const StoredTrace& t : w.traces) evidence.AddTrace(t);
  return evidence;
}

void BM_Attribute(benchmark::State& state) {
  const Workload w = MakeWorkload(static_cast<int>(state.range(0)), state.range(1) != 0);
  const Evidence evidence = BuildEvidence(w);
  size_t entries = 0;
  for (auto _ : state) {
    std::vector<Attribution> out = Attribute(w.segments, evidence);
    entries = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(w.segments.size()));
  state.counters["entries"] = static_cast<double>(entries);
  state.counters["traces"] = static_cast<double>(w.traces.size());
}

void BM_ParseAndAttribute(benchmark::State& state) {
  const Workload w = MakeWorkload(static_cast<int>(state.range(0)), state.range(1) != 0);
  for (auto _ : state) {
    const Evidence evidence = BuildEvidence(w);
    std::vector<Attribution> out = Attribute(w.segments, evidence);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(w.segments.size()));
}

void BM_CachedParseAndAttribute(benchmark::State& state) {
  const Workload w = MakeWorkload(static_cast<int>(state.range(0)), state.range(1) != 0);
  TraceViewCache cache(64u << 20);
  auto get = [&](const StoredTrace& t) {
    return cache.Get("bench", t.trace_id, t.record_json, t.timestamp);
  };
  for (const StoredTrace& t : w.traces) get(t);
  for (auto _ : state) {
    Evidence evidence(kFile);
    for (const CommitLink& link : w.links) evidence.AddCommitLink(link);
    for (const StoredTrace& t : w.traces) evidence.AddTrace(get(t));
    std::vector<Attribution> out = Attribute(w.segments, evidence);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(w.segments.size()));
}

// Args: {segments, ledgers}. items_per_second = segments scored per second.
BENCHMARK(BM_Attribute)->ArgNames({"segments", "ledgers"})->Args({100, 0})->Args({2000, 0})
    ->Args({100, 1})->Args({2000, 1})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ParseAndAttribute)->ArgNames({"segments", "ledgers"})->Args({100, 0})
    ->Args({2000, 0})->Args({2000, 1})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CachedParseAndAttribute)->ArgNames({"segments", "ledgers"})->Args({100, 0})
    ->Args({2000, 0})->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
