// Staff access as an operator does it, with the shipped binaries: the first
// admin bootstrapped with `survey-server --bootstrap-admin`, a TLS server
// with staff certificates from deploy/certs.sh, and `surveyctl staff`,
// `apikey` and `audit` against it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "support/process.h"
#include "support/test_db.h"
#include "support/test_server.h"

namespace survey::testing {
namespace {


class StaffCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    auto pepper = WriteTestPepper();
    ASSERT_TRUE(pepper.ok()) << pepper.status();
    pepper_ = *pepper;
    certs_ = MakeTempDir();
    std::string script = absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/certs.sh");
    ASSERT_EQ(RunProcess({"/bin/bash", script, certs_}).exit_code, 0);
    ASSERT_EQ(
        RunProcess({"/bin/bash", script, certs_, "staff", "alice"}).exit_code,
        0);
  }

  std::vector<std::string> Server(const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {SURVEY_SERVER_BIN, "--db-url", db_->url(),
                                     "--pepper-file", pepper_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }

  // surveyctl over TLS to `port`, authenticated by `auth` (flags).
  Result Ctl(int port, const std::vector<std::string>& auth,
             const std::vector<std::string>& command,
             const std::vector<std::string>& env = {}) {
    std::vector<std::string> argv = {
        SURVEYCTL_BIN, "--server",         absl::StrCat("127.0.0.1:", port),
        "--tls-ca",    certs_ + "/ca.pem", "--timeout",
        "10"};
    argv.insert(argv.end(), auth.begin(), auth.end());
    argv.insert(argv.end(), command.begin(), command.end());
    return RunProcess(argv, env);
  }

  std::string KeyFile(const std::string& key) {
    std::string path = MakeTempDir() + "/key";
    std::ofstream(path) << key << "\n";
    chmod(path.c_str(), 0600);
    return path;
  }

  std::unique_ptr<TestDatabase> db_;
  std::string pepper_;
  std::string certs_;
};

TEST_F(StaffCliTest, BootstrapThenAdministerStaffKeysAndAudit) {
  // 1. The first admin, before the server ever ran (it migrates itself).
  Result boot = RunProcess(Server({"--bootstrap-admin", "root"}));
  ASSERT_EQ(boot.exit_code, 0) << boot.err;
  std::string root_key(absl::StripAsciiWhitespace(boot.out));
  ASSERT_EQ(root_key.rfind("ssk_", 0), 0u) << boot.out;
  EXPECT_NE(boot.err.find("shown only this once"), std::string::npos)
      << boot.err;
  std::vector<std::string> as_root = {"--api-key-file", KeyFile(root_key)};

  // 2. The TLS server with staff certificates.
  ServerProcess server(
      {"--db-url", db_->url(), "--pepper-file", pepper_, "--listen",
       "127.0.0.1:0", "--tls-cert", certs_ + "/server.pem", "--tls-key",
       certs_ + "/server.key", "--tls-client-ca", certs_ + "/ca.pem"});
  ASSERT_GT(server.port(), 0) << server.stderr_text();
  int port = server.port();

  // No credential, or only the development header: refused.
  Result none = Ctl(port, {}, {"org", "departments"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("UNAUTHENTICATED"), std::string::npos) << none.err;
  Result dev = Ctl(port, {"--as", "admin"}, {"staff", "list"});
  EXPECT_EQ(dev.exit_code, 1);
  EXPECT_NE(dev.err.find("UNAUTHENTICATED"), std::string::npos) << dev.err;

  // 3. Staff accounts.
  Result upsert =
      Ctl(port, as_root, {"staff", "upsert", "alice", "--role", "hr"});
  ASSERT_EQ(upsert.exit_code, 0) << upsert.err;
  Result list = Ctl(port, as_root, {"--format", "csv", "staff", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("alice,hr,,,yes"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("root,admin,,,yes"), std::string::npos) << list.out;

  // alice signs in with her certificate: HR, not admin.
  std::vector<std::string> as_alice = {"--tls-cert",
                                       certs_ + "/staff/alice.pem", "--tls-key",
                                       certs_ + "/staff/alice.key"};
  Result org = Ctl(port, as_alice, {"org", "departments"});
  EXPECT_EQ(org.exit_code, 0) << org.err;
  Result denied = Ctl(port, as_alice, {"staff", "list"});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_NE(denied.err.find("PERMISSION_DENIED"), std::string::npos)
      << denied.err;

  // 4. An API key for alice, shown once, used from the environment.
  Result created =
      Ctl(port, as_root, {"apikey", "create", "alice", "--days", "1"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  // The key alone on stdout (for `> key`), the rest on stderr.
  std::string key(absl::StripAsciiWhitespace(created.out)), key_id;
  std::vector<std::string> lines = absl::StrSplit(created.err, '\n');
  for (const std::string& line : lines) {
    if (line.rfind("key_id:", 0) == 0) {
      key_id = std::string(absl::StripAsciiWhitespace(line.substr(7)));
    }
  }
  ASSERT_EQ(key.size(), 47u) << created.out;
  ASSERT_EQ(key_id.size(), 16u) << created.out;
  Result with_env =
      Ctl(port, {}, {"org", "departments"}, {"SURVEY_API_KEY=" + key});
  EXPECT_EQ(with_env.exit_code, 0) << with_env.err;
  Result keys = Ctl(port, as_root, {"--format", "csv", "apikey", "list"});
  ASSERT_EQ(keys.exit_code, 0) << keys.err;
  EXPECT_NE(keys.out.find(key_id), std::string::npos);
  EXPECT_EQ(keys.out.find(key.substr(21)), std::string::npos);  // no secret
  Result revoked = Ctl(port, as_root, {"apikey", "revoke", key_id});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  Result after =
      Ctl(port, {}, {"org", "departments"}, {"SURVEY_API_KEY=" + key});
  EXPECT_EQ(after.exit_code, 1);
  EXPECT_NE(after.err.find("revoked"), std::string::npos) << after.err;

  // 5. The audit log: bootstrap, alice, her key and its revocation.
  Result audit = Ctl(port, as_root,
                     {"--format", "csv", "audit", "list", "--oldest-first"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_NE(audit.out.find("system:bootstrap,system,staff.upsert,staff:root"),
            std::string::npos)
      << audit.out;
  EXPECT_NE(audit.out.find("root,admin,staff.upsert,staff:alice"),
            std::string::npos);
  EXPECT_NE(audit.out.find("root,admin,apikey.revoke,apikey:" + key_id),
            std::string::npos);
  Result verify = Ctl(port, as_root, {"audit", "verify"});
  ASSERT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_EQ(verify.out.rfind("intact: 5 records; head 5:", 0), 0u)
      << verify.out;
  std::string anchor(absl::StripAsciiWhitespace(
      verify.out.substr(verify.out.find("head ") + 5)));
  Result anchored = Ctl(port, as_root, {"audit", "verify", "--anchor", anchor});
  EXPECT_EQ(anchored.exit_code, 0) << anchored.out << anchored.err;

  // Tampering with the table directly is found.
  ASSERT_TRUE(
      db_->Execute("UPDATE audit_log SET target = 'staff:bob' WHERE seq = 3")
          .ok());
  Result broken = Ctl(port, as_root, {"audit", "verify"});
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_EQ(broken.out.rfind("BROKEN at record 3:", 0), 0u) << broken.out;
}

}  // namespace
}  // namespace survey::testing
