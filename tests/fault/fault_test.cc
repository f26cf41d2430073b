// The fault suite (issue 11): the real survey-server and a private MariaDB
// of its own, a steady stream of answers from the fault suite's app, and
// one fault per test in the middle of it. After each run the checker holds
// the database to what the app was told, token by token. Zero lost
// acknowledged answers and zero doubles, in every run.
//
// One MariaDB for the whole binary (the faults kill and stop it, so it is
// nobody else's); every test runs its own campaign on it. Registered as a
// single CTest test so the runs never overlap.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "crypto/secret_file.h"
#include "crypto/token.h"
#include "fault/checker.h"
#include "fault/commit_proxy.h"
#include "fault/demo_campaign.h"
#include "fault/load_client.h"
#include "simulator/simulator.h"
#include "store/db_url.h"
#include "support/process.h"
#include "support/test_server.h"

namespace survey::fault {
namespace {

using survey::testing::MakeTempDir;
using survey::testing::ReadFile;
using survey::testing::Result;
using survey::testing::RunProcess;
using survey::testing::ServerProcess;

const std::string kMariadbScript =
    absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/mariadb-private.sh");

// The private MariaDB, driven through the project's own script.
class Database {
 public:
  explicit Database(std::string dir) : dir_(std::move(dir)) {}
  ~Database() { RunProcess({"/bin/bash", kMariadbScript, "stop", dir_, "--purge"}); }

  bool Start() {
    Result r = RunProcess({"/bin/bash", kMariadbScript, "start", dir_});
    if (r.exit_code != 0) {
      ADD_FAILURE() << "mariadb start: " << r;
      return false;
    }
    url_ = std::string(absl::StripAsciiWhitespace(r.out));
    return true;
  }
  bool Stop() {
    return RunProcess({"/bin/bash", kMariadbScript, "stop", dir_}).exit_code == 0;
  }
  pid_t Pid() const {
    return static_cast<pid_t>(std::atoll(ReadFile(dir_ + "/mysqld.pid").c_str()));
  }
  void Signal(int sig) const { ::kill(Pid(), sig); }
  const std::string& url() const { return url_; }

 private:
  std::string dir_, url_;
};

Database* db = nullptr;

class Environment : public ::testing::Environment {
 public:
  void SetUp() override {
    db = new Database(MakeTempDir() + "/mariadb");
    ASSERT_TRUE(db->Start());
  }
  void TearDown() override {
    delete db;
    db = nullptr;
  }
};

// The figures a run is judged and reported by.
struct RunFigures {
  std::string fault;
  LoadReport load;
  CheckResult check;
  double fault_at_s = 0, fault_end_s = 0;
  double recovery_ms = -1;  // fault end to the first acknowledgement after
};

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(db, nullptr);
    auto pepper_path = survey::testing::WriteTestPepper();
    ASSERT_TRUE(pepper_path.ok()) << pepper_path.status();
    pepper_path_ = *pepper_path;
    auto pepper = crypto::ReadSecretFile(pepper_path_, crypto::kMinPepperBytes);
    ASSERT_TRUE(pepper.ok()) << pepper.status();
    pepper_ = *pepper;
    work_ = MakeTempDir();
  }

