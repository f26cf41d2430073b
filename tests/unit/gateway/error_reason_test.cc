#include "api/error_reason.h"

#include <gtest/gtest.h>

#include "api/client_peer.h"

namespace survey::api {
namespace {

constexpr char kSubmit[] = "/survey.v1.RespondService/Submit";
constexpr char kAdmin[] = "/survey.v1.AdminService/CreateCampaign";

ErrorReason R(grpc::StatusCode code, const std::string& message,
              const char* method = kSubmit) {
  return ReasonFor(method, grpc::Status(code, message));
}

// The exact messages of api/respond_service.cc and store/mysql/response_store.cc.
TEST(ErrorReasonTest, EveryRespondentOutcomeHasItsReason) {
  using C = grpc::StatusCode;
  EXPECT_EQ(R(C::INVALID_ARGUMENT, "token: malformed").reason, "TOKEN_MALFORMED");
  EXPECT_EQ(R(C::NOT_FOUND, "unknown survey token").reason, "TOKEN_UNKNOWN");
  EXPECT_EQ(R(C::ALREADY_EXISTS, "this survey was already answered").reason,
            "ALREADY_ANSWERED");
  EXPECT_EQ(R(C::FAILED_PRECONDITION, "invitation expired").reason, "EXPIRED");
  EXPECT_EQ(R(C::FAILED_PRECONDITION, "invitation revoked").reason, "REVOKED");
  EXPECT_EQ(R(C::FAILED_PRECONDITION, "survey is not open (closed)").reason,
            "CAMPAIGN_NOT_OPEN");
  EXPECT_EQ(R(C::RESOURCE_EXHAUSTED,
              "too many invalid survey tokens from this address; try again later")
                .reason,
            "RATE_LIMITED");
  EXPECT_EQ(R(C::RESOURCE_EXHAUSTED, "Received message larger than max (1 vs. 0)").reason,
            "MESSAGE_TOO_LARGE");
  EXPECT_EQ(R(C::UNAVAILABLE, "anything").reason, "BUSY");
  ErrorReason field = R(C::INVALID_ARGUMENT, "scores[3]: must be 1..10");
  EXPECT_EQ(field.reason, "FIELD_INVALID");
  EXPECT_EQ(field.field, "scores[3]");
  EXPECT_EQ(R(C::INVALID_ARGUMENT, "reasons[0]: not UTF-8").field, "reasons[0]");
  EXPECT_EQ(R(C::INVALID_ARGUMENT, "bad: thing with spaces: x").field, "bad");
  EXPECT_EQ(R(C::INVALID_ARGUMENT, "no field here").reason, "INVALID_ARGUMENT");
}

// A CSV upload's problem (AppraisalService.SetPayProfiles csv): where in
// the file, machine-readable.
TEST(ErrorReasonTest, CsvProblemsCarryLineAndColumn) {
  using C = grpc::StatusCode;
  ErrorReason cell = R(C::INVALID_ARGUMENT, "line 12, column post_pay: not a number", kAdmin);
  EXPECT_EQ(cell.reason, "CSV_INVALID");
  EXPECT_EQ(cell.line, "12");
  EXPECT_EQ(cell.column, "post_pay");
  EXPECT_EQ(cell.field, "");
  ErrorReason file = R(C::INVALID_ARGUMENT, "line 3: quoted field never closed", kAdmin);
  EXPECT_EQ(file.reason, "CSV_INVALID");
  EXPECT_EQ(file.line, "3");
  EXPECT_EQ(file.column, "");
  // Anything else is not a CSV problem.
  EXPECT_EQ(R(C::INVALID_ARGUMENT, "line: x", kAdmin).reason, "FIELD_INVALID");
  EXPECT_EQ(R(C::INVALID_ARGUMENT, "line 3 is bad", kAdmin).reason, "INVALID_ARGUMENT");
  EXPECT_EQ(R(C::INVALID_ARGUMENT, "line 3, column Bad Name: x", kAdmin).reason,
            "INVALID_ARGUMENT");
  EXPECT_EQ(R(C::INVALID_ARGUMENT, "profiles[1].post_pay: x", kAdmin).line, "");
}

TEST(ErrorReasonTest, StaffServicesGetTheirCodesAsReasons) {
  using C = grpc::StatusCode;
  EXPECT_EQ(R(C::ALREADY_EXISTS, "exists", kAdmin).reason, "ALREADY_EXISTS");
  EXPECT_EQ(R(C::PERMISSION_DENIED, "no", kAdmin).reason, "PERMISSION_DENIED");
  EXPECT_EQ(R(C::UNAUTHENTICATED, "no", kAdmin).reason, "UNAUTHENTICATED");
  EXPECT_EQ(R(C::NOT_FOUND, "campaign not found", kAdmin).reason, "NOT_FOUND");
  EXPECT_EQ(R(C::FAILED_PRECONDITION, "campaign is closed", kAdmin).reason,
            "FAILED_PRECONDITION");
  EXPECT_EQ(R(C::OK, "").reason, "");
}

TEST(ClientPeerTest, ForwardedAddressOnlyFromATrustedGateway) {
  absl::StatusOr<net::NetworkList> gateways = net::NetworkList::Parse({"127.0.0.1"});
  ASSERT_TRUE(gateways.ok());
  const std::string forwarded = "203.0.113.7";
  // From the gateway: the respondent's address.
  EXPECT_EQ(ClientPeer("ipv4:127.0.0.1:40000", &forwarded, *gateways), "ipv4:203.0.113.7:0");
  // From anyone else, or with no gateway configured: the peer, whatever it says.
  EXPECT_EQ(ClientPeer("ipv4:198.51.100.2:40000", &forwarded, *gateways),
            "ipv4:198.51.100.2:40000");
  EXPECT_EQ(ClientPeer("ipv4:127.0.0.1:40000", &forwarded, net::NetworkList{}),
            "ipv4:127.0.0.1:40000");
  // The gateway without the metadata, or with garbage in it, is charged itself.
  EXPECT_EQ(ClientPeer("ipv4:127.0.0.1:40000", nullptr, *gateways), "ipv4:127.0.0.1:40000");
  const std::string garbage = "not-an-address";
  EXPECT_EQ(ClientPeer("ipv4:127.0.0.1:40000", &garbage, *gateways), "ipv4:127.0.0.1:40000");
}

}  // namespace
}  // namespace survey::api
