// Writing a transcript into a JSON response (GET /api/v1/conversations/content): AppendJsonString
// over a ~100 KB JSONL transcript shaped like the client's (a JSON object per turn, each turn's
// text with newlines and code), reported in bytes of transcript per second.
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "common/json_string.hpp"

namespace {
namespace json = boost::json;

std::string Transcript(size_t size) {
  static const char* kWords[] = {"parser", "token", "the", "returns", "index", "value", "cache",
                                 "request", "a", "to", "of", "handler", "fix", "test", "range"};
  std::mt19937 rng(1);
  std::string out;
  for (int turn = 0; out.size() < size; ++turn) {
    std::string text;
    for (int w = 0, n = 8 + static_cast<int>(rng() % 32); w < n; ++w) {
      if (w) text += ' ';
      text += kWords[rng() % 15];
    }
    if (turn % 2 == 1) {
      text += "\n```\n";
      for (int l = 0, n = 3 + static_cast<int>(rng() % 22); l < n; ++l) {
        text += "    if (value == \"" + std::string(kWords[rng() % 15]) + "\") return index;\n";
      }
      text += "```";
    }
    json::object record{{"type", turn % 2 ? "assistant" : "user"},
                        {"sessionId", "7d710238-7ed3-4105-8e0b-4ecf4ecaa442"},
                        {"timestamp", "2026-02-11T10:02:47.551Z"},
                        {"message", {{"role", turn % 2 ? "assistant" : "user"}, {"content", text}}}};
    out += json::serialize(record);
    out += '\n';
  }
  return out;
}

void BM_AppendJsonString(benchmark::State& state) {
  const std::string transcript = Transcript(100 * 1024);
  for (auto _ : state) {
    std::string body = "{\"content\":";
    ats::AppendJsonString(body, transcript);
    body += '}';
    benchmark::DoNotOptimize(body.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * transcript.size()));
}
BENCHMARK(BM_AppendJsonString);

}  // namespace

BENCHMARK_MAIN();
