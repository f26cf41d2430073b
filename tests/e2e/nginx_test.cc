// Issue 17, item 6: the production topology on loopback, end to end.
//
// The test starts its own nginx (deploy/nginx/render.sh --standalone: a
// private prefix in a temp dir, daemon off, its own pid file; the system
// nginx is never touched), TLS from deploy/certs.sh, a MariaDB primary and
// its replica (deploy/mariadb-replica.sh), and two survey-server instances
// writing to the primary (--db-url) and reporting from the replica
// (--db-read-url), sharing one pepper. Addresses:
//   app (the test)      127.0.0.1  -> nginx 127.0.0.1:<port> (TLS, HTTP/2)
//   attacker            127.0.0.9  -> nginx (rapid reset, no credential)
//   nginx -> instances  from 127.0.0.3 (grpc_bind) to 127.0.0.2:<ports>
//   instances trust x-survey-client-address only from 127.0.0.3/32
// so "127.0.0.1" appears in nginx's logs only if a client address does.
//
// In one run (one setup, ~1 minute):
//   1. an HTTP/2 rapid-reset burst at nginx: the instances' memory stays
//      bounded and they answer health checks through nginx during and after;
//   2. answers through nginx, one instance killed mid-load: the fault
//      suite's checker finds nothing lost and nothing doubled;
//   3. the campaign closed: its report comes from the replica;
//   4. the abuse limiter charges the real client, not a forged header;
//   5. no client address and no token in nginx's logs.
//
// Environment (measurements, and breaking it on purpose):
//   SURVEY_NGINX_TEST_RATE=R       answers/s of the load (0 = flat out)
//   SURVEY_RAPID_RESET_SECONDS=S   length of the burst (default 5)
//   SURVEY_RAPID_RESET_DIRECT=1    the burst bypasses nginx and goes straight
//       to instance 1 (plaintext): what nginx protects from. Capped at 3 s
//       and stopped as soon as an instance passes 1 GiB; the test then fails.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "crypto/secret_file.h"
#include "e2e/topology.h"
#include "fault/checker.h"
#include "fault/demo_campaign.h"
#include "fault/load_client.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "store/db_url.h"
#include "support/process.h"
#include "support/rapid_reset.h"
#include "support/test_db.h"
#include "support/test_server.h"
#include "survey/v1/report.grpc.pb.h"
#include "survey/v1/respond.grpc.pb.h"

