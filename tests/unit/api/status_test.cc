// What ToGrpcStatus lets a caller read: our own messages, never the
// driver's; fixed, findable messages for the failures that carry trailers.
#include "api/status.h"

#include <gtest/gtest.h>

namespace survey::api {
namespace {

// What StatusFromSqlException and the connection pool make.
constexpr char kDriverText[] =
    "database unreachable at mysql://survey:***@127.0.0.1:41234/survey?socket="
    "/tmp/x/mysqld.sock: Can't connect to local server (error 2002)";

TEST(StatusTest, DatabaseFailuresBecomeFixedRetryableMessages) {
  grpc::Status down = ToGrpcStatus(absl::UnavailableError(kDriverText));
  EXPECT_EQ(down.error_code(), grpc::UNAVAILABLE);
  EXPECT_EQ(down.error_message(), Describe(Failure::kDatabaseUnavailable).message);
  ASSERT_NE(FindFailure(down), nullptr);
  EXPECT_EQ(FindFailure(down)->reason, "DATABASE_UNAVAILABLE");
  EXPECT_GT(FindFailure(down)->retry_after_ms, 0);

  grpc::Status busy = ToGrpcStatus(absl::AbortedError("transaction: Deadlock (error 1213)"));
  EXPECT_EQ(busy.error_code(), grpc::UNAVAILABLE);
  EXPECT_EQ(FindFailure(busy)->reason, "DATABASE_BUSY");

  grpc::Status internal = ToGrpcStatus(absl::InternalError("SELECT x FROM y (error 1054)"));
  EXPECT_EQ(internal.error_code(), grpc::INTERNAL);
  EXPECT_EQ(FindFailure(internal)->reason, "INTERNAL");
  EXPECT_EQ(FindFailure(internal)->retry_after_ms, 0);
}

TEST(StatusTest, DriverTextUnderAnyOtherCodeKeepsOnlyTheCode) {
  grpc::Status dup = ToGrpcStatus(absl::AlreadyExistsError(
      "transaction: Duplicate entry 'AS' for key 'PRIMARY' (error 1062)"));
  EXPECT_EQ(dup.error_code(), grpc::ALREADY_EXISTS);
  EXPECT_EQ(dup.error_message().find("Duplicate"), std::string::npos);
  EXPECT_EQ(dup.error_message().find("1062"), std::string::npos);
  grpc::Status url = ToGrpcStatus(absl::FailedPreconditionError(kDriverText));
  EXPECT_EQ(url.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(url.error_message().find("127.0.0.1"), std::string::npos);
}

TEST(StatusTest, OurOwnMessagesPassUnchanged) {
  for (const absl::Status& s :
       {absl::InvalidArgumentError("scores[3]: must be 1..10"),
        absl::NotFoundError("unknown survey token"),
        absl::AlreadyExistsError("this survey was already answered"),
        absl::FailedPreconditionError("survey is not open (closed)"),
        absl::PermissionDeniedError("managers see their own department")}) {
    grpc::Status g = ToGrpcStatus(s);
    EXPECT_EQ(static_cast<int>(g.error_code()), static_cast<int>(s.code()));
    EXPECT_EQ(g.error_message(), s.message());
    EXPECT_EQ(FindFailure(g), nullptr);
  }
  EXPECT_FALSE(LooksInternal("employees[3].department_code: unknown (row 4)"));
  EXPECT_TRUE(LooksInternal("x: y (error -1)"));
}

}  // namespace
}  // namespace survey::api
