#include "gateway/connect.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "survey/v1/respond.pb.h"

namespace survey::gateway {
namespace {

TEST(ConnectTest, CodesAndHttpStatusesFollowTheSpec) {
  using C = grpc::StatusCode;
  const std::vector<std::tuple<C, std::string, int>> table = {
      {C::CANCELLED, "canceled", 499},           {C::UNKNOWN, "unknown", 500},
      {C::INVALID_ARGUMENT, "invalid_argument", 400},
      {C::DEADLINE_EXCEEDED, "deadline_exceeded", 504},
      {C::NOT_FOUND, "not_found", 404},          {C::ALREADY_EXISTS, "already_exists", 409},
      {C::PERMISSION_DENIED, "permission_denied", 403},
      {C::RESOURCE_EXHAUSTED, "resource_exhausted", 429},
      {C::FAILED_PRECONDITION, "failed_precondition", 400},
      {C::ABORTED, "aborted", 409},              {C::OUT_OF_RANGE, "out_of_range", 400},
      {C::UNIMPLEMENTED, "unimplemented", 501},  {C::INTERNAL, "internal", 500},
      {C::UNAVAILABLE, "unavailable", 503},      {C::DATA_LOSS, "data_loss", 500},
      {C::UNAUTHENTICATED, "unauthenticated", 401},
  };
  for (const auto& [code, name, http] : table) {
    EXPECT_EQ(CodeName(code), name);
    EXPECT_EQ(HttpStatus(code), http) << name;
  }
}

TEST(ConnectTest, Codecs) {
  EXPECT_EQ(CodecFor("application/json"), Codec::kJson);
  EXPECT_EQ(CodecFor("application/json; charset=utf-8"), Codec::kJson);
  EXPECT_EQ(CodecFor("application/proto"), Codec::kProto);
  EXPECT_FALSE(CodecFor("application/grpc").has_value());
  EXPECT_FALSE(CodecFor("text/plain").has_value());
}

TEST(ConnectTest, JsonAndBinaryBodiesBecomeTheSameWireMessage) {
  const auto* type = v1::SubmitRequest::descriptor();
  std::string from_json, from_proto;
  ASSERT_TRUE(DecodeRequest(type, Codec::kJson,
                            R"({"token":"ABC","scores":[1,10],"comment":"5aW9"})", &from_json)
                  .ok());
  v1::SubmitRequest expected;
  expected.set_token("ABC");
  expected.add_scores(1);
  expected.add_scores(10);
  expected.set_comment("好");
  ASSERT_TRUE(DecodeRequest(type, Codec::kProto, expected.SerializeAsString(), &from_proto).ok());
  v1::SubmitRequest a, b;
  ASSERT_TRUE(a.ParseFromString(from_json));
  ASSERT_TRUE(b.ParseFromString(from_proto));
  EXPECT_EQ(a.DebugString(), expected.DebugString());
  EXPECT_EQ(b.DebugString(), expected.DebugString());
  // Fields a newer app knows are skipped; an empty body is the empty message.
  std::string wire;
  EXPECT_TRUE(DecodeRequest(type, Codec::kJson, R"({"token":"A","future":1})", &wire).ok());
  EXPECT_TRUE(DecodeRequest(type, Codec::kJson, "", &wire).ok());
}

TEST(ConnectTest, MalformedBodiesAreInvalidArgument) {
  const auto* type = v1::SubmitRequest::descriptor();
  std::string wire;
  EXPECT_EQ(DecodeRequest(type, Codec::kJson, "{bad", &wire).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(DecodeRequest(type, Codec::kJson, R"({"scores":"x"})", &wire).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(DecodeRequest(type, Codec::kProto, "\xff\xff\xff", &wire).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST(ConnectTest, ResponsesUseTheProtobufJsonMapping) {
  v1::Survey survey;
  survey.set_subject_name("李娜");
  survey.set_expires_at_unix(1767225600);
  std::string body;
  ASSERT_TRUE(EncodeResponse(v1::Survey::descriptor(), Codec::kJson,
                             survey.SerializeAsString(), &body)
                  .ok());
  nlohmann::json j = nlohmann::json::parse(body);
  EXPECT_EQ(j["subjectName"], "李娜");
  EXPECT_EQ(j["expiresAtUnix"], "1767225600");  // int64 as a string
}

TEST(ConnectTest, ErrorBodyIsConnectJson) {
  nlohmann::json j = nlohmann::json::parse(
      ErrorBody(grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown \"survey\" token")));
  EXPECT_EQ(j["code"], "not_found");
  EXPECT_EQ(j["message"], "unknown \"survey\" token");
}

TEST(ConnectTest, TrailersArePrefixedAndReservedKeysStayBehind) {
  Metadata initial = {{"x-request-note", "n"}, {"content-type", "application/grpc"}};
  Metadata trailers = {{"reason", "EXPIRED"},     {"retry-after-ms", "500"},
                       {"grpc-status", "9"},      {"grpc-message", "x"},
                       {"set-cookie", "a=b"},     {"connect-x", "y"},
                       {"blob-bin", std::string("\x01\x02\xff", 3)}};
  auto headers = ResponseHeaders(initial, trailers);
  std::map<std::string, std::string> h(headers.begin(), headers.end());
  EXPECT_EQ(h["x-request-note"], "n");
  EXPECT_EQ(h["trailer-reason"], "EXPIRED");
  EXPECT_EQ(h["trailer-retry-after-ms"], "500");
  EXPECT_EQ(h["trailer-blob-bin"], "AQL/");
  EXPECT_EQ(h.size(), 4u);
}

TEST(ConnectTest, FailuresOfTheLibraryGetAReason) {
  EXPECT_EQ(LibraryFailureReason(grpc::Status(grpc::StatusCode::UNAVAILABLE, "connect failed")),
            "BUSY");
  EXPECT_EQ(LibraryFailureReason(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "")),
            "TIMEOUT");
  EXPECT_EQ(LibraryFailureReason(grpc::Status(
                grpc::StatusCode::RESOURCE_EXHAUSTED,
                "Received message larger than max (5000000 vs. 4194304)")),
            "MESSAGE_TOO_LARGE");
}

}  // namespace
}  // namespace survey::gateway
