#include "http/responses.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace ats::http {
namespace {

TEST(ErrorResponseTest, HidesInternalDetailsAndAddsRetryAfterOn503) {
  Request request;
  request.request_id = "r1";
  Response internal = ErrorResponse(Status::Internal("SELECT * FROM traces failed at /src/x.cpp"), request);
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.body.find("SELECT"), std::string::npos);
  Response unavailable = ErrorResponse(Status::Unavailable("connection refused"), request);
  EXPECT_EQ(unavailable.status, 503);
  bool has_retry_after = false;
  for (const auto& [k, v] : unavailable.headers) has_retry_after |= k == "Retry-After";
  EXPECT_TRUE(has_retry_after);
  Response invalid = ErrorResponse(Status::InvalidArgument("bad", {{"/a", "why"}}), request);
  EXPECT_EQ(invalid.status, 400);
  boost::json::value body = boost::json::parse(invalid.body);
  EXPECT_EQ(body.at("error"), "bad");
  EXPECT_EQ(body.at("code"), "invalid_argument");
  EXPECT_EQ(body.at("details").as_array()[0].at("path"), "/a");
  EXPECT_EQ(ErrorResponse(Status::NotFound("x"), request).status, 404);
  EXPECT_EQ(ErrorResponse(Status::TooLarge("x"), request).status, 413);
  EXPECT_EQ(ErrorResponse(Status::RateLimited("x"), request).status, 429);
  EXPECT_EQ(ErrorResponse(Status::PermissionDenied("x"), request).status, 403);
  EXPECT_EQ(ErrorResponse(Status::Unauthenticated("x"), request).status, 401);
}

}  // namespace
}  // namespace ats::http
