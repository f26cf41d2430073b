// survey-gateway --console in front of the real survey-server on a private
// database (issue 15): cross-site style posts are refused and never reach
// the server, a staff call needs the session cookie (a browser's own
// authorization header is not forwarded), and server streams (issued
// invitations, the report export) arrive whole through the Connect
// protocol; and a password sign-in's session lives in the cookie only. The
// other tests put an API key in the cookie: the gateway forwards any
// plausible cookie value as the bearer credential.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gateway/connect.h"
#include "support/process.h"
#include "support/test_db.h"
#include "support/test_server.h"
#include "survey/v1/account.grpc.pb.h"
#include "survey/v1/admin.grpc.pb.h"
#include "survey/v1/report.grpc.pb.h"

namespace survey::testing {
namespace {

// survey-gateway as a child process; the port from its first line.
class GatewayProcess {
 public:
  explicit GatewayProcess(std::vector<std::string> argv) {
    out_ = MakeTempDir() + "/gateway.out";
    argv.insert(argv.begin(), SURVEY_GATEWAY_BIN);
    pid_ = fork();
    if (pid_ == 0) {
      FILE* f = freopen(out_.c_str(), "w", stdout);
      (void)f;
      std::vector<char*> args;
      for (std::string& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    WaitFor(
        [&] {
          const std::string text = ReadFile(out_);
          constexpr char kPrefix[] = "survey-gateway listening on port ";
          if (size_t at = text.find(kPrefix); at != std::string::npos) {
            port_ = std::atoi(text.c_str() + at + sizeof kPrefix - 1);
          }
          return port_ != 0 || waitpid(pid_, nullptr, WNOHANG) == pid_;
        },
        absl::Seconds(10));
  }
  ~GatewayProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string out_;
};

// (flags, message) of each envelope of a streamed body.
std::vector<std::pair<int, std::string>> Envelopes(const std::string& body) {
  std::vector<std::pair<int, std::string>> out;
  size_t at = 0;
  while (at + 5 <= body.size()) {
    const auto b = [&](size_t i) { return static_cast<uint8_t>(body[at + i]); };
    const size_t n = (size_t{b(1)} << 24) | (size_t{b(2)} << 16) | (size_t{b(3)} << 8) | b(4);
    if (at + 5 + n > body.size()) break;
    out.emplace_back(b(0), body.substr(at + 5, n));
    at += 5 + n;
  }
  EXPECT_EQ(at, body.size()) << "a truncated envelope";
  return out;
}

class GatewayConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    auto pepper = WriteTestPepper();
    ASSERT_TRUE(pepper.ok());
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--db-url", db_->url(), "--listen", "127.0.0.1:0", "--insecure", "--health-interval",
        "0.1", "--pepper-file", *pepper, "--trusted-gateway", "127.0.0.1"});
    ASSERT_GT(server_->port(), 0) << server_->stderr_text();
    ASSERT_TRUE(WaitFor([&] { return Ctl("admin", {"health"}).exit_code == 0; },
                        absl::Seconds(10)));
    const std::string demo = absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/demo/");
    ASSERT_EQ(Ctl("hr", {"org", "import", demo + "departments.csv", demo + "employees.csv"})
                  .exit_code,
              0);
    Result created = Ctl("hr", {"campaign", "create", "--kind", "customer", "--period",
                                "2026-11", "--title-zh", "客户满意度"});
    ASSERT_EQ(created.exit_code, 0) << created;
    campaign_ = created.out.substr(0, created.out.find('\n'));
    ASSERT_EQ(Ctl("hr", {"campaign", "open", campaign_}).exit_code, 0);
    ASSERT_EQ(Ctl("admin", {"staff", "upsert", "hr1", "--role", "hr"}).exit_code, 0);
    Result key = Ctl("admin", {"apikey", "create", "hr1", "--days", "1"});
    ASSERT_EQ(key.exit_code, 0) << key;
    key_ = std::string(absl::StripAsciiWhitespace(key.out));

