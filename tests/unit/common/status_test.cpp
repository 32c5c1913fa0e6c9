#include "common/status.hpp"

#include <gtest/gtest.h>

namespace ats {
namespace {

Status FailsWith(Status s) {
  ATS_RETURN_IF_ERROR(s);
  return Status::Internal("not propagated");
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, NamedConstructorsCarryCodeMessageAndDetails) {
  Status s = Status::InvalidArgument("bad", {{"/trace/id", "is required"}});
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "bad");
  ASSERT_EQ(s.details().size(), 1u);
  EXPECT_EQ(s.details()[0].path, "/trace/id");
  EXPECT_EQ(s.ToString(), "invalid_argument: bad");
  EXPECT_TRUE(Status::NotFound("x").IsNotFound());
  EXPECT_TRUE(Status::Unavailable("x").IsUnavailable());
  EXPECT_EQ(Status::TooLarge("x").code(), Status::Code::kTooLarge);
}

TEST(StatusTest, ReturnIfErrorPropagatesTheFirstError) {
  EXPECT_TRUE(FailsWith(Status::NotFound("gone")).IsNotFound());
  EXPECT_EQ(FailsWith(Status::Ok()).code(), Status::Code::kInternal);
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<int> good(42);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);
  Result<int> bad(Status::Unavailable("db down"));
  EXPECT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsUnavailable());
}

}  // namespace
}  // namespace ats
