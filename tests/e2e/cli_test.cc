// The shipped binaries as a user runs them: survey-server as a process,
// surveyctl as a command, against a real MariaDB.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "domain/org.h"
#include "support/process.h"
#include "support/test_db.h"
#include "support/test_server.h"

namespace survey::testing {
namespace {

std::string TempPath(const std::string& name) {
  return absl::StrCat(MakeTempDir(), "/", name);
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    auto pepper = WriteTestPepper();
    ASSERT_TRUE(pepper.ok()) << pepper.status();
    pepper_ = *pepper;
  }
  std::unique_ptr<ServerProcess> StartServer() {
    auto server = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--db-url", db_->url(), "--listen", "127.0.0.1:0", "--insecure",
        "--health-interval", "0.1", "--pepper-file", pepper_});
    EXPECT_GT(server->port(), 0) << server->stderr_text();
    return server;
  }
  Result Ctl(const ServerProcess& server, std::vector<std::string> args) {
    std::vector<std::string> argv = {SURVEYCTL_BIN, "--server", server.address(),
                                     "--insecure", "--as", "hr"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv);
  }
  std::unique_ptr<TestDatabase> db_;
  std::string pepper_;
};

TEST_F(CliTest, RefusesToStartWithoutTlsOrInsecure) {
  ServerProcess server({"--db-url", db_->url(), "--listen", "127.0.0.1:0",
                        "--pepper-file", pepper_});
  EXPECT_EQ(server.port(), 0);
  EXPECT_EQ(server.WaitExit(), 1);
  EXPECT_NE(server.stderr_text().find("TLS is required"), std::string::npos)
      << server.stderr_text();
}

TEST_F(CliTest, SigtermDrainsAndExitsZero) {
  auto server = StartServer();
  // Health turns SERVING after the first database probe, on its own thread.
  ASSERT_TRUE(WaitFor([&] { return Ctl(*server, {"health"}).exit_code == 0; },
                      absl::Seconds(10)));
  Result health = Ctl(*server, {"health"});
  EXPECT_EQ(health.exit_code, 0) << health.out << health.err;
  EXPECT_EQ(health.out, "SERVING\n");
  EXPECT_EQ(server->StopWith(SIGTERM), 0) << server->stderr_text();
  Result after = Ctl(*server, {"--timeout", "2", "health"});
  EXPECT_NE(after.exit_code, 0);
}

TEST_F(CliTest, DemoOrganisationImportsAndListsByteExact) {
  auto server = StartServer();
  std::string demo = absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/demo/");
  Result import = Ctl(*server, {"org", "import", demo + "departments.csv",
                                demo + "employees.csv"});
  ASSERT_EQ(import.exit_code, 0) << import.err;

  domain::OrgParseResult expected =
      domain::ParseEmployeesCsv(ReadFile(demo + "employees.csv"));
  ASSERT_TRUE(expected.errors.empty());
  ASSERT_GE(expected.employees.size(), 50u);

  Result list = Ctl(*server, {"--format", "csv", "org", "employees"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  std::vector<std::string> lines = absl::StrSplit(list.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), expected.employees.size() + 1);  // + header
  for (const domain::Employee& e : expected.employees) {
    EXPECT_NE(list.out.find(absl::StrCat(e.employee_no, ",", e.name, ",")),
              std::string::npos)
        << e.employee_no;
  }
  Result departments = Ctl(*server, {"--format", "csv", "org", "departments"});
  ASSERT_EQ(departments.exit_code, 0);
  EXPECT_NE(departments.out.find("售后服务部"), std::string::npos);
  EXPECT_NE(departments.out.find("人力资源部"), std::string::npos);
  // Running the import again changes nothing.
  Result again = Ctl(*server, {"org", "import", demo + "departments.csv",
                               demo + "employees.csv"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("employees: 0 created, 0 updated"), std::string::npos)
      << again.out;
}

TEST_F(CliTest, BadCsvRowsAreReportedWithLineAndColumnAndNothingImports) {
  auto server = StartServer();
  std::string departments = TempPath("departments.csv");
  std::string employees = TempPath("employees.csv");
  std::ofstream(departments) << "code,name\nAS,售后服务部\n";
  std::ofstream(employees)
      << "employee_no,name,department_code,post_type,position\n"
      << "E1,王一,AS,other,after_sales_engineer\n"
      << "E2,王二,AS,boss,after_sales_engineer\n"
      << "E3,王三,AS,other,after_sales_engineer\n"
      << "E4,王四,XX,other,after_sales_engineer\n";
  Result import = Ctl(*server, {"org", "import", departments, employees});
  EXPECT_EQ(import.exit_code, 1);
  EXPECT_NE(import.err.find("employees.csv line 3, column post_type"), std::string::npos)
      << import.err;
  EXPECT_NE(import.err.find("line 5"), std::string::npos) << import.err;
  EXPECT_NE(import.err.find("department_code"), std::string::npos) << import.err;
  EXPECT_NE(import.err.find("nothing was imported"), std::string::npos);
  auto rows = db_->Query("SELECT (SELECT COUNT(*) FROM employee) + (SELECT COUNT(*) FROM department)");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0][0], "0");
}

}  // namespace
}  // namespace survey::testing