    // A console build of our own: the gateway serves whatever it is given.
    console_ = MakeTempDir();
    std::ofstream(console_ + "/index.html") << "<!doctype html><title>console</title>";
    gateway_ = std::make_unique<GatewayProcess>(
        std::vector<std::string>{"--listen", "127.0.0.1:0", "--upstream", server_->address(),
                                 "--console", "--console-root", console_});
    ASSERT_GT(gateway_->port(), 0);
    origin_ = absl::StrCat("http://127.0.0.1:", gateway_->port());
  }

  Result Ctl(const std::string& as, std::vector<std::string> args) {
    std::vector<std::string> argv = {SURVEYCTL_BIN, "--server", server_->address(),
                                     "--insecure", "--as", as};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv);
  }

  int64_t Count(const std::string& sql) {
    auto rows = db_->Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? std::stoll((*rows)[0][0]) : -1;
  }

  // The headers connect-web sends from the console, with the session cookie.
  httplib::Headers Console() const {
    return {{"Origin", origin_},
            {"x-survey-csrf", "1"},
            {"Connect-Protocol-Version", "1"},
            {"Cookie", "survey_session=" + key_}};
  }

  httplib::Result Post(const std::string& method, const httplib::Headers& headers,
                       const std::string& body,
                       const std::string& content_type = "application/json") {
    httplib::Client http("127.0.0.1", gateway_->port());
    http.set_read_timeout(30);
    return http.Post(method, headers, body, content_type);
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<GatewayProcess> gateway_;
  std::string campaign_, key_, console_, origin_;
};

TEST_F(GatewayConsoleTest, CrossSitePostsAreRefusedAndNeverReachTheServer) {
  const std::string create = "/survey.v1.AdminService/CreateCampaign";
  const std::string body =
      R"({"campaign":{"kind":"CAMPAIGN_KIND_CUSTOMER_SATISFACTION","period":"2026-12","templateKey":"default","title":{"zh":"月度"}}})";
  const int64_t campaigns = Count("SELECT COUNT(*) FROM campaign");
  const int64_t audits = Count("SELECT COUNT(*) FROM audit_log");

  httplib::Headers no_header = Console();
  no_header.erase("x-survey-csrf");
  httplib::Headers evil = Console();
  evil.find("Origin")->second = "https://evil.example";
  httplib::Headers form = no_header;
  form.find("Origin")->second = "https://evil.example";
  for (const auto& [headers, content_type, what] :
       {std::tuple{no_header, std::string("application/json"), "no x-survey-csrf"},
        std::tuple{evil, std::string("application/json"), "Origin evil.example"},
        std::tuple{form, std::string("application/x-www-form-urlencoded"), "a form"}}) {
    auto res = Post(create, headers, body, content_type);
    ASSERT_TRUE(res) << what;
    EXPECT_EQ(res->status, 403) << what;
    EXPECT_EQ(res->get_header_value("trailer-reason"), "CSRF_REFUSED") << what;
    EXPECT_EQ(nlohmann::json::parse(res->body)["code"], "permission_denied") << what;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM campaign"), campaigns);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log"), audits);

  // The same call from the console itself goes through (so the counts
  // above could have moved).
  auto ok = Post(create, Console(), body);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(ok->get_header_value("Cache-Control"), "no-store");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM campaign"), campaigns + 1);
}

TEST_F(GatewayConsoleTest, StaffCallsNeedTheSessionCookie) {
  const std::string list = "/survey.v1.AdminService/ListCampaigns";
  httplib::Headers no_cookie = Console();
  no_cookie.erase("Cookie");
  auto res = Post(list, no_cookie, "{}");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(nlohmann::json::parse(res->body)["code"], "unauthenticated");

  // A valid key in the browser's own authorization header is not passed on.
  httplib::Headers header_only = no_cookie;
  header_only.emplace("Authorization", "Bearer " + key_);
  res = Post(list, header_only, "{}");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);

  res = Post(list, Console(), "{}");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_NE(res->body.find(campaign_), std::string::npos);

  // Respondents' calls need neither cookie nor header.
  res = Post("/survey.v1.RespondService/GetSurvey", {},
             R"({"token":"AAAAAAAAAAAAAAAAAAAAAAAAAA"})");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->get_header_value("trailer-reason"), "TOKEN_UNKNOWN");
}

