#include "http/api.hpp"

namespace ats::http {

Router BuildRouter(ApiContext& context) {
  Router router;
  RegisterIndexRoutes(router, context);
  RegisterTokenRoutes(router, context);
  RegisterProjectRoutes(router, context);
  RegisterTraceRoutes(router, context);
  RegisterCommitLinkRoutes(router, context);
  RegisterBlameRoutes(router, context);
  RegisterConversationRoutes(router, context);
  return router;
}

}  // namespace ats::http
