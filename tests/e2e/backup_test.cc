// Issue 17: deploy/backup.sh and deploy/restore.sh (mariadb-backup) on the
// encrypted private MariaDB. Answers go in through the real server, the
// campaign is closed (backups are taken after close: README, "Backups"),
// a hot backup is taken with the server running, restored with the key
// into a fresh instance, and the restored database holds every answer:
// the fault suite's checker token by token, and the response and aggregate
// rows byte for byte (count and checksum).
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "crypto/secret_file.h"
#include "crypto/token.h"
#include "fault/checker.h"
#include "fault/demo_campaign.h"
#include "fault/load_client.h"
#include "simulator/simulator.h"
#include "store/db_url.h"
#include "support/process.h"
#include "support/test_server.h"

namespace survey::e2e {
namespace {

using survey::testing::MakeTempDir;
using survey::testing::ReadFile;
using survey::testing::Result;
using survey::testing::RunProcess;
using survey::testing::ServerProcess;

const std::string kDeploy = absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/");

class Instance {
 public:
  explicit Instance(std::string dir) : dir_(std::move(dir)) {}
  ~Instance() { RunProcess({"/bin/bash", kDeploy + "mariadb-private.sh", "stop", dir_, "--purge"}); }
  bool Start() {
    Result r = RunProcess({"/bin/bash", kDeploy + "mariadb-private.sh", "start", dir_});
    EXPECT_EQ(r.exit_code, 0) << r;
    url_ = std::string(absl::StripAsciiWhitespace(r.out));
    return r.exit_code == 0;
  }
  // Rows of a query as the mariadb client prints them (tab-separated).
  std::string Query(const std::string& sql) const {
    Result r = RunProcess({"/usr/bin/mariadb", "--no-defaults", "--socket=" + Socket(),
                           "-uroot", "--batch", "--skip-column-names", "survey", "-e", sql});
    EXPECT_EQ(r.exit_code, 0) << r;
    return r.out;
  }
  std::string Socket() const {
    auto c = store::ParseDbUrl(url_);
    return c.ok() ? c->socket : "";
  }
  const std::string& dir() const { return dir_; }
  const std::string& url() const { return url_; }

 private:
  std::string dir_, url_;
};

// Count and checksum of every row of `table`, independent of order.
std::string TableDigest(const Instance& db, const std::string& table) {
  std::string rows = db.Query(absl::StrCat("SELECT * FROM ", table));
  std::vector<std::string> lines = absl::StrSplit(rows, '\n', absl::SkipEmpty());
  std::sort(lines.begin(), lines.end());
  return absl::StrCat(lines.size(), " rows, hash ",
                      std::hash<std::string>{}(absl::StrJoin(lines, "\n")));
}

TEST(BackupTest, RestoredIntoAFreshInstanceEveryAnswerIsThere) {
  const std::string work = MakeTempDir();
  Instance primary(work + "/primary");
  ASSERT_TRUE(primary.Start());
  auto pepper_path = survey::testing::WriteTestPepper();
  ASSERT_TRUE(pepper_path.ok());
  auto pepper = crypto::ReadSecretFile(*pepper_path, crypto::kMinPepperBytes);
  ASSERT_TRUE(pepper.ok());
  auto server = std::make_unique<ServerProcess>(std::vector<std::string>{
      "--db-url", primary.url(), "--listen", "127.0.0.1:0", "--insecure",
      "--pepper-file", *pepper_path, "--log-level", "warn"});
  ASSERT_GT(server->port(), 0) << server->stderr_text();
  auto ctl = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {SURVEYCTL_BIN, "--server", server->address(),
                                     "--insecure", "--as", "hr"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv);
  };
  auto opened = fault::OpenDemoCampaign(ctl, work, "2026-10", 40);
  ASSERT_TRUE(opened.ok()) << opened.status();
  const std::string& campaign = opened->id;
  const std::vector<std::string>* tokens = &opened->tokens;
  std::vector<fault::PlannedAnswer> plan = fault::PlanAnswers(*tokens, 42);
  fault::LoadOptions options;
  options.rate_per_second = 0;
  fault::LoadReport load = fault::RunLoad(server->address(), plan, options);
  ASSERT_EQ(load.Count(fault::Outcome::kUnacknowledged), 0u);
  Result closed = ctl({"campaign", "close", campaign});
  ASSERT_EQ(closed.exit_code, 0) << closed;

  // Hot backup, the server still running.
  const std::string backup = work + "/backup";
  absl::Time t0 = absl::Now();
  Result b = RunProcess({"/bin/bash", kDeploy + "backup.sh", "--instance", primary.dir(), backup});
  ASSERT_EQ(b.exit_code, 0) << b;
  const double backup_s = absl::ToDoubleSeconds(absl::Now() - t0);
  EXPECT_FALSE(std::filesystem::exists(backup + "/encryption.key"));
  // Encrypted: no answer's comment in any file of the backup.
  uintmax_t bytes = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(backup)) {
    if (!e.is_regular_file()) continue;
    bytes += e.file_size();
    std::string content = ReadFile(e.path().string());
    EXPECT_FALSE(absl::StrContains(content, plan[0].comment)) << e.path();
    EXPECT_FALSE(absl::StrContains(content, plan.back().comment)) << e.path();
  }

  // The wrong key is refused before anything is written.
  const std::string other_key = work + "/other.key";
  std::ofstream(other_key) << "1;" << std::string(64, 'a') << "\n";
  Result wrong = RunProcess({"/bin/bash", kDeploy + "restore.sh", "--key", other_key, backup,
                             "--instance", work + "/wrong"});
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(wrong.err, "not the key")) << wrong;

  t0 = absl::Now();
  Result r = RunProcess({"/bin/bash", kDeploy + "restore.sh", "--key",
                         primary.dir() + "/encryption.key", backup, "--instance",
                         work + "/restored"});
  ASSERT_EQ(r.exit_code, 0) << r;
  Instance restored(work + "/restored");
  ASSERT_TRUE(restored.Start());
  const double restore_s = absl::ToDoubleSeconds(absl::Now() - t0);
  std::printf("BACKUP %zu answers, backup %.1f MiB in %.2f s, restore (prepare, move back, "
              "start) %.2f s\n",
              plan.size(), bytes / 1048576.0, backup_s, restore_s);

  for (const char* table : {"response", "aggregate", "aggregate_sub", "invitation"}) {
    EXPECT_EQ(TableDigest(restored, table), TableDigest(primary, table)) << table;
  }
  auto config = store::ParseDbUrl(restored.url());
  ASSERT_TRUE(config.ok());
  auto check = fault::Check(*config, *pepper, campaign, plan, load);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_TRUE(check->Sound()) << check->Summary();
  EXPECT_EQ(check->stored, plan.size()) << check->Summary();
  server.reset();
}

}  // namespace
}  // namespace survey::e2e
