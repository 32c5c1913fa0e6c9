// `agent-trace-service serve`: wires storage, services and the HTTP server together.
#include <malloc.h>

#include <iostream>

#include "app/command.hpp"
#include "app/memory_trimmer.hpp"
#include "app/services.hpp"
#include "http/api.hpp"
#include "http/handler_support.hpp"
#include "http/responses.hpp"
#include "http/server.hpp"

namespace ats::app {
namespace {

constexpr const char* kHelp = R"(usage: agent-trace-service serve [options]

  --host ADDR          bind address (default 127.0.0.1; HOST)
  --port N             port (default 8080; PORT; 0 = any free port)
  --database-url URL   sqlite:///data/agent-trace.db (default) or postgresql://... (DATABASE_URL)
  --workers N          handler threads (default 32; WORKER_THREADS)

Pending migrations are applied at start. SIGTERM/SIGINT stop accepting connections, finish the
requests in flight and exit 0.
)";

}  // namespace

int RunServe(const std::vector<std::string>& argv) {
  auto args = ParseArgs(argv, {});
  if (!args.ok()) return Fail(args.status().message(), 2);
  if (args->Has("help")) {
    std::cout << kHelp;
    return 0;
  }
  auto config = LoadConfig(*args);
  if (!config.ok()) return Fail(config.status().message());

  // glibc gives each of the many worker threads its own malloc arena, and memory freed in one
  // arena is not reused by the others: with dozens of handler threads that alone doubled the
  // resident size under load. Two arenas keep contention low on these core counts.
  mallopt(M_ARENA_MAX, 2);
  // Transcripts and their responses (50-200 KB, several per request) are above glibc's first
  // mmap threshold and its trim threshold, so each one was a fresh mapping or freshly returned
  // pages: a page fault and a zeroed page for every 4 KB, a fifth of a transcript read's CPU.
  // Blocks below 8 MB now come from the arenas and stay mapped; the memory trimmer still returns
  // free pages every few seconds, which bounds what this keeps.
  mallopt(M_MMAP_THRESHOLD, 8 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);

  auto store = OpenConfiguredStore(*config);
  if (!store.ok()) return Fail(store.status().message());
  auto migrated = (*store)->Migrate();
  if (!migrated.ok()) return Fail("migration failed: " + migrated.status().message());

  if (IsDevelopmentSecret(config->auth_secret)) {
    std::cerr << "WARNING: development mode (no AUTH_SECRET): anyone who can reach this port can "
                 "mint tokens. Serving loopback only. Set AUTH_SECRET for production.\n";
  }

  Services services(**store, *config);
  http::Router router = http::BuildRouter(services.context);

  http::ServerOptions options;
  options.host = config->host;
  options.port = static_cast<uint16_t>(config->port);
  options.io_threads = config->io_threads;
  options.worker_threads = config->worker_threads;
  options.body_limit = config->body_limit_bytes;
  options.header_limit = config->header_limit_bytes;
  options.max_connections = config->max_connections;
  options.access_log = config->access_log;
  http::Server server(options, [&router](http::Request& request, http::Responder respond) {
    if (Status s = http::CheckRequestText(request); !s.ok()) {
      respond(http::ErrorResponse(s, request));
      return;
    }
    router.Dispatch(request, std::move(respond));
  });
  if (std::string error = server.Listen(); !error.empty()) {
    return Fail("cannot listen on " + config->host + ":" + std::to_string(config->port) + ": " +
                error);
  }
  std::string backend = config->database_url.rfind("sqlite:", 0) == 0 ? "sqlite" : "postgresql";
  std::cerr << "agent-trace-service " << ATS_VERSION << " listening on http://" << config->host
            << ":" << server.port() << " (" << backend << ", " << *migrated
            << " migrations applied)" << std::endl;
  {
    MemoryTrimmer trimmer(std::chrono::seconds(10));
    server.Run();
  }
  std::cerr << "agent-trace-service stopped" << std::endl;
  return 0;
}

}  // namespace ats::app
