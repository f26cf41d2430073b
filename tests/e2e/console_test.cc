// The staff console in a real browser (issue 15): survey-server and
// survey-gateway --console as processes on a private database, the demo
// organisation, staff accounts with passwords (made through the server's
// own RPCs, as HR would), a closed customer survey with answers (some
// employees at or above k answers, some below), a closed cross-evaluation
// and an open customer survey. Then clients/web/test/console*.test.mjs
// drive Debian's Chromium through the gateway; they read the fixture's
// names and secrets from the JSON file in SURVEY_CONSOLE_FIXTURE.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "support/process.h"
#include "support/test_db.h"
#include "support/test_server.h"
#include "survey/v1/account.grpc.pb.h"
#include "survey/v1/admin.grpc.pb.h"

namespace survey::testing {
namespace {

namespace v1 = ::survey::v1;

// survey-gateway as a child process; the port from its first line.
class Gateway {
 public:
  explicit Gateway(std::vector<std::string> argv) {
    out_ = MakeTempDir() + "/gateway.out";
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
          std::string text = ReadFile(out_);
          constexpr char kPrefix[] = "survey-gateway listening on port ";
          if (size_t at = text.find(kPrefix); at != std::string::npos) {
            port_ = std::atoi(text.c_str() + at + sizeof kPrefix - 1);
          }
          return port_ != 0 || waitpid(pid_, nullptr, WNOHANG) == pid_;
        },
        absl::Seconds(10));
  }
  ~Gateway() {
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

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// The demo's front-line employees (position other than "other"), in file
// order, with their departments.
std::vector<std::pair<std::string, std::string>> FrontLine() {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(ReadFile(absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/demo/employees.csv")));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, ',');
    if (f.size() >= 5 && absl::StripAsciiWhitespace(f[4]) != "other") out.emplace_back(f[0], f[2]);
  }
  return out;
}

// CreateOrganisationAccounts' CSV: account_name -> activation_code.
std::map<std::string, std::string> ActivationCodes(const std::string& csv) {
  std::map<std::string, std::string> codes;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> head = absl::StrSplit(line, ',');
  int name_col = -1, code_col = -1;
  for (int i = 0; i < static_cast<int>(head.size()); ++i) {
    if (head[i] == "account_name") name_col = i;
    if (head[i] == "activation_code") code_col = i;
  }
  if (name_col < 0 || code_col < 0) return codes;
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, ',');
    if (static_cast<int>(f.size()) > std::max(name_col, code_col)) codes[f[name_col]] = f[code_col];
  }
  return codes;
}

class ConsoleHarness : public ::testing::Test {
 protected:
  // Runs surveyctl as the dev identity HR against the server.
  Result Ctl(ServerProcess& server, std::vector<std::string> args) {
    std::vector<std::string> argv = {SURVEYCTL_BIN, "--server", server.address(), "--insecure",
                                     "--as", "hr"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv);
  }
  Result Sim(ServerProcess& server, const std::string& tokens, const std::string& fraction) {
    return RunProcess({SURVEY_SIM_BIN, "--server", server.address(), "--insecure", "--tokens",
                       tokens, "--fraction", fraction, "--seed", "15"});
  }
};

TEST_F(ConsoleHarness, ConsolePagesInChromium) {
  auto db = TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  auto pepper = WriteTestPepper();
  ASSERT_TRUE(pepper.ok());
  // Issue 16: the appeal test moves the appraisal clock by writing seconds
  // into this file (development only, next to --insecure), then back to 0.
  const std::string clock_file = MakeTempDir() + "/appraisal-clock";
  std::ofstream(clock_file) << "0\n";
  ServerProcess server({"--db-url", (*db)->url(), "--listen", "127.0.0.1:0", "--insecure",
                        "--dev-appraisal-clock-file", clock_file,
                        "--health-interval", "0.1", "--pepper-file", *pepper,
                        "--trusted-gateway", "127.0.0.1",
                        // Every browser comes from 127.0.0.1: room for the
                        // lockout test's failures and the results tests'
                        // sign-ins after it (the default burst is 10).
                        "--staff-auth-failure-burst", "40"});
  ASSERT_GT(server.port(), 0) << server.stderr_text();
  Gateway gateway({SURVEY_GATEWAY_BIN, "--listen", "127.0.0.1:0", "--upstream",
                   server.address(), "--web-root", SURVEY_WEB_ROOT, "--console"});
  ASSERT_GT(gateway.port(), 0);
  const std::string origin = absl::StrCat("http://127.0.0.1:", gateway.port());
  ASSERT_TRUE(WaitFor([&] { return Ctl(server, {"health"}).exit_code == 0; }, absl::Seconds(10)));

  // The demo organisation.
  const std::string demo = absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/demo/");
  Result imported = Ctl(server, {"org", "import", demo + "departments.csv", demo + "employees.csv"});
  ASSERT_EQ(imported.exit_code, 0) << imported;

  // Campaigns, as the quick start makes them. Last month's customer survey:
  // every front-line employee gets 7, 5 or 2 tickets (k = 5), all answered,
  // so some are released and some withheld; then closed.
  const std::string dir = MakeTempDir();
  auto create = [&](const std::string& kind, const std::string& period, const std::string& zh,
                    const std::string& en) {
    Result r = Ctl(server, {"campaign", "create", "--kind", kind, "--period", period,
                            "--title-zh", zh, "--title-en", en});
    EXPECT_EQ(r.exit_code, 0) << r;
    std::string id(absl::StripAsciiWhitespace(r.out.substr(0, r.out.find('\n'))));
    Result opened = Ctl(server, {"campaign", "open", id});
    EXPECT_EQ(opened.exit_code, 0) << opened;
    return id;
  };
  std::vector<std::string> above_k, below_k;
  const std::string closed_customer = create("customer", "2026-10", "2026-10客户满意度调查",
                                             "Customer satisfaction 2026-10");
  {
    std::ofstream tickets(dir + "/closed-tickets.csv");
    tickets << "subject_employee_no,ticket\n";
    std::vector<std::pair<std::string, std::string>> staff = FrontLine();
    ASSERT_GT(staff.size(), 10u);
    for (size_t i = 0; i < staff.size(); ++i) {
      const int n = i % 3 == 0 ? 7 : i % 3 == 1 ? 5 : 2;
      (n >= 5 ? above_k : below_k).push_back(staff[i].first);
      for (int j = 0; j < n; ++j) tickets << staff[i].first << ",T-" << staff[i].first << "-" << j << "\n";
    }
  }
  Result issued = Ctl(server, {"invitations", "issue", closed_customer, "--from",
                               dir + "/closed-tickets.csv", "--out", dir + "/closed-inv",
                               "--link-base", origin + "/a/"});
  ASSERT_EQ(issued.exit_code, 0) << issued;
  Result answered = Sim(server, dir + "/closed-inv/invitations.csv", "1");
  ASSERT_EQ(answered.exit_code, 0) << answered;
  Result closed = Ctl(server, {"campaign", "close", closed_customer});
  ASSERT_EQ(closed.exit_code, 0) << closed;

  // Last month's cross-evaluation, 80 % answered, closed.
  const std::string closed_cross = create("cross", "2026-10", "2026-10部门互评",
                                          "Cross-evaluation 2026-10");
  issued = Ctl(server, {"invitations", "issue", closed_cross, "--cross", "--out",
                        dir + "/cross-inv", "--link-base", origin + "/a/"});
  ASSERT_EQ(issued.exit_code, 0) << issued;
  answered = Sim(server, dir + "/cross-inv/invitations.csv", "0.8");
  ASSERT_EQ(answered.exit_code, 0) << answered;
  closed = Ctl(server, {"campaign", "close", closed_cross});
  ASSERT_EQ(closed.exit_code, 0) << closed;

  // This month's customer survey: 3 tickets each, half answered, open.
  const std::string open_customer = create("customer", "2026-11", "2026-11客户满意度调查",
                                           "Customer satisfaction 2026-11");
  {
    std::ofstream tickets(dir + "/open-tickets.csv");
    tickets << "subject_employee_no,ticket\n";
    for (const auto& [no, dept] : FrontLine()) {
      for (int j = 0; j < 3; ++j) tickets << no << ",O-" << no << "-" << j << "\n";
    }
  }
  issued = Ctl(server, {"invitations", "issue", open_customer, "--from", dir + "/open-tickets.csv",
                        "--out", dir + "/open-inv", "--link-base", origin + "/a/"});
  ASSERT_EQ(issued.exit_code, 0) << issued;
  answered = Sim(server, dir + "/open-inv/invitations.csv", "0.5");
  ASSERT_EQ(answered.exit_code, 0) << answered;

  // Accounts, through the server's RPCs as HR and an admin would make them:
  // an HR account, then accounts for the whole organisation (the manager of
  // AS is E0001; E0002 an engineer there), activated with their codes;
  // E0003 is left for the browser's activation test.
  auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
  auto admin = v1::AdminService::NewStub(channel);
  auto accounts = v1::AccountService::NewStub(channel);
  // An account with a role and no employee, and its first activation code.
  auto staff_account = [&](const std::string& name, v1::StaffRole role) -> std::string {
    v1::StaffAccount account;
    account.set_name(name);
    account.set_role(role);
    account.set_active(true);
    v1::StaffAccount out;
    grpc::Status s = admin->UpsertStaffAccount(TestServer::Context("admin").get(), account, &out);
    EXPECT_TRUE(s.ok()) << name << ": " << s.error_message();
    v1::ResetPasswordRequest req;
    req.set_account_name(name);
    v1::ResetPasswordResponse resp;
    s = accounts->ResetPassword(TestServer::Context("admin").get(), req, &resp);
    EXPECT_TRUE(s.ok()) << name << ": " << s.error_message();
    return resp.activation_code();
  };
  const std::string hr_code = staff_account("hr.console", v1::STAFF_ROLE_HR);
  const std::string admin_code = staff_account("admin.console", v1::STAFF_ROLE_ADMIN);
  ASSERT_FALSE(HasFailure());
  std::string org_csv;
  {
    v1::CreateOrganisationAccountsRequest req;
    auto ctx = TestServer::Context("hr");
    auto reader = accounts->CreateOrganisationAccounts(ctx.get(), req);
    v1::AccountsChunk chunk;
    while (reader->Read(&chunk)) org_csv += chunk.data();
    grpc::Status s = reader->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  std::map<std::string, std::string> codes = ActivationCodes(org_csv);
  ASSERT_FALSE(codes["E0001"].empty()) << org_csv.substr(0, 400);
  ASSERT_FALSE(codes["E0002"].empty());
  ASSERT_FALSE(codes["E0003"].empty());
  auto activate = [&](const std::string& name, const std::string& code, const std::string& pw) {
    v1::ActivateRequest req;
    req.set_account_name(name);
    req.set_activation_code(code);
    req.set_new_password(pw);
    v1::SignInResponse resp;
    grpc::ClientContext ctx;
    grpc::Status s = accounts->Activate(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << name << ": " << s.error_message();
  };
  const std::string hr_pw = "console-hr-Pass-15", manager_pw = "console-mgr-Pass-15",
                    employee_pw = "console-emp-Pass-15";
  const std::string admin_pw = "console-adm-Pass-15";
  activate("hr.console", hr_code, hr_pw);
  activate("admin.console", admin_code, admin_pw);
  activate("E0001", codes["E0001"], manager_pw);
  activate("E0002", codes["E0002"], employee_pw);
  // A second activated employee only for the lockout test, so that locking
  // it never disturbs another test's sign-in.
  ASSERT_FALSE(codes["E0012"].empty());
  activate("E0012", codes["E0012"], "console-lock-Pass-15");
  ASSERT_FALSE(HasFailure());

  // Issue 16: E0002's sheet for the closed month, as the quick start makes
  // it: the satisfaction push, then the manager's KPI and behaviour lines;
  // left a draft for the appraisal browser test to carry on.
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"--as", "hr", "appraisal", "push", "--period", "2026-10"},
           {"--as", "manager:AS", "appraisal", "sheet", "lines", "--employee", "E0002", "--period",
            "2026-10", "--section", "kpi", "--title", "工单及时率", "--weight", "80", "--reviewer", "70"},
           {"--as", "manager:AS", "appraisal", "sheet", "lines", "--employee", "E0002", "--period",
            "2026-10", "--section", "behaviour", "--title", "团队协作", "--weight", "100",
            "--reviewer", "80"}}) {
    args.insert(args.begin(), {SURVEYCTL_BIN, "--server", server.address(), "--insecure"});
    Result r = RunProcess(args);
    ASSERT_EQ(r.exit_code, 0) << r;
  }
  const std::string fixture = dir + "/fixture.json";
  {
    std::ofstream json(fixture);
    json << "{\"hr\":{\"account\":\"hr.console\",\"password\":" << JsonString(hr_pw) << "},"
         << "\"manager\":{\"account\":\"E0001\",\"password\":" << JsonString(manager_pw)
         << ",\"department\":\"AS\"},"
         << "\"otherDepartment\":\"CS\","
         << "\"employee\":{\"account\":\"E0002\",\"password\":" << JsonString(employee_pw)
         << ",\"employee_no\":\"E0002\"},"
         << "\"activation\":{\"account\":\"E0003\",\"code\":" << JsonString(codes["E0003"]) << "},"
         << "\"admin\":{\"account\":\"admin.console\",\"password\":" << JsonString(admin_pw) << "},"
         << "\"lockout\":{\"account\":\"E0012\"},"
         << "\"closedCustomerCampaign\":" << JsonString(closed_customer) << ","
         << "\"closedCrossCampaign\":" << JsonString(closed_cross) << ","
         << "\"openCampaign\":" << JsonString(open_customer) << ","
         << "\"closedPeriod\":\"2026-10\",\"openPeriod\":\"2026-11\",\"newCampaignPeriod\":\"2026-12\","
         << "\"anonymityK\":5,\"appraisalPeriod\":\"2026-10\",\"otherEmployee\":\"E0003\","
         << "\"aboveK\":[\"" << absl::StrJoin(above_k, "\",\"") << "\"],"
         << "\"belowK\":[\"" << absl::StrJoin(below_k, "\",\"") << "\"],"
         << "\"surveySim\":" << JsonString(SURVEY_SIM_BIN) << ","
         << "\"surveyctl\":" << JsonString(SURVEYCTL_BIN) << ","
         << "\"appraisalClockFile\":" << JsonString(clock_file) << ","
         << "\"grpcTarget\":" << JsonString(server.address()) << "}";
  }
  const std::string artifacts = absl::StrCat(SURVEY_BINARY_DIR, "/artifacts/console");
  std::filesystem::create_directories(artifacts);
  std::vector<std::string> argv = {"/usr/bin/env", "node", "--test", "--test-concurrency=1",
                                   "--test-reporter=spec"};
  // SURVEY_CONSOLE_TESTS=regex runs only the browser tests whose names match.
  if (const char* only = std::getenv("SURVEY_CONSOLE_TESTS"); only != nullptr && *only) {
    argv.push_back(absl::StrCat("--test-name-pattern=", only));
  }
  // node --test runs the files in name order whatever the order here; none
  // depends on another's state because each works in its own months (the
  // HR files release and finalize months no other file reads).
  for (const char* f : {"console.test.mjs", "console_results.test.mjs",
                        "console_appraisal.test.mjs", "console_manager.test.mjs",
                        "console_hr_setup.test.mjs", "console_hr_sheets.test.mjs"}) {
    std::string path = absl::StrCat(SURVEY_SOURCE_DIR, "/clients/web/test/", f);
    if (std::filesystem::exists(path)) argv.push_back(path);
  }
  Result browser = RunProcess(
      argv, {"SURVEY_CONSOLE_URL=" + origin, "SURVEY_CONSOLE_FIXTURE=" + fixture,
             "SURVEY_WEB_ARTIFACTS=" + artifacts,
             absl::StrCat("NODE_PATH=", SURVEY_SOURCE_DIR, "/clients/web/node_modules")});
  std::cout << browser.out << browser.err;
  std::cout << "console screenshots: " << artifacts << "/\n";
  EXPECT_EQ(browser.exit_code, 0) << browser;
}

}  // namespace
}  // namespace survey::testing
