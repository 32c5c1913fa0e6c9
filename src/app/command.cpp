#include "app/command.hpp"

#include <algorithm>
#include <iostream>

namespace ats::app {

std::string Args::Get(const std::string& name, const std::string& fallback) const {
  auto it = options.find(name);
  return it == options.end() ? fallback : it->second;
}

Result<Args> ParseArgs(const std::vector<std::string>& argv,
                       const std::vector<std::string>& boolean_flags) {
  Args args;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.rfind("--", 0) != 0 || a == "--") {
      args.positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    size_t eq = name.find('=');
    if (eq != std::string::npos) {
      args.options[name.substr(0, eq)] = name.substr(eq + 1);
    } else if (name == "help" ||
               std::find(boolean_flags.begin(), boolean_flags.end(), name) != boolean_flags.end()) {
      args.options[name] = "";
    } else if (i + 1 < argv.size()) {
      args.options[name] = argv[++i];
    } else {
      return Status::InvalidArgument("--" + name + " needs a value");
    }
  }
  return args;
}

Result<Config> LoadConfig(const Args& args) {
  Config config;
  Environment env = MergedEnvironment(ReadDotEnv(".env"));
  ATS_RETURN_IF_ERROR(ApplyEnvironment(env, config));
  if (args.Has("database-url")) config.database_url = args.Get("database-url");
  if (args.Has("host")) config.host = args.Get("host");
  if (args.Has("port")) {
    Environment flag_env{{"PORT", args.Get("port")}};
    Config probe;
    Status s = ApplyEnvironment(flag_env, probe);
    if (!s.ok()) return Status::InvalidArgument("--port must be an integer between 0 and 65535");
    config.port = probe.port;
  }
  if (args.Has("workers")) {
    Environment flag_env{{"WORKER_THREADS", args.Get("workers")}};
    Config probe;
    if (!ApplyEnvironment(flag_env, probe).ok()) {
      return Status::InvalidArgument("--workers must be an integer between 1 and 1024");
    }
    config.worker_threads = probe.worker_threads;
  }
  ATS_RETURN_IF_ERROR(ValidateConfig(config));
  return config;
}

Result<std::unique_ptr<Store>> OpenConfiguredStore(const Config& config) {
  StoreOptions options;
  options.database_url = config.database_url;
  options.sqlite_synchronous_full = config.sqlite_synchronous_full;
  options.pg_pool_size = config.pg_pool_size;
  options.timeout_seconds = config.db_timeout_seconds;
  return OpenStore(options);
}

int Fail(const std::string& message, int code) {
  std::cerr << "agent-trace-service: " << message << "\n";
  return code;
}

}  // namespace ats::app