  // Starts the server against `db_url` on `port` (0: any; then kept for
  // restarts, so the app finds it again at the same address).
  void StartServer(const std::string& db_url) {
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--db-url", db_url, "--listen", absl::StrCat("127.0.0.1:", port_),
        "--insecure", "--health-interval", "0.2", "--shutdown-grace", "5",
        "--pepper-file", pepper_path_, "--log-level", "warn"});
    ASSERT_GT(server_->port(), 0) << server_->stderr_text();
    port_ = server_->port();
    db_url_ = db_url;
  }
  std::string Address() const { return absl::StrCat("127.0.0.1:", port_); }

  Result Ctl(std::vector<std::string> args) {
    std::vector<std::string> argv = {SURVEYCTL_BIN, "--server", Address(),
                                     "--insecure", "--as", "hr"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv);
  }

  // The demo campaign (fault/demo_campaign.h); its tokens.
  std::vector<std::string> OpenCampaign(int per_employee) {
    auto c = OpenDemoCampaign([&](std::vector<std::string> args) { return Ctl(args); },
                              work_, "2026-11", per_employee);
    EXPECT_TRUE(c.ok()) << c.status();
    if (!c.ok()) return {};
    campaign_ = c->id;
    return c->tokens;
  }

  // Runs the load with `fault` injected once `warmup` answers were
  // acknowledged; `fault` returns when the fault is over (the database
  // or server is back). Then closes the campaign and checks.
  RunFigures Run(const std::string& name, const std::function<void()>& fault,
                 int per_employee = 60) {
    RunFigures f;
    f.fault = name;
    std::vector<std::string> tokens = OpenCampaign(per_employee);
    std::vector<PlannedAnswer> plan = PlanAnswers(tokens, std::hash<std::string>{}(name));
    std::atomic<int64_t> acks{0};
    LoadOptions options;
    absl::Time start = absl::Now();
    std::thread load([&] { f.load = RunLoad(Address(), plan, options, &acks); });
    while (acks < static_cast<int64_t>(plan.size() / 5) &&
           absl::Now() - start < absl::Seconds(30)) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    f.fault_at_s = absl::ToDoubleSeconds(absl::Now() - start);
    fault();
    absl::Time fault_end = absl::Now();
    f.fault_end_s = absl::ToDoubleSeconds(fault_end - start);
    load.join();
    for (const TokenRecord& r : f.load.records) {
      if (r.outcome != Outcome::kUnacknowledged && r.finished > fault_end) {
        double ms = absl::ToDoubleMilliseconds(r.finished - fault_end);
        if (f.recovery_ms < 0 || ms < f.recovery_ms) f.recovery_ms = ms;
      }
    }
    // Closed, as a campaign is before anyone reads its scores.
    Result closed = Ctl({"campaign", "close", campaign_});
    EXPECT_EQ(closed.exit_code, 0) << closed;
    auto config = store::ParseDbUrl(db->url());
    EXPECT_TRUE(config.ok());
    auto check = Check(*config, pepper_, campaign_, plan, f.load);
    EXPECT_TRUE(check.ok()) << check.status();
    if (check.ok()) f.check = *check;
    Result verify = Ctl({"verify", campaign_});
    EXPECT_EQ(verify.exit_code, 0) << verify;
    Report(f);
    return f;
  }

  static void Report(const RunFigures& f) {
    const auto& by = f.load.attempts_by_code;
    std::printf(
        "FAULT %-22s answers=%zu ok=%zu already_exists=%zu unacknowledged=%zu "
        "%s | fault at %.2fs, over at %.2fs, recovery %.0f ms, load %.1fs | "
        "attempts: UNAVAILABLE=%lld DEADLINE_EXCEEDED=%lld CANCELLED=%lld "
        "ABORTED=%lld INTERNAL=%lld\n",
        f.fault.c_str(), f.load.records.size(),
        f.load.Count(Outcome::kAcknowledged), f.load.Count(Outcome::kAlreadyExists),
        f.load.Count(Outcome::kUnacknowledged), f.check.Summary().c_str(),
        f.fault_at_s, f.fault_end_s, f.recovery_ms, f.load.elapsed_seconds,
        static_cast<long long>(by[grpc::UNAVAILABLE]),
        static_cast<long long>(by[grpc::DEADLINE_EXCEEDED]),
        static_cast<long long>(by[grpc::CANCELLED]),
        static_cast<long long>(by[grpc::ABORTED]),
        static_cast<long long>(by[grpc::INTERNAL]));
    std::fflush(stdout);
  }

  static void ExpectSound(const RunFigures& f) {
    EXPECT_TRUE(f.check.Sound()) << f.check.Summary();
    EXPECT_EQ(f.check.lost, 0u);
    EXPECT_EQ(f.check.doubled, 0u);
    EXPECT_EQ(f.load.Count(Outcome::kUnacknowledged), 0u)
        << "every answer must get through once the fault is over";
    EXPECT_EQ(f.check.stored, f.load.records.size());
    EXPECT_GE(f.recovery_ms, 0) << "nothing was acknowledged after the fault";
  }

  void RestartServer(int sig) {
    int code = server_->StopWith(sig);
    if (sig == SIGTERM) {
      EXPECT_EQ(code, 0) << server_->stderr_text();
    }
    server_.reset();
    StartServer(db_url_);
  }

  std::string pepper_path_, pepper_, work_, campaign_, db_url_;
  int port_ = 0;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(FaultTest, ConnectionCutAtCommit) {
  auto config = store::ParseDbUrl(db->url());
  ASSERT_TRUE(config.ok());
  auto proxy = CommitProxy::Start(config->port);
  ASSERT_NE(proxy, nullptr);
  store::DbConfig through = *config;
  through.socket.clear();
  through.host = "127.0.0.1";
  through.port = proxy->port();
  StartServer(store::FormatDbUrl(through));
  RunFigures f = Run("connection-cut-at-commit", [&] {
    // Every third COMMIT from here on, alternately never sent and sent
    // with its reply cut.
    proxy->Arm(3, 40);
    absl::Time until = absl::Now() + absl::Seconds(20);
    while (proxy->cut_before_commit() + proxy->cut_after_commit() < 40 &&
           absl::Now() < until) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    proxy->Disarm();
  });
  std::printf("  proxy: %d COMMITs, %d cut before sending, %d cut after\n",
              proxy->commits_seen(), proxy->cut_before_commit(),
              proxy->cut_after_commit());
  EXPECT_GE(proxy->cut_before_commit(), 5) << "the fault did not happen";
  EXPECT_GE(proxy->cut_after_commit(), 5) << "the fault did not happen";
  ExpectSound(f);
  EXPECT_GT(f.load.Count(Outcome::kAlreadyExists), 0u)
      << "a commit whose reply was cut is found delivered on retry";
}

