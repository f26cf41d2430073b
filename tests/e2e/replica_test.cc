// Issue 17, item 3: reports from a MariaDB replica (--db-read-url), never
// from one that has not applied what the primary had committed.
//
// deploy/mariadb-replica.sh makes a primary and a replica on loopback;
// survey-server writes to the primary and reads reports through
// store/mysql/read_routing.h. The test:
//   1. answers and close; how long the replica takes to apply the close;
//   2. a mark made on the replica alone shows in the report: reports do
//      come from the replica when it has caught up;
//   3. with the replica's SQL thread stopped, a second campaign closed on
//      the primary is reported at once, closed and with all its answers:
//      the reads fell back to the primary;
//   4. after a close the primary keeps one binary log file, begun after
//      the close (the answers' transactions are not kept there).
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "fault/demo_campaign.h"
#include "fault/load_client.h"
#include "store/db_url.h"
#include "support/process.h"
#include "support/test_server.h"
#include "survey/v1/report.grpc.pb.h"

namespace survey::e2e {
namespace {

using survey::testing::MakeTempDir;
using survey::testing::Result;
using survey::testing::RunProcess;
using survey::testing::ServerProcess;

const std::string kDeploy = absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/");

// A mariadb-private.sh instance, stopped and purged at the end.
struct Instance {
  std::string dir;
  ~Instance() { RunProcess({"/bin/bash", kDeploy + "mariadb-private.sh", "stop", dir, "--purge"}); }
  std::string Url() const {
    Result r = RunProcess({"/bin/bash", kDeploy + "mariadb-private.sh", "url", dir});
    return std::string(absl::StripAsciiWhitespace(r.out));
  }
  std::string Root(const std::string& sql) const {
    auto c = store::ParseDbUrl(Url());
    Result r = RunProcess({"/usr/bin/mariadb", "--no-defaults", "--socket=" + c->socket, "-uroot",
                           "--batch", "--skip-column-names", "survey", "-e", sql});
    EXPECT_EQ(r.exit_code, 0) << sql << "\n" << r;
    return std::string(absl::StripAsciiWhitespace(r.out));
  }
};

// What the organisation report shows for `month`: every answer it counts,
// and how many departments have a released total (none while the campaign
// is open: its scores appear once it is closed).
struct Shown {
  int64_t answers = 0;
  int released = 0;
};
Shown Report(v1::ReportService::Stub& reports, const std::string& month) {
  v1::OrganisationReportRequest req;
  req.mutable_range()->set_month(month);
  v1::OrganisationReport out;
  grpc::Status s = reports.GetOrganisationReport(testing::TestServer::Context("hr").get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  Shown shown;
  for (const v1::RankedSubject& d : out.departments()) {
    shown.answers += static_cast<int64_t>(d.figures().responses().value());
    if (d.figures().total().suppression() == v1::SUPPRESSION_NONE) ++shown.released;
  }
  return shown;
}

int BinaryLogFiles(const Instance& db) {
  std::string logs = db.Root("SHOW BINARY LOGS");
  return static_cast<int>(std::vector<std::string>(absl::StrSplit(logs, '\n', absl::SkipEmpty())).size());
}

TEST(ReplicaTest, ReportsComeFromTheReplicaOnlyOnceItHasCaughtUp) {
  const std::string work = MakeTempDir();
  fault::LoadOptions flat_out;
  flat_out.rate_per_second = 0;
  Instance primary{work + "/primary"}, replica{work + "/replica"};
  Result attached = RunProcess({"/bin/bash", kDeploy + "mariadb-replica.sh", "attach",
                                primary.dir, replica.dir});
  ASSERT_EQ(attached.exit_code, 0) << attached;
  const std::string replica_url(absl::StripAsciiWhitespace(attached.out));
  auto pepper = testing::WriteTestPepper();
  ASSERT_TRUE(pepper.ok());
  auto server = std::make_unique<ServerProcess>(std::vector<std::string>{
      "--db-url", primary.Url(), "--db-read-url", replica_url, "--listen", "127.0.0.1:0",
      "--insecure", "--pepper-file", *pepper, "--log-level", "warn"});
  ASSERT_GT(server->port(), 0) << server->stderr_text();
  auto ctl = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {SURVEYCTL_BIN, "--server", server->address(), "--insecure",
                                     "--as", "hr"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv);
  };
  auto reports = v1::ReportService::NewStub(
      grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials()));

  // 1. Closed, then reported at once: the replica waited for the close.
  auto first = fault::OpenDemoCampaign(ctl, work, "2026-09", 6);
  ASSERT_TRUE(first.ok()) << first.status();
  fault::LoadReport load = fault::RunLoad(server->address(), fault::PlanAnswers(first->tokens, 1),
                                          flat_out);
  const int64_t acked = static_cast<int64_t>(load.Count(fault::Outcome::kAcknowledged));
  ASSERT_GT(acked, 0);
  Result closed = ctl({"campaign", "close", first->id});
  ASSERT_EQ(closed.exit_code, 0) << closed;
  const std::string position = primary.Root("SELECT @@GLOBAL.gtid_binlog_pos");
  const absl::Time t0 = absl::Now();
  EXPECT_EQ(replica.Root(absl::StrCat("SELECT MASTER_GTID_WAIT('", position, "', 30)")), "0");
  std::printf("REPLICA applied the close %.1f ms after it was acknowledged\n",
              absl::ToDoubleMilliseconds(absl::Now() - t0));
  EXPECT_EQ(BinaryLogFiles(primary), 1) << "older binary logs should be purged at close";

  // 2. A mark on the replica alone (root passes read_only), made before the
  // first report (the server keeps a closed campaign's cells once read):
  // the report shows it, so it came from the replica, and shows the
  // campaign closed.
  replica.Root(absl::StrCat("UPDATE aggregate SET n = n + 1000 WHERE campaign_id = '", first->id,
                            "'"));
  Shown from_replica = Report(*reports, "2026-09");
  EXPECT_GT(from_replica.answers, acked + 999) << "the report did not come from the replica";
  EXPECT_GT(from_replica.released, 0);

  // 3. Replica stopped: the next close is on the primary only, and is
  // reported at once, closed, with every answer: from the primary.
  replica.Root("STOP SLAVE SQL_THREAD");
  auto second = fault::OpenDemoCampaign(ctl, MakeTempDir(), "2026-08", 4);
  ASSERT_TRUE(second.ok()) << second.status();
  fault::LoadReport load2 =
      fault::RunLoad(server->address(), fault::PlanAnswers(second->tokens, 2), flat_out);
  const int64_t acked2 = static_cast<int64_t>(load2.Count(fault::Outcome::kAcknowledged));
  ASSERT_EQ(ctl({"campaign", "close", second->id}).exit_code, 0);
  Shown from_primary = Report(*reports, "2026-08");
  EXPECT_EQ(from_primary.answers, acked2) << "reported from a replica behind";
  EXPECT_GT(from_primary.released, 0) << "shown as open: read from a replica behind";
  replica.Root("START SLAVE SQL_THREAD");
  server.reset();
}

}  // namespace
}  // namespace survey::e2e