TEST_F(GatewayConsoleTest, StreamedInvitationsAndExportArriveWhole) {
  constexpr int kEvents = 1500;
  v1::IssueInvitationsRequest issue;
  issue.set_campaign_id(campaign_);
  issue.set_link_base(origin_ + "/a/");
  for (int i = 0; i < kEvents; ++i) {
    issue.add_events()->set_subject_employee_no(i % 2 == 0 ? "E0002" : "E0003");
  }
  auto res = Post("/survey.v1.AdminService/IssueInvitations", Console(),
                  gateway::Envelope(0, issue.SerializeAsString()), "application/connect+proto");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/connect+proto");
  auto envelopes = Envelopes(res->body);
  ASSERT_EQ(envelopes.size(), kEvents + 1u);
  std::set<std::string> tokens;
  for (int i = 0; i < kEvents; ++i) {
    ASSERT_EQ(envelopes[i].first, 0);
    v1::IssuedInvitation invitation;
    ASSERT_TRUE(invitation.ParseFromString(envelopes[i].second));
    EXPECT_EQ(invitation.event_index(), i);
    EXPECT_EQ(invitation.deep_link(), origin_ + "/a/#" + invitation.token());
    tokens.insert(invitation.token());
  }
  EXPECT_EQ(tokens.size(), static_cast<size_t>(kEvents));
  EXPECT_EQ(envelopes.back().first, gateway::kFlagEndStream);
  EXPECT_EQ(envelopes.back().second, "{}");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM invitation"), kEvents);

  // The report export through the gateway in JSON equals the server's own.
  v1::ExportReportRequest export_request;
  export_request.mutable_organisation()->mutable_range()->set_month("2026-11");
  auto stub = v1::ReportService::NewStub(
      grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
  auto ctx = TestServer::Context("hr");
  auto reader = stub->ExportReport(ctx.get(), export_request);
  std::string direct;
  for (v1::ExportChunk chunk; reader->Read(&chunk);) direct += chunk.data();
  ASSERT_TRUE(reader->Finish().ok());
  ASSERT_FALSE(direct.empty());

  res = Post("/survey.v1.ReportService/ExportReport", Console(),
             gateway::Envelope(0, R"({"organisation":{"range":{"month":"2026-11"}}})"),
             "application/connect+json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  envelopes = Envelopes(res->body);
  ASSERT_GE(envelopes.size(), 2u);
  std::string through;
  for (size_t i = 0; i + 1 < envelopes.size(); ++i) {
    std::string piece;
    ASSERT_TRUE(absl::Base64Unescape(
        nlohmann::json::parse(envelopes[i].second)["data"].get<std::string>(), &piece));
    through += piece;
  }
  EXPECT_EQ(through, direct);
  EXPECT_EQ(envelopes.back().first, gateway::kFlagEndStream);
  EXPECT_EQ(envelopes.back().second, "{}");

  // A refused export ends with the server's error in the end-of-stream
  // message, not a broken body.
  httplib::Headers no_cookie = Console();
  no_cookie.erase("Cookie");
  res = Post("/survey.v1.ReportService/ExportReport", no_cookie,
             gateway::Envelope(0, R"({"organisation":{"range":{"month":"2026-11"}}})"),
             "application/connect+json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  envelopes = Envelopes(res->body);
  ASSERT_EQ(envelopes.size(), 1u);
  EXPECT_EQ(envelopes[0].first, gateway::kFlagEndStream);
  EXPECT_EQ(nlohmann::json::parse(envelopes[0].second)["error"]["code"], "unauthenticated");
}

// A password sign-in from start to end through the gateway: the session
// exists only in the cookie, works as the bearer credential, and signing
// out clears the cookie and ends the session on the server.
TEST_F(GatewayConsoleTest, SignInSessionCookieAndSignOut) {
  ASSERT_EQ(Ctl("admin", {"staff", "upsert", "hr2", "--role", "hr"}).exit_code, 0);
  auto accounts = v1::AccountService::NewStub(
      grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
  v1::ResetPasswordRequest reset;
  reset.set_account_name("hr2");
  v1::ResetPasswordResponse code;
  auto admin = TestServer::Context("admin");
  ASSERT_TRUE(accounts->ResetPassword(admin.get(), reset, &code).ok());
  const std::string activation = code.activation_code();
  httplib::Headers anonymous = Console();
  anonymous.erase("Cookie");
  const std::string cookie_attributes = "; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=";
  // The session token from a Set-Cookie, after checking its attributes.
  auto session_of = [&](const httplib::Response& res) -> std::string {
    const std::string set = res.get_header_value("Set-Cookie");
    const size_t at = set.find(cookie_attributes);
    EXPECT_EQ(set.rfind("survey_session=sss_", 0), 0u) << set;
    EXPECT_NE(at, std::string::npos) << set;
    if (at == std::string::npos) return "";
    const int max_age = std::atoi(set.c_str() + at + cookie_attributes.size());
    EXPECT_GT(max_age, 0);
    EXPECT_LE(max_age, 8 * 3600);
    const std::string token = set.substr(sizeof("survey_session=") - 1,
                                         at - (sizeof("survey_session=") - 1));
    EXPECT_EQ(res.body.find(token), std::string::npos) << "the token is in the body";
    EXPECT_EQ(res.body.find("sessionToken"), std::string::npos) << res.body;
    return token;
  };

  auto activated = Post("/survey.v1.AccountService/Activate", anonymous,
                        nlohmann::json{{"accountName", "hr2"},
                                       {"activationCode", activation},
                                       {"newPassword", "quiet-harbour-lantern-42"}}
                            .dump());
  ASSERT_TRUE(activated);
  ASSERT_EQ(activated->status, 200) << activated->body;
  EXPECT_FALSE(session_of(*activated).empty());

  auto wrong = Post("/survey.v1.AccountService/SignIn", anonymous,
                    R"({"accountName":"hr2","password":"not-the-password-1"})");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_FALSE(wrong->has_header("Set-Cookie"));

  auto signed_in = Post("/survey.v1.AccountService/SignIn", anonymous,
                        R"({"accountName":"hr2","password":"quiet-harbour-lantern-42"})");
  ASSERT_TRUE(signed_in);
  ASSERT_EQ(signed_in->status, 200) << signed_in->body;
  EXPECT_EQ(nlohmann::json::parse(signed_in->body)["me"]["accountName"], "hr2");
  const std::string session = session_of(*signed_in);
  ASSERT_FALSE(session.empty());

  httplib::Headers with_session = anonymous;
  with_session.emplace("Cookie", "survey_session=" + session);
  auto me = Post("/survey.v1.AccountService/WhoAmI", with_session, "{}");
  ASSERT_TRUE(me);
  ASSERT_EQ(me->status, 200) << me->body;
  nlohmann::json who = nlohmann::json::parse(me->body);
  EXPECT_EQ(who["accountName"], "hr2");
  EXPECT_EQ(who["credential"], "session");

  auto exported = Post("/survey.v1.ReportService/ExportReport", with_session,
                       gateway::Envelope(0, R"({"organisation":{"range":{"month":"2026-11"}}})"),
                       "application/connect+json");
  ASSERT_TRUE(exported);
  auto envelopes = Envelopes(exported->body);
  ASSERT_GE(envelopes.size(), 2u);
  EXPECT_EQ(envelopes.back().second, "{}");

  auto out = Post("/survey.v1.AccountService/SignOut", with_session, "{}");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 200) << out->body;
  EXPECT_EQ(out->get_header_value("Set-Cookie"), "survey_session=" + cookie_attributes + "0");
  // The browser drops the cookie; a copy of it kept elsewhere is useless.
  auto after = Post("/survey.v1.AccountService/WhoAmI", with_session, "{}");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 401);
}

TEST_F(GatewayConsoleTest, ConsolePageUnderC) {
  httplib::Client http("127.0.0.1", gateway_->port());
  auto page = http.Get("/c/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("console"), std::string::npos);
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"),
            std::string::npos);
}

}  // namespace
}  // namespace survey::testing
