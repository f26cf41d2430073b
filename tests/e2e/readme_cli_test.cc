// surveyctl as the README prints it (issue 18, item 5), with the shipped
// binaries:
//   - every surveyctl command line in a README code block runs as printed
//     (placeholders such as an appeal's ID replaced by the real one), in
//     README order against one server; lines that need a second machine
//     are listed with the reason. A README line this test does not know
//     fails it, so the list cannot go stale;
//   - `apikey create` writes the bare key where a key file is expected;
//   - global flags work after the command (`report responses ID --format csv`);
//   - a TLS failure says what failed;
//   - `--log-level debug` logs request ids, timings and decisions, and no
//     token, key or pepper.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "support/process.h"
#include "support/test_db.h"
#include "support/test_server.h"

namespace survey::testing {
namespace {

// Lines of README code blocks that do not run here, and why.
const std::map<std::string, std::string> kNotRun = {
    {"surveyctl [--server host:port] [--insecure | --tls-ca ca.pem [--tls-cert me.pem "
     "--tls-key me.key]]",
     "synopsis"},
    {"surveyctl --server survey.example.com:50051 --tls-ca ca.pem --tls-cert wang.hr.pem "
     "--tls-key wang.hr.key health",
     "a second machine"},
};

// The surveyctl lines of README's code blocks, continuation lines joined.
std::vector<std::string> ReadmeCommandLines() {
  std::ifstream in(absl::StrCat(SURVEY_SOURCE_DIR, "/README.md"));
  std::vector<std::string> out;
  bool block = false;
  std::string line, pending;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, "```")) {
      block = !block;
      continue;
    }
    if (!block) continue;
    if (!pending.empty()) {
      pending += " " + std::string(absl::StripAsciiWhitespace(line));
    } else if (absl::StartsWith(line, "surveyctl ") ||
               absl::StartsWith(line, "build/clients/surveyctl ")) {
      pending = line;
    } else {
      continue;
    }
    if (absl::EndsWith(pending, "\\")) {
      pending.pop_back();
      absl::StripTrailingAsciiWhitespace(&pending);
      continue;
    }
    out.push_back(pending);
    pending.clear();
  }
  return out;
}

// Splits a shell-like line: words, "double-quoted" words; `# comment` ends it.
std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> words;
  std::string w;
  bool quoted = false, any = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
      any = true;
    } else if (c == ' ' && !quoted) {
      if (any) words.push_back(w);
      w.clear();
      any = false;
    } else if (c == '#' && !quoted && !any) {
      break;
    } else {
      w += c;
      any = true;
    }
  }
  if (any) words.push_back(w);
  return words;
}

class ReadmeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    auto pepper = WriteTestPepper();
    ASSERT_TRUE(pepper.ok()) << pepper.status();
    pepper_ = *pepper;
    dir_ = MakeTempDir();
  }

  void TearDown() override {
    std::filesystem::remove_all(dir_);
    std::filesystem::remove_all(std::filesystem::path(pepper_).parent_path());
  }

  // `survey-server --bootstrap-admin root > root.key`, as the README does.
  std::string Bootstrap() {
    Result boot = RunProcess({SURVEY_SERVER_BIN, "--db-url", db_->url(), "--pepper-file",
                              pepper_, "--bootstrap-admin", "root"});
    EXPECT_EQ(boot.exit_code, 0) << boot.err;
    std::string path = dir_ + "/root.key";
    std::ofstream(path) << boot.out;
    chmod(path.c_str(), 0600);
    return path;
  }

  std::vector<std::string> Flags(const std::vector<std::string>& extra) {
    std::vector<std::string> f = {"--db-url", db_->url(), "--pepper-file", pepper_,
                                  "--listen", "127.0.0.1:0"};
    f.insert(f.end(), extra.begin(), extra.end());
    return f;
  }

  Result Ctl(const std::string& address, std::vector<std::string> args) {
    args.insert(args.begin(), {SURVEYCTL_BIN, "--server", address, "--timeout", "20"});
    return RunProcess(args);
  }

  std::unique_ptr<TestDatabase> db_;
  std::string pepper_;
  std::string dir_;
};