TEST_F(FaultTest, DatabaseKilled) {
  StartServer(db->url());
  RunFigures f = Run("mariadbd-kill-9", [&] {
    db->Signal(SIGKILL);
    absl::SleepFor(absl::Milliseconds(500));
    ASSERT_TRUE(db->Start());
  });
  ExpectSound(f);
}

TEST_F(FaultTest, DatabaseRestartedCleanly) {
  StartServer(db->url());
  RunFigures f = Run("mariadbd-restart", [&] {
    ASSERT_TRUE(db->Stop());
    ASSERT_TRUE(db->Start());
  });
  ExpectSound(f);
}

TEST_F(FaultTest, DatabasePaused) {
  StartServer(db->url());
  RunFigures f = Run("mariadbd-sigstop-4s", [&] {
    db->Signal(SIGSTOP);
    absl::SleepFor(absl::Seconds(4));
    db->Signal(SIGCONT);
  });
  ExpectSound(f);
}

TEST_F(FaultTest, ServerKilled) {
  StartServer(db->url());
  RunFigures f = Run("server-kill-9", [&] { RestartServer(SIGKILL); });
  ExpectSound(f);
}

TEST_F(FaultTest, ServerTerminated) {
  StartServer(db->url());
  absl::Time signalled;
  RunFigures f = Run("server-sigterm", [&] {
    signalled = absl::Now();
    RestartServer(SIGTERM);
  });
  ExpectSound(f);
  // Calls in flight when the signal came are finished or told to retry
  // (UNAVAILABLE), never CANCELLED. (A call sent after the server stopped
  // accepting can meet gRPC 1.51's reset of a stream it will not serve;
  // behind a load balancer the drain period keeps those away, and the app
  // retries them like any other failure: respond.proto.)
  int in_flight_cancelled = 0, late_cancelled = 0;
  for (const FailedAttempt& a : f.load.failures) {
    if (a.code != grpc::CANCELLED) continue;
    ++(a.sent < signalled ? in_flight_cancelled : late_cancelled);
  }
  std::printf("  CANCELLED: %d sent before the signal, %d after\n", in_flight_cancelled,
              late_cancelled);
  EXPECT_EQ(in_flight_cancelled, 0)
      << "a stopping server tells the app to retry, never CANCELLED";
}

}  // namespace
}  // namespace survey::fault

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new survey::fault::Environment());
  return RUN_ALL_TESTS();
}
