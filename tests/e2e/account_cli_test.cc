// `surveyctl account` with the shipped binaries (issue 15): the demo
// organisation's accounts as a CSV on stdout, a password reset, the session
// list and a revocation; sign-in itself through AccountService over gRPC,
// as the gateway does it.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "support/process.h"
#include "support/test_db.h"
#include "support/test_server.h"
#include "survey/v1/account.grpc.pb.h"

namespace survey::testing {
namespace {

Result Ctl(const ServerProcess& server, const std::string& as,
           const std::vector<std::string>& command) {
  std::vector<std::string> argv = {SURVEYCTL_BIN, "--server", server.address(),
                                   "--insecure", "--as", as, "--timeout", "10"};
  argv.insert(argv.end(), command.begin(), command.end());
  return RunProcess(argv);
}

TEST(AccountCliTest, OrgAccountsResetSessionsRevoke) {
  auto db = TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  auto pepper = WriteTestPepper();
  ASSERT_TRUE(pepper.ok()) << pepper.status();
  ServerProcess server({"--db-url", (*db)->url(), "--pepper-file", *pepper, "--listen",
                        "127.0.0.1:0", "--insecure"});
  ASSERT_GT(server.port(), 0) << server.stderr_text();
  const std::string demo = absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/demo/");
  Result import = Ctl(server, "hr", {"org", "import", demo + "departments.csv",
                                     demo + "employees.csv"});
  ASSERT_EQ(import.exit_code, 0) << import.err;

  // `> codes.csv`: the CSV alone on stdout, one row per active employee.
  Result codes = Ctl(server, "hr", {"account", "org-accounts"});
  ASSERT_EQ(codes.exit_code, 0) << codes.err;
  std::vector<std::string> lines = absl::StrSplit(codes.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 61u);  // header + 60 employees
  EXPECT_EQ(lines[0], "account_name,employee_no,name,department_code,role,"
                      "activation_code,expires_at");
  EXPECT_EQ(lines[1].rfind("E0001,E0001,王建国,AS,manager,", 0), 0u) << lines[1];
  std::string code;
  for (const std::string& line : lines) {
    std::vector<std::string> f = absl::StrSplit(line, ',');
    if (f[0] == "E0002") code = f[5];
  }
  ASSERT_EQ(code.size(), 31u);
  Result employee = Ctl(server, "employee:E0002", {"account", "org-accounts"});
  EXPECT_EQ(employee.exit_code, 1);
  EXPECT_NE(employee.err.find("PERMISSION_DENIED"), std::string::npos) << employee.err;

  // Activation and sign-in, as the console does them through the gateway.
  auto stub = v1::AccountService::NewStub(
      grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  v1::ActivateRequest activate;
  activate.set_account_name("E0002");
  activate.set_activation_code(code);
  activate.set_new_password("Blue-kettle-42!");
  v1::SignInResponse signed_in;
  grpc::ClientContext activate_ctx;
  ASSERT_TRUE(stub->Activate(&activate_ctx, activate, &signed_in).ok());
  const std::string token = signed_in.session_token();
  auto who = [&] {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    v1::Me me;
    return stub->WhoAmI(&ctx, v1::WhoAmIRequest(), &me);
  };
  ASSERT_TRUE(who().ok());

  Result sessions = Ctl(server, "admin", {"--format", "csv", "account", "sessions"});
  ASSERT_EQ(sessions.exit_code, 0) << sessions.err;
  const std::string id = token.substr(4, 16);
  EXPECT_NE(sessions.out.find(absl::StrCat(id, ",E0002,")), std::string::npos)
      << sessions.out;
  EXPECT_EQ(sessions.out.find(token.substr(21)), std::string::npos);
  Result revoke = Ctl(server, "admin", {"account", "revoke-session", id});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
  EXPECT_EQ(who().error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // A reset prints the new code alone on stdout; the old password is gone.
  Result reset = Ctl(server, "hr", {"account", "reset-password", "E0002"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_EQ(std::string(absl::StripAsciiWhitespace(reset.out)).size(), 31u) << reset.out;
  v1::SignInRequest again;
  again.set_account_name("E0002");
  again.set_password("Blue-kettle-42!");
  grpc::ClientContext again_ctx;
  EXPECT_EQ(stub->SignIn(&again_ctx, again, &signed_in).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // Nothing secret in the server's log.
  const std::string log = server.stderr_text();
  EXPECT_EQ(log.find(code), std::string::npos);
  EXPECT_EQ(log.find(token), std::string::npos);
  EXPECT_EQ(log.find("Blue-kettle"), std::string::npos);
  EXPECT_EQ(server.StopWith(SIGTERM), 0);
}

}  // namespace
}  // namespace survey::testing