TEST_F(ReadmeCliTest, EveryReadmeCommandLineRunsAsPrinted) {
  const std::string root_key = Bootstrap();
  ServerProcess server(Flags({"--insecure"}));
  ASSERT_GT(server.port(), 0) << server.stderr_text();
  const std::string address = server.address();
  // The organisation the README's examples name (AS, E0001, E0002).
  Result org = Ctl(address, {"--insecure", "--as", "hr", "org", "import",
                             absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/demo/departments.csv"),
                             absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/demo/employees.csv")});
  ASSERT_EQ(org.exit_code, 0) << org;

  // Values printed by one line and named by a later one.
  std::map<std::string, std::string> found = {{"root.key", root_key},
                                              {".run/root.key", root_key},
                                              {"ticket-bot.key", dir_ + "/ticket-bot.key"}};
  int ran = 0;
  for (const std::string& line : ReadmeCommandLines()) {
    SCOPED_TRACE(line);
    if (kNotRun.contains(line)) continue;
    std::vector<std::string> words = Words(line);
    ASSERT_FALSE(words.empty());
    std::vector<std::string> args = {"--insecure"};
    for (size_t i = 1; i < words.size(); ++i) {
      std::string w = words[i];
      if (found.contains(w)) w = found[w];
      if (w == "ID" && found.contains("<appeal id>")) w = found["<appeal id>"];
      if (w == "3f9c0a1b2c3d4e5f" && found.contains("<key id>")) w = found["<key id>"];
      if (w == "…") w = "README example";
      args.push_back(w);
    }
    Result r = Ctl(address, args);
    EXPECT_EQ(r.exit_code, 0) << r;
    ++ran;
    // What later lines need.
    std::smatch m;
    const std::string printed = r.out + r.err;
    if (std::regex_search(printed, m, std::regex("key_id: +([0-9a-f]{16})"))) {
      found["<key id>"] = m[1];
    }
    if (absl::StrContains(line, "appeal file") &&
        std::regex_search(r.out, m, std::regex("id: +([0-9]+)"))) {
      found["<appeal id>"] = m[1];
    }
  }
  EXPECT_GE(ran, 15);
  // Each line the test skips is still in the README.
  std::vector<std::string> lines = ReadmeCommandLines();
  for (const auto& [line, why] : kNotRun) {
    EXPECT_NE(std::find(lines.begin(), lines.end(), line), lines.end())
        << "no longer in the README: " << line;
  }
}

TEST_F(ReadmeCliTest, ApiKeyCreateWritesTheBareKeyWhereAKeyFileIsExpected) {
  const std::string root_key = Bootstrap();
  ServerProcess server(Flags({"--insecure"}));
  ASSERT_GT(server.port(), 0) << server.stderr_text();
  const std::vector<std::string> as_root = {"--insecure", "--api-key-file", root_key};
  auto ctl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), as_root.begin(), as_root.end());
    return Ctl(server.address(), args);
  };
  ASSERT_EQ(ctl({"staff", "upsert", "bot", "--role", "hr"}).exit_code, 0);
  // `apikey create bot > bot.key`: the key alone on stdout.
  Result created = ctl({"apikey", "create", "bot"});
  ASSERT_EQ(created.exit_code, 0) << created;
  EXPECT_TRUE(std::regex_match(created.out, std::regex("ssk_[0-9a-f]{16}_[A-Z2-7]{26}\n")))
      << created.out;
  EXPECT_TRUE(absl::StrContains(created.err, "key_id:")) << created.err;
  const std::string redirected = dir_ + "/bot.key";
  std::ofstream(redirected) << created.out;
  Result used = Ctl(server.address(),
                    {"--insecure", "--api-key-file", redirected, "org", "departments"});
  EXPECT_EQ(used.exit_code, 0) << used;
  // --key-out: a new file, mode 0600, holding the key; never overwritten.
  const std::string out_file = dir_ + "/bot2.key";
  Result written = ctl({"apikey", "create", "bot", "--key-out", out_file});
  ASSERT_EQ(written.exit_code, 0) << written;
  EXPECT_FALSE(absl::StrContains(written.out, "ssk_")) << written.out;
  struct stat st {};
  ASSERT_EQ(stat(out_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Result with_file = Ctl(server.address(),
                         {"--insecure", "--api-key-file", out_file, "org", "departments"});
  EXPECT_EQ(with_file.exit_code, 0) << with_file;
  Result again = ctl({"apikey", "create", "bot", "--key-out", out_file});
  EXPECT_EQ(again.exit_code, 1) << again;
  EXPECT_TRUE(absl::StrContains(again.err, "exists already")) << again.err;
}

TEST_F(ReadmeCliTest, GlobalFlagsWorkAfterTheCommand) {
  ServerProcess server(Flags({"--insecure"}));
  ASSERT_GT(server.port(), 0) << server.stderr_text();
  const std::string a = server.address();
  Result made = Ctl(a, {"--insecure", "--as", "hr", "campaign", "create", "--kind", "customer",
                        "--period", "2026-10"});
  ASSERT_EQ(made.exit_code, 0) << made;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(made.out, m, std::regex("[0-9a-f]{32}"))) << made.out;
  const std::string id = m[0];
  ASSERT_EQ(Ctl(a, {"--insecure", "--as", "hr", "campaign", "open", id}).exit_code, 0);
  ASSERT_EQ(Ctl(a, {"--insecure", "--as", "hr", "campaign", "close", id}).exit_code, 0);
  // The README's line, flag last, and the flag first: the same CSV.
  Result last = Ctl(a, {"--insecure", "--as", "hr", "report", "responses", id, "--format", "csv"});
  Result first =
      Ctl(a, {"--insecure", "--as", "hr", "--format", "csv", "report", "responses", id});
  ASSERT_EQ(last.exit_code, 0) << last;
  ASSERT_EQ(first.exit_code, 0) << first;
  EXPECT_EQ(last.out, first.out);
  // An unknown flag is still a usage error, wherever it stands.
  EXPECT_NE(Ctl(a, {"--insecure", "--as", "hr", "report", "responses", id, "--formt", "csv"})
                .exit_code,
            0);
}