namespace survey::e2e {
namespace {

using survey::fault::LoadOptions;
using survey::fault::LoadReport;
using survey::fault::Outcome;
using survey::fault::PlannedAnswer;
using survey::testing::MakeTempDir;
using survey::testing::ReadFile;
using survey::testing::Result;
using survey::testing::RunProcess;
using survey::testing::ServerProcess;

constexpr char kServerHost[] = "127.0.0.2";
constexpr char kNginxSource[] = "127.0.0.3";
constexpr char kAttacker[] = "127.0.0.9";
constexpr long kMiB = 1024;  // in KiB, as /proc reports

double EnvOr(const char* name, double fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::atof(v) : fallback;
}

class NginxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_STRNE(NGINX_BIN, "") << "nginx not found: run deploy/install-deps.sh";
    auto pepper_path = survey::testing::WriteTestPepper();
    ASSERT_TRUE(pepper_path.ok()) << pepper_path.status();
    pepper_path_ = *pepper_path;
    auto pepper = crypto::ReadSecretFile(pepper_path_, crypto::kMinPepperBytes);
    ASSERT_TRUE(pepper.ok()) << pepper.status();
    pepper_ = *pepper;
    work_ = MakeTempDir();
    Result certs = RunProcess(
        {"/bin/bash", absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/certs.sh"), work_ + "/certs"});
    ASSERT_EQ(certs.exit_code, 0) << certs;
    ca_pem_ = ReadFile(work_ + "/certs/ca.pem");
    ASSERT_FALSE(ca_pem_.empty());
  }
  void TearDown() override {
    nginx_.reset();
    servers_.clear();  // before their databases
  }

  void StartDatabases() {
    primary_ = std::make_unique<PrivateMariaDb>(work_ + "/primary");
    replica_ = std::make_unique<PrivateMariaDb>(work_ + "/replica");
    std::string err;
    replica_url_ = AttachReplica(*primary_, *replica_, &err);
    ASSERT_FALSE(replica_url_.empty()) << err;
    primary_url_ = primary_->Url();
    auto config = store::ParseDbUrl(primary_url_);
    ASSERT_TRUE(config.ok()) << config.status();
    primary_config_ = *config;
  }

  void StartServers(const std::vector<std::string>& extra) {
    for (int i = 0; i < 2; ++i) {
      std::vector<std::string> flags = {
          "--db-url", primary_url_, "--db-read-url", replica_url_,
          "--listen", absl::StrCat(kServerHost, ":0"),
          "--insecure", "--health-interval", "0.2", "--shutdown-grace", "5",
          "--pepper-file", pepper_path_, "--log-level", "warn",
          "--trusted-gateway", absl::StrCat(kNginxSource, "/32")};
      flags.insert(flags.end(), extra.begin(), extra.end());
      servers_.push_back(std::make_unique<ServerProcess>(flags));
      ASSERT_GT(servers_.back()->port(), 0) << servers_.back()->stderr_text();
    }
  }
  std::string ServerAddress(int i) const {
    return absl::StrCat(kServerHost, ":", servers_[i]->port());
  }

  void StartNginx() {
    nginx_dir_ = work_ + "/nginx";
    port_ = FreeLoopbackPort();
    std::vector<std::string> argv = {
        "/bin/bash", absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/nginx/render.sh"),
        "--standalone", nginx_dir_, "--listen", absl::StrCat("127.0.0.1:", port_),
        "--cert", work_ + "/certs/server.pem", "--key", work_ + "/certs/server.key",
        "--grpc-bind", kNginxSource,
        // One address (the test) plays every phone here; the attacker gets
        // the same raised limits, harder on nginx than production's.
        "--req-rate", "5000r/s", "--req-burst", "5000", "--conn-per-address", "200"};
    for (size_t i = 0; i < servers_.size(); ++i) {
      argv.push_back("--upstream");
      argv.push_back(ServerAddress(static_cast<int>(i)));
    }
    Result rendered = RunProcess(argv);
    ASSERT_EQ(rendered.exit_code, 0) << rendered;
    ::chmod(work_.c_str(), 0755);  // nginx's workers run as www-data under root
    std::ofstream(nginx_dir_ + "/nginx.conf") << rendered.out;
    nginx_ = std::make_unique<NginxProcess>(NGINX_BIN, nginx_dir_, port_);
    ASSERT_TRUE(nginx_->up()) << nginx_->output() << ReadFile(nginx_dir_ + "/error.log");
  }
  std::string NginxAddress() const { return absl::StrCat("127.0.0.1:", port_); }

  Result Ctl(std::vector<std::string> args) {
    std::vector<std::string> argv = {SURVEYCTL_BIN, "--server", ServerAddress(0),
                                     "--insecure", "--as", "hr"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv);
  }

  // The fault suite's demo campaign (fault/demo_campaign.h); its tokens.
  std::vector<std::string> OpenCampaign(int per_employee) {
    auto c = fault::OpenDemoCampaign([&](std::vector<std::string> args) { return Ctl(args); },
                                     work_, "2026-11", per_employee);
    EXPECT_TRUE(c.ok()) << c.status();
    if (!c.ok()) return {};
    campaign_ = c->id;
    return c->tokens;
  }

  std::shared_ptr<grpc::Channel> Channel(const std::string& address, bool tls) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
    if (tls) {
      args.SetSslTargetNameOverride("localhost");
      grpc::SslCredentialsOptions ssl;
      ssl.pem_root_certs = ca_pem_;
      creds = grpc::SslCredentials(ssl);
    }
    return grpc::CreateCustomChannel(address, creds, args);
  }
  static bool Serving(grpc::health::v1::Health::Stub& health, absl::Duration deadline) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    grpc::health::v1::HealthCheckResponse resp;
    return health.Check(&ctx, {}, &resp).ok() &&
           resp.status() == grpc::health::v1::HealthCheckResponse::SERVING;
  }

