#include "app/services.hpp"

namespace ats::app {
namespace {

BlameServiceOptions BlameOptions(VersionedCache& answers) {
  BlameServiceOptions options;
  options.answer_cache = &answers;
  return options;
}

}  // namespace

Services::Services(Store& store, const Config& config)
    : limits(config.limits),
      answers(static_cast<size_t>(config.answer_cache_mb) << 20),
      stored_traces(static_cast<size_t>(config.trace_cache_mb) << 20),
      conversation_answers(static_cast<size_t>(config.conversation_cache_mb) << 20),
      tokens(store),
      rate_limiter(config.rate_limit_per_second, config.rate_limit_burst > 0
                                                     ? config.rate_limit_burst
                                                     : 2 * config.rate_limit_per_second),
      access(store),
      traces(store, access, limits, &answers, &stored_traces),
      projects(store, access),
      commit_links(store, access, limits),
      conversations(store, access, limits, &conversation_answers),
      blame(store, access, BlameOptions(answers)),
      health(store),
      context{tokens,
              rate_limiter,
              access,
              traces,
              projects,
              commit_links,
              conversations,
              blame,
              health,
              IsDevelopmentSecret(config.auth_secret),
              ATS_VERSION,
              config.max_json_depth} {}

}  // namespace ats::app
