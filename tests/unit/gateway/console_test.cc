// survey-gateway --console, unary staff calls: the session cookie set and
// stripped in both encodings, cookie -> bearer, the browser's authorization
// header dropped, CSRF refusals that never reach the upstream.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "console_fixture.h"

namespace survey::gateway::console_testing {
namespace {

TEST_F(ConsoleGatewayTest, SignInSetsTheCookieAndStripsTheTokenFromJson) {
  Gateway& g = Start();
  HttpReply reply = g.Unary(
      StaffCall("/survey.v1.AccountService/SignIn", R"({"accountName":"hr1","password":"right"})"));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body.find("SECRET"), std::string::npos) << reply.body;
  nlohmann::json body = nlohmann::json::parse(reply.body);
  EXPECT_FALSE(body.contains("sessionToken"));
  EXPECT_EQ(body["me"]["accountName"], "hr1");
  std::vector<std::string> cookies = Header(reply, "Set-Cookie");
  ASSERT_EQ(cookies.size(), 1u);
  const std::string prefix = absl::StrCat("survey_session=", kToken,
                                          "; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=");
  ASSERT_EQ(cookies[0].substr(0, prefix.size()), prefix);
  const int max_age = std::stoi(cookies[0].substr(prefix.size()));
  EXPECT_GE(max_age, 3590);
  EXPECT_LE(max_age, 3600);
  // Signing in sends no credential upstream.
  EXPECT_EQ(seen_.Last().count("authorization"), 0u);
}

TEST_F(ConsoleGatewayTest, SignInSetsTheCookieAndStripsTheTokenFromProto) {
  Gateway& g = Start();
  v1::SignInRequest req;
  req.set_account_name("hr1");
  req.set_password("right");
  HttpCall call = StaffCall("/survey.v1.AccountService/SignIn", req.SerializeAsString());
  call.content_type = "application/proto";
  HttpReply reply = g.Unary(call);
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.content_type, "application/proto");
  v1::SignInResponse resp;
  ASSERT_TRUE(resp.ParseFromString(reply.body));
  EXPECT_EQ(resp.session_token(), "");
  EXPECT_EQ(resp.me().account_name(), "hr1");
  EXPECT_GT(resp.expires_at_unix(), 0);
  EXPECT_EQ(reply.body.find("SECRET"), std::string::npos);
  ASSERT_EQ(Header(reply, "Set-Cookie").size(), 1u);
  EXPECT_EQ(Header(reply, "Set-Cookie")[0].find(absl::StrCat("survey_session=", kToken, ";")),
            0u);
}

TEST_F(ConsoleGatewayTest, FailedSignInSetsNoCookie) {
  Gateway& g = Start();
  HttpReply reply = g.Unary(
      StaffCall("/survey.v1.AccountService/SignIn", R"({"accountName":"hr1","password":"x"})"));
  EXPECT_EQ(reply.status, 401);
  EXPECT_TRUE(Header(reply, "Set-Cookie").empty());
  EXPECT_EQ(Header(reply, "trailer-reason"), std::vector<std::string>{"BAD_CREDENTIALS"});
}

TEST_F(ConsoleGatewayTest, CookieBecomesBearerAndTheBrowsersAuthorizationIsDropped) {
  Gateway& g = Start();
  HttpCall call = StaffCall("/survey.v1.AccountService/WhoAmI", "{}");
  call.headers.emplace("cookie", absl::StrCat("lang=en; survey_session=", kToken));
  call.headers.emplace("authorization", "Bearer ssk_feedfacefeedface_STOLEN");
  call.headers.emplace("x-survey-as", "admin");
  ASSERT_EQ(g.Unary(call).status, 200);
  Metadata seen = seen_.Last();
  ASSERT_EQ(seen.count("authorization"), 1u);
  EXPECT_EQ(seen.find("authorization")->second, absl::StrCat("Bearer ", kToken));
  EXPECT_EQ(seen.count("x-survey-as"), 0u);
  EXPECT_EQ(seen.count("cookie"), 0u);

  // No cookie: no credential at all, whatever the browser put in headers.
  HttpCall bare = StaffCall("/survey.v1.AccountService/WhoAmI", "{}");
  bare.headers.emplace("authorization", "Bearer ssk_feedfacefeedface_STOLEN");
  ASSERT_EQ(g.Unary(bare).status, 200);
  EXPECT_EQ(seen_.Last().count("authorization"), 0u);
}

TEST_F(ConsoleGatewayTest, CrossSiteCallsAreRefusedBeforeTheUpstream) {
  Gateway& g = Start();
  HttpCall no_header = StaffCall("/survey.v1.AccountService/WhoAmI", "{}");
  no_header.headers.erase("x-survey-csrf");
  HttpCall foreign = StaffCall("/survey.v1.AccountService/WhoAmI", "{}");
  foreign.headers.find("origin")->second = "https://evil.example";
  // A form post: no header, a form's content type, the cookie attached.
  HttpCall form = no_header;
  form.content_type = "application/x-www-form-urlencoded";
  form.body = "accountName=hr1";
  form.headers.emplace("cookie", absl::StrCat("survey_session=", kToken));
  for (const HttpCall& call : {no_header, foreign, form}) {
    HttpReply reply = g.Unary(call);
    EXPECT_EQ(reply.status, 403);
    EXPECT_EQ(nlohmann::json::parse(reply.body)["code"], "permission_denied");
    EXPECT_EQ(Header(reply, "trailer-reason"), std::vector<std::string>{"CSRF_REFUSED"});
  }
  EXPECT_EQ(seen_.Count(), 0u) << "a refused call reached the upstream";
  // Without Origin (some browsers omit it) the header alone suffices.
  HttpCall no_origin = StaffCall("/survey.v1.AccountService/WhoAmI", "{}");
  no_origin.headers.erase("origin");
  EXPECT_EQ(g.Unary(no_origin).status, 200);
  // Respondents need neither header nor cookie.
  HttpCall respond;
  respond.path = "/survey.v1.RespondService/GetSurvey";
  respond.content_type = "application/json";
  respond.body = R"({"token":"X"})";
  respond.headers = {{"origin", "https://elsewhere.example"}};
  EXPECT_EQ(g.Unary(respond).status, 200);
}

TEST_F(ConsoleGatewayTest, BehindTlsTheOriginMustBeHttps) {
  Gateway& g = Start(/*https=*/true);
  EXPECT_EQ(g.Unary(StaffCall("/survey.v1.AccountService/WhoAmI", "{}")).status, 403);
  HttpCall call = StaffCall("/survey.v1.AccountService/WhoAmI", "{}");
  call.headers.find("origin")->second = "https://127.0.0.1:8080";
  EXPECT_EQ(g.Unary(call).status, 200);
}

TEST_F(ConsoleGatewayTest, SignOutClearsTheCookieWhateverTheServerSaid) {
  Gateway& g = Start();
  HttpCall call = StaffCall("/survey.v1.AccountService/SignOut", "{}");
  call.headers.emplace("cookie", absl::StrCat("survey_session=", kToken));
  HttpReply reply = g.Unary(call);
  EXPECT_EQ(reply.status, 503);  // the fake's database is down
  EXPECT_EQ(Header(reply, "Set-Cookie"), std::vector<std::string>{ExpiredSessionCookie()});
  EXPECT_EQ(seen_.Last().find("authorization")->second, absl::StrCat("Bearer ", kToken));
}

}  // namespace
}  // namespace survey::gateway::console_testing