  void RapidResetBurstLeavesTheServersServing();
  void InstanceKilledMidLoadLosesNoAnswer(const std::vector<std::string>& tokens);
  void ReportAfterCloseComesFromTheReplica();
  void AbuseLimiterKeysOnTheRealClientAddress();

  std::string pepper_path_, pepper_, work_, ca_pem_, nginx_dir_, campaign_;
  std::string primary_url_, replica_url_;
  store::DbConfig primary_config_;
  std::unique_ptr<PrivateMariaDb> primary_, replica_;
  int port_ = 0;
  std::vector<std::unique_ptr<ServerProcess>> servers_;
  std::unique_ptr<NginxProcess> nginx_;
  LoadReport load_;
};

// gRPC 1.51 alone grows by gigabytes under this burst and never gives the
// memory back (issue 17). Behind nginx an instance sees at most nginx's
// own requests, one upstream stream each, whose cancellation frees them;
// the bound (twice the memory before, plus 100 MiB for allocator arenas
// and the upstream connections' buffers) is far under that growth.
void NginxTest::RapidResetBurstLeavesTheServersServing() {
  const bool direct = std::getenv("SURVEY_RAPID_RESET_DIRECT") != nullptr;
  survey::testing::RapidResetOptions attack;
  attack.duration = absl::Seconds(EnvOr("SURVEY_RAPID_RESET_SECONDS", 5));
  attack.connections = 2;
  attack.host = "127.0.0.1";
  attack.port = port_;
  attack.source = kAttacker;
  if (direct) {  // breaking it on purpose: no nginx in front
    attack.host = kServerHost;
    attack.port = servers_[1]->port();
    attack.tls = false;
    attack.duration = std::min(attack.duration, absl::Seconds(3));
  }
  std::vector<long> before, peak, after;
  for (const auto& s : servers_) before.push_back(ResidentKiB(s->pid()));
  peak = before;
  std::atomic<bool> stop{false}, done{false};
  attack.stop = &stop;
  std::thread sampler([&] {
    while (!done) {
      for (size_t i = 0; i < servers_.size(); ++i) {
        peak[i] = std::max(peak[i], ResidentKiB(servers_[i]->pid()));
        if (peak[i] > 1024 * kMiB) stop = true;  // safety: this machine is shared
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
  });
  survey::testing::RapidResetReport burst;
  std::thread attacker([&] {
    // A real attacker's CPU is not ours; here it shares two cores with
    // nginx, both instances and whatever CTest runs beside this test. At a
    // lower priority (inherited by the connections' threads) it still
    // sends as fast as the cores allow when they are otherwise idle.
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
    burst = survey::testing::RunRapidReset(attack);
  });
  // Meanwhile the app checks health through nginx on its own connection.
  auto health = grpc::health::v1::Health::NewStub(Channel(NginxAddress(), true));
  int checks = 0, failed = 0, failed_in_a_row = 0, longest_outage = 0;
  const absl::Time end = absl::Now() + attack.duration;
  while (absl::Now() < end && !stop) {
    ++checks;
    if (Serving(*health, absl::Seconds(2))) {
      failed_in_a_row = 0;
    } else {
      ++failed;
      longest_outage = std::max(longest_outage, ++failed_in_a_row);
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  attacker.join();
  // Right after: through nginx and at each instance, within 2 s.
  const bool serving_after = Serving(*health, absl::Seconds(2));
  std::vector<bool> instance_serving;
  for (int i = 0; i < 2; ++i) {
    auto direct_health = grpc::health::v1::Health::NewStub(Channel(ServerAddress(i), false));
    instance_serving.push_back(Serving(*direct_health, absl::Seconds(2)));
  }
  done = true;
  sampler.join();
  for (const auto& s : servers_) after.push_back(ResidentKiB(s->pid()));
  // What reached the instances: the burst's requests nginx logged, and
  // those it passed upstream (the rest it refused or ended itself).
  int logged = 0, passed = 0;
  for (absl::string_view line : absl::StrSplit(ReadFile(nginx_dir_ + "/access.log"), '\n')) {
    if (!absl::StrContains(line, "/survey.v1.RespondService/Submit")) continue;
    ++logged;
    passed += absl::StrContains(line, absl::StrCat("upstream=", kServerHost));
  }
  std::printf("RAPID RESET nginx logged %d of the burst's requests, passed %d to an instance\n",
              logged, passed);
  std::printf("RAPID RESET %s: %s\n", direct ? "straight at instance 2 (no nginx)" : "at nginx",
              burst.Summary().c_str());
  std::printf(
      "RAPID RESET instances' VmRSS before / peak / after: %ld / %ld / %ld MiB and %ld / %ld / "
      "%ld MiB; health through nginx during the burst: %d of %d answered SERVING within 2 s\n",
      before[0] / kMiB, peak[0] / kMiB, after[0] / kMiB, before[1] / kMiB, peak[1] / kMiB,
      after[1] / kMiB, checks - failed, checks);
  EXPECT_GT(burst.streams_sent, 10000) << "the burst hardly ran: " << burst.Summary();
  for (size_t i = 0; i < servers_.size(); ++i) {
    const long bound = 2 * before[i] + 100 * kMiB;
    EXPECT_LE(peak[i], bound) << "instance " << i + 1 << " grew under the burst";
    EXPECT_LE(after[i], bound) << "instance " << i + 1 << " kept the memory";
    EXPECT_TRUE(instance_serving[i]) << "instance " << i + 1 << " stopped serving";
  }
  // An outage is checks failing one after another; a single check over
  // 2 s among several that answer is the shared CPU (seen once in three
  // runs with two busy loops beside the test), not the servers.
  EXPECT_GE(checks, 4);
  EXPECT_LE(longest_outage, 1) << "health checks through nginx failed in a row during the burst";
  EXPECT_LE(failed * 4, checks) << "health checks through nginx failed during the burst";
  EXPECT_TRUE(serving_after) << "not serving through nginx right after the burst";
}

void NginxTest::InstanceKilledMidLoadLosesNoAnswer(const std::vector<std::string>& tokens) {
  std::vector<PlannedAnswer> plan = fault::PlanAnswers(tokens, 17);
  LoadOptions options;
  options.threads = 16;
  options.rate_per_second = EnvOr("SURVEY_NGINX_TEST_RATE", 800);
  options.give_up_after = absl::Seconds(20);
  options.tls_ca_pem = ca_pem_;
  options.tls_server_name = "localhost";
  std::atomic<int64_t> acks{0};
  const absl::Time start = absl::Now();
  std::thread runner([&] { load_ = fault::RunLoad(NginxAddress(), plan, options, &acks); });
  while (acks < static_cast<int64_t>(plan.size() / 3) &&
         absl::Now() - start < absl::Seconds(20)) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  const int64_t acks_at_kill = acks;
  EXPECT_EQ(servers_[1]->StopWith(SIGKILL), -1);
  runner.join();
  const auto& by = load_.attempts_by_code;
  std::printf(
      "NGINX answers=%zu ok=%zu already_exists=%zu unacknowledged=%zu in %.2fs "
      "(%.0f answers/s through nginx, paced at %.0f/s); killed instance 2 after %lld "
      "acks | attempts UNAVAILABLE=%lld DEADLINE_EXCEEDED=%lld CANCELLED=%lld "
      "INTERNAL=%lld UNKNOWN=%lld\n",
      load_.records.size(), load_.Count(Outcome::kAcknowledged),
      load_.Count(Outcome::kAlreadyExists), load_.Count(Outcome::kUnacknowledged),
      load_.elapsed_seconds, load_.records.size() / load_.elapsed_seconds,
      options.rate_per_second, static_cast<long long>(acks_at_kill),
      static_cast<long long>(by[grpc::UNAVAILABLE]),
      static_cast<long long>(by[grpc::DEADLINE_EXCEEDED]),
      static_cast<long long>(by[grpc::CANCELLED]),
      static_cast<long long>(by[grpc::INTERNAL]), static_cast<long long>(by[grpc::UNKNOWN]));
  EXPECT_EQ(load_.Count(Outcome::kUnacknowledged), 0u)
      << "the surviving instance takes every answer";

  Result closed = Ctl({"campaign", "close", campaign_});
  ASSERT_EQ(closed.exit_code, 0) << closed;
  auto check = fault::Check(primary_config_, pepper_, campaign_, plan, load_);
  ASSERT_TRUE(check.ok()) << check.status();
  std::printf("NGINX check: %s\n", check->Summary().c_str());
  EXPECT_TRUE(check->Sound()) << check->Summary();
  EXPECT_EQ(check->lost, 0u);
  EXPECT_EQ(check->doubled, 0u);
  EXPECT_EQ(check->stored, plan.size());
}

// As replica_test: a mark made on the replica alone, before the first
// report (the server keeps a closed campaign's figures once read), shows
// in the report, so the report came from the replica, closed.
void NginxTest::ReportAfterCloseComesFromTheReplica() {
  const std::string position = primary_->Root("SELECT @@GLOBAL.gtid_binlog_pos");
  const absl::Time t0 = absl::Now();
  ASSERT_EQ(replica_->Root(absl::StrCat("SELECT MASTER_GTID_WAIT('", position, "', 30)")), "0");
  std::printf("REPLICA applied the close %.1f ms after it was acknowledged\n",
              absl::ToDoubleMilliseconds(absl::Now() - t0));
  replica_->Root(absl::StrCat("UPDATE aggregate SET n = n + 1000 WHERE campaign_id = '",
                              campaign_, "'"));
  auto reports = v1::ReportService::NewStub(Channel(ServerAddress(0), false));
  v1::OrganisationReportRequest req;
  req.mutable_range()->set_month("2026-11");
  v1::OrganisationReport out;
  grpc::Status s = reports->GetOrganisationReport(
      survey::testing::TestServer::Context("hr").get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  int64_t answers = 0;
  int released = 0;
  for (const v1::RankedSubject& d : out.departments()) {
    answers += static_cast<int64_t>(d.figures().responses().value());
    if (d.figures().total().suppression() == v1::SUPPRESSION_NONE) ++released;
  }
  const auto acked = static_cast<int64_t>(load_.Count(Outcome::kAcknowledged) +
                                          load_.Count(Outcome::kAlreadyExists));
  EXPECT_GT(answers, acked + 999) << "the report did not come from the replica";
  EXPECT_GT(released, 0) << "the report shows the campaign open";
}

void NginxTest::AbuseLimiterKeysOnTheRealClientAddress() {
  auto through_nginx = v1::RespondService::NewStub(Channel(NginxAddress(), true));
  // A guesser claiming a new address on every call. If nginx passed the
  // client's header on, each call would be charged to another address and
  // never refused; nginx replaces it with the TCP peer, so the guesses all
  // land on 127.0.0.1 and the bucket runs dry.
  int refused_in_a_row = 0, calls = 0;
  for (; calls < 60 && refused_in_a_row < 6; ++calls) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-survey-client-address", absl::StrCat("203.0.113.", calls + 1));
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::GetSurveyRequest request;
    request.set_token(absl::StrCat("AAAAAAAAAAAAAAAAAAAAAAAAA", calls % 10));
    v1::Survey response;
    grpc::Status s = through_nginx->GetSurvey(&ctx, request, &response);
    ASSERT_NE(s.error_code(), grpc::OK);
    ASSERT_NE(s.error_code(), grpc::UNAVAILABLE) << s.error_message();
    refused_in_a_row = s.error_code() == grpc::RESOURCE_EXHAUSTED ? refused_in_a_row + 1 : 0;
  }
  EXPECT_EQ(refused_in_a_row, 6) << "after " << calls
                                 << " guesses with forged x-survey-client-address";
  EXPECT_LE(calls, 20);
  // The charged key is the real client (127.0.0.1), not nginx (127.0.0.3):
  // the same client calling the surviving instance directly is refused.
  auto direct = v1::RespondService::NewStub(Channel(ServerAddress(0), false));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::GetSurveyRequest request;
  request.set_token("AAAAAAAAAAAAAAAAAAAAAAAAAA");
  v1::Survey response;
  EXPECT_EQ(direct->GetSurvey(&ctx, request, &response).error_code(),
            grpc::RESOURCE_EXHAUSTED);
}

TEST_F(NginxTest, ProductionTopologyOnLoopback) {
  const absl::Time t0 = absl::Now();
  ASSERT_NO_FATAL_FAILURE(StartDatabases());
  const absl::Time t_db = absl::Now();
  // Five guesses per address, then one per minute (step 4).
  ASSERT_NO_FATAL_FAILURE(StartServers({"--invalid-token-burst", "5",
                                        "--invalid-token-per-minute", "1"}));
  ASSERT_NO_FATAL_FAILURE(StartNginx());
  std::vector<std::string> tokens = OpenCampaign(80);
  ASSERT_GT(tokens.size(), 500u);

  ASSERT_NO_FATAL_FAILURE(RapidResetBurstLeavesTheServersServing());
  ASSERT_NO_FATAL_FAILURE(InstanceKilledMidLoadLosesNoAnswer(tokens));
  ASSERT_NO_FATAL_FAILURE(ReportAfterCloseComesFromTheReplica());
  ASSERT_NO_FATAL_FAILURE(AbuseLimiterKeysOnTheRealClientAddress());

  // Both instances served before the kill (the upstream is really two).
  std::string log = ReadFile(nginx_dir_ + "/access.log");
  ASSERT_FALSE(log.empty());
  EXPECT_TRUE(absl::StrContains(log, "upstream=" + ServerAddress(0)));
  EXPECT_TRUE(absl::StrContains(log, "upstream=" + ServerAddress(1)));
  EXPECT_TRUE(absl::StrContains(log, "POST /survey.v1.RespondService/Submit 200 grpc=0"));
  // No respondent in any log of the front: no client or attacker address,
  // no forged address, no token.
  for (const char* file : {"/access.log", "/error.log"}) {
    std::string text = ReadFile(nginx_dir_ + file);
    for (const char* address : {"127.0.0.1", kAttacker, "203.0.113."}) {
      EXPECT_FALSE(absl::StrContains(text, address)) << file << ":\n" << text.substr(0, 2000);
    }
    EXPECT_FALSE(absl::StrContains(text, "client:")) << file;
    size_t tokens_found = 0;
    for (const std::string& t : tokens) tokens_found += absl::StrContains(text, t);
    EXPECT_EQ(tokens_found, 0u) << file;
  }
  std::printf("TOPOLOGY databases ready in %.1f s, whole test %.1f s\n",
              absl::ToDoubleSeconds(t_db - t0), absl::ToDoubleSeconds(absl::Now() - t0));
}

}  // namespace
}  // namespace survey::e2e