TEST_F(ReadmeCliTest, ATlsFailureSaysWhatFailed) {
  const std::string certs = dir_ + "/certs", other = dir_ + "/other";
  const std::string script = absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/certs.sh");
  ASSERT_EQ(RunProcess({"/bin/bash", script, certs}).exit_code, 0);
  ASSERT_EQ(RunProcess({"/bin/bash", script, other}).exit_code, 0);
  ASSERT_EQ(RunProcess({"/bin/bash", script, other, "staff", "mallory"}).exit_code, 0);
  ServerProcess server(Flags({"--tls-cert", certs + "/server.pem", "--tls-key",
                              certs + "/server.key", "--tls-client-ca", certs + "/ca.pem"}));
  ASSERT_GT(server.port(), 0) << server.stderr_text();
  // The server's certificate is not signed by the CA we trust.
  Result wrong_ca = Ctl(server.address(), {"--tls-ca", other + "/ca.pem", "health"});
  EXPECT_NE(wrong_ca.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(wrong_ca.out + wrong_ca.err, "(TLS: certificate verify failed: "))
      << wrong_ca;
  // Our certificate is from another CA: the server refuses it.
  Result foreign = Ctl(server.address(), {"--tls-ca", certs + "/ca.pem", "--tls-cert",
                                          other + "/staff/mallory.pem", "--tls-key",
                                          other + "/staff/mallory.key", "org", "departments"});
  EXPECT_EQ(foreign.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(foreign.err, "refused the client certificate")) << foreign;
  EXPECT_TRUE(absl::StrContains(foreign.err, "certificate verify failed")) << foreign;
}

TEST_F(ReadmeCliTest, DebugLogsRequestsWithoutSecrets) {
  const std::string root_key_file = Bootstrap();
  const std::string root_key(absl::StripAsciiWhitespace(ReadFile(root_key_file)));
  ServerProcess server(Flags({"--insecure", "--log-level", "debug"}));
  ASSERT_GT(server.port(), 0) << server.stderr_text();
  const std::string a = server.address();
  ASSERT_EQ(Ctl(a, {"--insecure", "--api-key-file", root_key_file, "staff", "list"}).exit_code, 0);
  Result denied = Ctl(a, {"--insecure", "--as", "employee:E1", "staff", "list"});
  EXPECT_EQ(denied.exit_code, 1);
  const std::string log = server.stderr_text();
  EXPECT_TRUE(std::regex_search(log, std::regex(
                                         "r[0-9]+ /survey\\.v1\\.AdminService/ListStaffAccounts -> 0 "
                                         "in [0-9.]+ ms")))
      << log;
  EXPECT_TRUE(std::regex_search(
      log, std::regex("/survey\\.v1\\.AdminService/ListStaffAccounts -> 7 in [0-9.]+ ms: ")))
      << log;
  EXPECT_FALSE(absl::StrContains(log, root_key));
  EXPECT_FALSE(absl::StrContains(log, root_key.substr(21)));  // the secret part
  const std::string pepper(absl::StripAsciiWhitespace(ReadFile(pepper_)));
  EXPECT_FALSE(absl::StrContains(log, pepper));
}

}  // namespace
}  // namespace survey::testing
