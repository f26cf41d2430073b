// The pure parts of the staff console's calls (gateway/session.h) and of
// Connect's server streams (gateway/connect.h): cookies, CSRF checks, the
// token taken out of a sign-in answer, envelopes.
#include "gateway/session.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gateway/connect.h"
#include "survey/v1/account.pb.h"
#include "survey/v1/respond.pb.h"

namespace survey::gateway {
namespace {

TEST(SessionCookieTest, TheOneSessionCookieIsTheToken) {
  EXPECT_EQ(SessionFromCookies({"survey_session=sss_00ff_ABC"}), "sss_00ff_ABC");
  EXPECT_EQ(SessionFromCookies({"lang=zh; survey_session=sss_1_X ; other=1"}), "sss_1_X");
  EXPECT_EQ(SessionFromCookies({"a=1", "survey_session=\"sss_1_Q\""}), "sss_1_Q");
  EXPECT_FALSE(SessionFromCookies({}).has_value());
  EXPECT_FALSE(SessionFromCookies({"Survey_Session=sss_1_X"}).has_value());
  EXPECT_FALSE(SessionFromCookies({"survey_session="}).has_value());
  // Nothing that could become a second header line or another credential.
  EXPECT_FALSE(SessionFromCookies({"survey_session=a b"}).has_value());
  EXPECT_FALSE(SessionFromCookies({"survey_session=a\r\nx-survey-as: admin"}).has_value());
  EXPECT_FALSE(SessionFromCookies({"survey_session=" + std::string(513, 'a')}).has_value());
  // Two of them (one set by a sibling domain): neither is believed.
  EXPECT_FALSE(
      SessionFromCookies({"survey_session=sss_1_A; survey_session=sss_2_B"}).has_value());
  EXPECT_FALSE(SessionFromCookies({"survey_session=sss_1_A", "survey_session=sss_1_A"})
                   .has_value());
}

TEST(SessionCookieTest, SetCookieAttributes) {
  EXPECT_EQ(SessionCookie("sss_1_A", 3600),
            "survey_session=sss_1_A; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=3600");
  EXPECT_EQ(SessionCookie("sss_1_A", -5),
            "survey_session=sss_1_A; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0");
  EXPECT_EQ(ExpiredSessionCookie(),
            "survey_session=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0");
}

TEST(CsrfTest, SameOrigin) {
  EXPECT_TRUE(SameOrigin("http://127.0.0.1:8080", "127.0.0.1:8080", false));
  EXPECT_TRUE(SameOrigin("HTTPS://Survey.Example.com", "survey.example.com", true));
  EXPECT_TRUE(SameOrigin("https://survey.example.com:443", "survey.example.com", true));
  EXPECT_TRUE(SameOrigin("https://survey.example.com", "survey.example.com:443", true));
  EXPECT_TRUE(SameOrigin("http://[::1]:8080", "[::1]:8080", false));
  EXPECT_FALSE(SameOrigin("https://evil.example", "survey.example.com", true));
  EXPECT_FALSE(SameOrigin("http://survey.example.com", "survey.example.com", true));
  EXPECT_FALSE(SameOrigin("https://survey.example.com", "survey.example.com", false));
  EXPECT_FALSE(SameOrigin("http://127.0.0.1:8081", "127.0.0.1:8080", false));
  EXPECT_FALSE(SameOrigin("http://127.0.0.1:8080/", "127.0.0.1:8080", false));
  EXPECT_FALSE(SameOrigin("http://evil@127.0.0.1:8080", "127.0.0.1:8080", false));
  EXPECT_FALSE(SameOrigin("null", "127.0.0.1:8080", false));
  EXPECT_FALSE(SameOrigin("http://127.0.0.1:8080", "", false));
}

TEST(CsrfTest, HeaderRequiredOriginMustMatchIfPresent) {
  const std::string host = "127.0.0.1:8080";
  EXPECT_TRUE(CheckCsrf({"1"}, {}, host, false).ok());
  EXPECT_TRUE(CheckCsrf({"1"}, {"http://127.0.0.1:8080"}, host, false).ok());
  for (const grpc::Status& s :
       {CheckCsrf({}, {}, host, false), CheckCsrf({"0"}, {}, host, false),
        CheckCsrf({"1", "1"}, {}, host, false),
        CheckCsrf({"1"}, {"https://evil.example"}, host, false),
        CheckCsrf({"1"}, {"null"}, host, false),
        CheckCsrf({"1"}, {"http://127.0.0.1:8080", "http://127.0.0.1:8080"}, host, false),
        CheckCsrf({"1"}, {"http://127.0.0.1:8080"}, host, /*https=*/true)}) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
}

TEST(TakeSessionTokenTest, TokenMovesOutTheRestStays) {
  v1::SignInResponse signed_in;
  signed_in.set_session_token("sss_0123456789abcdef_SECRET");
  signed_in.set_expires_at_unix(1'800'000'000);
  signed_in.mutable_me()->set_account_name("hr1");
  std::string wire = signed_in.SerializeAsString();
  std::string token;
  int64_t expires = 0;
  ASSERT_TRUE(TakeSessionToken(v1::SignInResponse::descriptor(), &wire, &token, &expires).ok());
  EXPECT_EQ(token, "sss_0123456789abcdef_SECRET");
  EXPECT_EQ(expires, 1'800'000'000);
  EXPECT_EQ(wire.find("SECRET"), std::string::npos);
  v1::SignInResponse after;
  ASSERT_TRUE(after.ParseFromString(wire));
  EXPECT_EQ(after.session_token(), "");
  EXPECT_EQ(after.expires_at_unix(), 1'800'000'000);
  EXPECT_EQ(after.me().account_name(), "hr1");
  // A type without the fields is the gateway's mistake, not a pass.
  std::string other = v1::GetSurveyRequest().SerializeAsString();
  EXPECT_EQ(TakeSessionToken(v1::GetSurveyRequest::descriptor(), &other, &token, &expires)
                .error_code(),
            grpc::StatusCode::INTERNAL);
}

TEST(EnvelopeTest, Framing) {
  const std::string e = Envelope(kFlagEndStream, "{}");
  EXPECT_EQ(e, std::string("\x02\x00\x00\x00\x02{}", 7));
  const std::string big(70000, 'x');
  const std::string f = Envelope(0, big);
  ASSERT_EQ(f.size(), 70005u);
  EXPECT_EQ(f.substr(0, 5), std::string("\x00\x00\x01\x11\x70", 5));  // 70000 = 0x011170

  std::string message;
  EXPECT_TRUE(ParseRequestEnvelope(Envelope(0, "abc"), &message).ok());
  EXPECT_EQ(message, "abc");
  EXPECT_TRUE(ParseRequestEnvelope(Envelope(0, ""), &message).ok());
  EXPECT_EQ(message, "");
  for (const std::string& bad :
       {std::string(), std::string("\x00\x00\x00", 3), Envelope(kFlagCompressed, "abc"),
        Envelope(kFlagEndStream, "{}"), Envelope(0, "abc") + Envelope(0, "d"),
        Envelope(0, "abc").substr(0, 7)}) {
    EXPECT_EQ(ParseRequestEnvelope(bad, &message).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
}

TEST(EnvelopeTest, EndStreamCarriesTheErrorAndTrailers) {
  EXPECT_EQ(EndStreamBody(grpc::Status::OK, {}), "{}");
  const nlohmann::json end = nlohmann::json::parse(EndStreamBody(
      grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "campaign is open"),
      {{"reason", "CAMPAIGN_NOT_CLOSED"}, {"grpc-status", "9"}, {"x-bin", "\x01\x02"}}));
  EXPECT_EQ(end["error"]["code"], "failed_precondition");
  EXPECT_EQ(end["error"]["message"], "campaign is open");
  EXPECT_EQ(end["metadata"]["reason"], nlohmann::json::array({"CAMPAIGN_NOT_CLOSED"}));
  EXPECT_FALSE(end["metadata"].contains("grpc-status"));
  EXPECT_EQ(end["metadata"]["x-bin"], nlohmann::json::array({"AQI"}));
  EXPECT_EQ(StreamCodecFor("application/connect+json"), Codec::kJson);
  EXPECT_EQ(StreamCodecFor("application/connect+proto; charset=x"), Codec::kProto);
  EXPECT_FALSE(StreamCodecFor("application/json").has_value());
}

}  // namespace
}  // namespace survey::gateway