namespace survey::testing {
namespace {

TEST_F(CliTest, RefusesAPepperFileOthersCanRead) {
  std::string loose = TempPath("pepper");
  std::ofstream(loose) << std::string(64, 'a');
  chmod(loose.c_str(), 0644);
  ServerProcess server({"--db-url", db_->url(), "--listen", "127.0.0.1:0",
                        "--insecure", "--pepper-file", loose});
  EXPECT_EQ(server.port(), 0);
  EXPECT_EQ(server.WaitExit(), 1);
  EXPECT_NE(server.stderr_text().find(loose), std::string::npos) << server.stderr_text();
  EXPECT_EQ(server.stderr_text().find(std::string(64, 'a')), std::string::npos)
      << "the secret leaked into the log";
}

}  // namespace
}  // namespace survey::testing

// TLS with the shipped tools: deploy/certs.sh, survey-server, surveyctl.
namespace survey::testing {
namespace {

std::string MakeCertsDir() {
  std::string dir = TempPath("certs");
  std::string script = absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/certs.sh");
  EXPECT_EQ(RunProcess({script, dir}).exit_code, 0);
  EXPECT_EQ(RunProcess({script, dir, "staff", "alice"}).exit_code, 0);
  return dir;
}

int CountOf(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST(CertsScriptTest, IsIdempotentAndKeepsKeysPrivate) {
  std::string dir = MakeCertsDir();
  std::string script = absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/certs.sh");
  const std::string ca = ReadFile(dir + "/ca.pem");
  const std::string server = ReadFile(dir + "/server.pem");
  const std::string alice = ReadFile(dir + "/staff/alice.pem");
  ASSERT_FALSE(ca.empty());
  EXPECT_EQ(RunProcess({script, dir}).exit_code, 0);
  EXPECT_EQ(RunProcess({script, dir, "staff", "alice", "bob"}).exit_code, 0);
  EXPECT_EQ(ReadFile(dir + "/ca.pem"), ca);
  EXPECT_EQ(ReadFile(dir + "/server.pem"), server);
  EXPECT_EQ(ReadFile(dir + "/staff/alice.pem"), alice);
  EXPECT_FALSE(ReadFile(dir + "/staff/bob.pem").empty());
  for (const char* key : {"/ca.key", "/server.key", "/staff/alice.key",
                          "/staff/bob.key"}) {
    struct stat st;
    ASSERT_EQ(stat((dir + key).c_str(), &st), 0) << key;
    EXPECT_EQ(st.st_mode & 077, 0u) << key;
  }
  // What is missing is made again, signed by the same CA.
  unlink((dir + "/server.pem").c_str());
  EXPECT_EQ(RunProcess({script, dir}).exit_code, 0);
  EXPECT_NE(ReadFile(dir + "/server.pem"), server);
  EXPECT_EQ(ReadFile(dir + "/ca.pem"), ca);
  EXPECT_EQ(RunProcess({"/usr/bin/openssl", "verify", "-CAfile", dir + "/ca.pem",
                        dir + "/server.pem"})
                .exit_code,
            0);
  // A name that would smuggle in another subject field is refused.
  EXPECT_EQ(RunProcess({script, dir, "staff", "x/CN=admin"}).exit_code, 2);
}

TEST_F(CliTest, SurveyctlSpeaksTlsAndMutualTlsToATlsServer) {
  std::string certs = MakeCertsDir();
  ServerProcess server({"--db-url", db_->url(), "--listen", "127.0.0.1:0",
                        "--health-interval", "0.1", "--pepper-file", pepper_,
                        "--tls-cert", certs + "/server.pem", "--tls-key",
                        certs + "/server.key", "--tls-client-ca",
                        certs + "/ca.pem"});
  ASSERT_GT(server.port(), 0) << server.stderr_text();
  auto ctl = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {SURVEYCTL_BIN, "--timeout", "5"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv);
  };
  const std::string ca = certs + "/ca.pem";
  Result health;
  ASSERT_TRUE(WaitFor(
      [&] {
        health = ctl({"--server", server.address(), "--tls-ca", ca, "health"});
        return health.exit_code == 0;
      },
      absl::Seconds(10)))
      << health.out << health.err;
  EXPECT_EQ(health.out, "SERVING\n");
  // By name too: the certificate names localhost and 127.0.0.1.
  Result by_name = ctl({"--server", absl::StrCat("localhost:", server.port()),
                        "--tls-ca", ca, "health"});
  EXPECT_EQ(by_name.exit_code, 0) << by_name.out << by_name.err;
  // Mutual TLS with a staff certificate of the same CA.
  Result mtls = ctl({"--server", server.address(), "--tls-ca", ca, "--tls-cert",
                     certs + "/staff/alice.pem", "--tls-key",
                     certs + "/staff/alice.key", "health"});
  EXPECT_EQ(mtls.exit_code, 0) << mtls.out << mtls.err;
  EXPECT_EQ(mtls.out, "SERVING\n");
  // Plaintext, or TLS without our CA, gets nowhere.
  Result plain = ctl({"--server", server.address(), "--insecure", "health"});
  EXPECT_NE(plain.exit_code, 0) << plain.out;
  Result unknown_ca = ctl({"--server", server.address(), "health"});
  EXPECT_NE(unknown_ca.exit_code, 0) << unknown_ca.out;
  // Over TLS the development identity means nothing.
  Result dev = ctl({"--server", server.address(), "--tls-ca", ca, "--as", "hr",
                    "org", "departments"});
  EXPECT_NE(dev.exit_code, 0);
  EXPECT_NE(dev.err.find("UNAUTHENTICATED"), std::string::npos) << dev.err;
  EXPECT_EQ(server.stderr_text().find("--insecure"), std::string::npos)
      << server.stderr_text();
  EXPECT_EQ(server.StopWith(SIGTERM), 0);
}

// Even when the machine's OpenSSL configuration allows TLS 1.0 (on both
// ends), the server refuses anything older than TLS 1.2: the floor is the
// server's own, not a system default.
TEST_F(CliTest, TlsFloorIsTls12WhateverOpenSslIsConfiguredTo) {
  std::string certs = MakeCertsDir();
  std::string weak = certs + "/weak.cnf";
  std::ofstream(weak) << "openssl_conf = c\n[c]\nssl_conf = s\n[s]\n"
                         "system_default = d\n[d]\nMinProtocol = TLSv1\n"
                         "CipherString = DEFAULT@SECLEVEL=0\n";
  setenv("OPENSSL_CONF", weak.c_str(), 1);
  ServerProcess server({"--db-url", db_->url(), "--listen", "127.0.0.1:0",
                        "--pepper-file", pepper_, "--tls-cert",
                        certs + "/server.pem", "--tls-key",
                        certs + "/server.key"});
  ASSERT_GT(server.port(), 0) << server.stderr_text();
  auto s_client = [&](const std::string& version) {
    return RunProcess(
        {"/bin/sh", "-c",
         absl::StrCat("timeout 20 openssl s_client -connect ", server.address(),
                      " ", version, " -alpn h2 -brief -CAfile ", certs,
                      "/ca.pem </dev/null")});
  };
  Result v10 = s_client("-tls1");
  Result v11 = s_client("-tls1_1");
  Result v12 = s_client("-tls1_2");
  unsetenv("OPENSSL_CONF");
  EXPECT_NE(v10.exit_code, 0) << v10.out << v10.err;
  EXPECT_NE(v11.exit_code, 0) << v11.out << v11.err;
  EXPECT_EQ(v12.exit_code, 0) << v12.out << v12.err;
  EXPECT_NE((v12.out + v12.err).find("TLSv1.2"), std::string::npos);
  EXPECT_NE(server.stderr_text().find("unsupported protocol"), std::string::npos)
      << server.stderr_text();
  EXPECT_EQ(server.StopWith(SIGTERM), 0);
}

TEST_F(CliTest, RefusesAKeyThatIsNotTheCertificates) {
  std::string certs = MakeCertsDir();
  ServerProcess server({"--db-url", db_->url(), "--listen", "127.0.0.1:0",
                        "--pepper-file", pepper_, "--tls-cert",
                        certs + "/server.pem", "--tls-key",
                        certs + "/staff/alice.key"});
  EXPECT_EQ(server.port(), 0);
  EXPECT_EQ(server.WaitExit(), 1);
  EXPECT_NE(server.stderr_text().find("--tls-key does not belong"),
            std::string::npos)
      << server.stderr_text();
  EXPECT_EQ(server.stderr_text().find("PRIVATE KEY"), std::string::npos);
}

TEST_F(CliTest, InsecureServerWarnsAtStartAndOncePerConnection) {
  auto server = StartServer();
  EXPECT_NE(server->stderr_text().find("--insecure: serving PLAINTEXT"),
            std::string::npos)
      << server->stderr_text();
  const std::string warning = "--insecure: plaintext connection #";
  ASSERT_TRUE(WaitFor([&] { return Ctl(*server, {"health"}).exit_code == 0; },
                      absl::Seconds(10)));
  const int before = CountOf(server->stderr_text(), warning);
  EXPECT_GE(before, 1);
  // Each surveyctl run is one connection (one warning each; that it is
  // once per connection, not per call, is transport_test's job).
  for (int i = 0; i < 3; ++i) {
    Result health = Ctl(*server, {"health"});
    EXPECT_EQ(health.exit_code, 0) << health.err;
  }
  EXPECT_EQ(server->StopWith(SIGTERM), 0);
  std::string log = server->stderr_text();
  EXPECT_EQ(CountOf(log, warning), before + 3) << log;
  EXPECT_EQ(log.find("ipv4:"), std::string::npos)
      << "no client address in the log: " << log;
}

}  // namespace
}  // namespace survey::testing
