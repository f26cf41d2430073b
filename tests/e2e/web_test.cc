// The respondent web app in a real browser (issue 14): survey-server and
// survey-gateway as processes on a private database, invitations issued
// with a web link base, then clients/web/test/browser.test.mjs drives
// Debian's Chromium through them; afterwards every answer is counted once.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "support/process.h"
#include "support/test_db.h"
#include "support/test_server.h"

namespace survey::testing {
namespace {

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
    for (int i = 0; i < 100 && port_ == 0; ++i) {
      std::string text = ReadFile(out_);
      constexpr char kPrefix[] = "survey-gateway listening on port ";
      if (size_t at = text.find(kPrefix); at != std::string::npos) {
        port_ = std::atoi(text.c_str() + at + sizeof kPrefix - 1);
      }
      usleep(100000);
    }
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

std::vector<std::string> Tokens(const std::string& csv) {
  std::vector<std::string> tokens;
  std::istringstream in(ReadFile(csv));
  std::string line;
  std::getline(in, line);  // header: ticket,subject,token,deep_link,expires_at
  while (std::getline(in, line)) {
    std::vector<std::string> cells = absl::StrSplit(line, ',');
    if (cells.size() >= 4) tokens.push_back(cells[2]);
  }
  return tokens;
}

TEST(WebAppTest, AnswersInChromiumThroughTheGatewayCountOnce) {
  auto db = TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  auto pepper = WriteTestPepper();
  ASSERT_TRUE(pepper.ok());
  ServerProcess server({"--db-url", (*db)->url(), "--listen", "127.0.0.1:0", "--insecure",
                        "--health-interval", "0.1", "--pepper-file", *pepper,
                        "--trusted-gateway", "127.0.0.1"});
  ASSERT_GT(server.port(), 0) << server.stderr_text();
  Gateway gateway({SURVEY_GATEWAY_BIN, "--listen", "127.0.0.1:0", "--upstream",
                   server.address(), "--web-root", SURVEY_WEB_ROOT});
  ASSERT_GT(gateway.port(), 0);
  const std::string origin = absl::StrCat("http://127.0.0.1:", gateway.port());
  auto ctl = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {SURVEYCTL_BIN, "--server", server.address(),
                                     "--insecure", "--as", "hr"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv);
  };
  ASSERT_TRUE(WaitFor([&] { return ctl({"health"}).exit_code == 0; }, absl::Seconds(10)));
  const std::string demo = absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/demo/");
  ASSERT_EQ(ctl({"org", "import", demo + "departments.csv", demo + "employees.csv"}).exit_code, 0);
  Result created = ctl({"campaign", "create", "--kind", "customer", "--period", "2026-11",
                        "--title-zh", "客户满意度", "--title-en", "Customer satisfaction"});
  ASSERT_EQ(created.exit_code, 0) << created;
  std::string id = created.out.substr(0, created.out.find('\n'));
  ASSERT_EQ(ctl({"campaign", "open", id}).exit_code, 0);
  const std::string dir = MakeTempDir();
  {
    std::ofstream tickets(dir + "/tickets.csv");
    tickets << "subject_employee_no,ticket\n";
    for (int i = 1; i <= 4; ++i) tickets << "E0002,T-" << i << "\n";
  }
  Result issued = ctl({"invitations", "issue", id, "--from", dir + "/tickets.csv", "--out",
                       dir + "/inv", "--link-base", origin + "/a/"});
  ASSERT_EQ(issued.exit_code, 0) << issued;
  std::vector<std::string> tokens = Tokens(dir + "/inv/invitations.csv");
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_NE(ReadFile(dir + "/inv/invitations.csv").find(origin + "/a/#" + tokens[0]),
            std::string::npos);
  // Expired links: a second batch valid for one day, then expired in the
  // database (the 30-day batch above stays valid).
  Result short_batch = ctl({"invitations", "issue", id, "--from", dir + "/tickets.csv", "--out",
                       dir + "/inv2", "--link-base", origin + "/a/", "--expires-days", "1"});
  ASSERT_EQ(short_batch.exit_code, 0) << short_batch;
  std::vector<std::string> short_lived = Tokens(dir + "/inv2/invitations.csv");
  ASSERT_TRUE((*db)->Execute(
      "UPDATE invitation SET expires_at = UNIX_TIMESTAMP() - 60 "
      "WHERE expires_at < UNIX_TIMESTAMP() + 2 * 86400 - 3600").ok());
  {
    std::ofstream json(dir + "/tokens.json");
    json << "{\"answer\":\"" << tokens[0] << "\",\"keyboard\":\"" << tokens[1]
         << "\",\"offline\":\"" << tokens[2] << "\",\"expired\":\"" << short_lived[0]
         << "\"}";
  }
  const std::string artifacts = absl::StrCat(SURVEY_BINARY_DIR, "/web-artifacts");
  Result browser = RunProcess(
      {"/usr/bin/env", "node", "--test", "--test-reporter=spec",
       absl::StrCat(SURVEY_SOURCE_DIR, "/clients/web/test/browser.test.mjs")},
      {"SURVEY_WEB_URL=" + origin, "SURVEY_WEB_TOKENS=" + dir + "/tokens.json",
       "SURVEY_WEB_ARTIFACTS=" + artifacts,
       absl::StrCat("NODE_PATH=", SURVEY_SOURCE_DIR, "/clients/web/node_modules")});
  std::cout << browser.out << browser.err;
  ASSERT_EQ(browser.exit_code, 0) << browser;
  // Three answers (click, keyboard, offline), each counted exactly once.
  auto count = (*db)->Query("SELECT COUNT(*) FROM response");
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ((*count)[0][0], "3");
  auto used = (*db)->Query("SELECT COUNT(*) FROM invitation WHERE state = 'used'");
  ASSERT_TRUE(used.ok()) << used.status();
  EXPECT_EQ((*used)[0][0], "3");
}

}  // namespace
}  // namespace survey::testing
