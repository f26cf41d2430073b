// Issue 17: nginx in front of two survey-server instances, on loopback.
//
// The test starts its own nginx (deploy/nginx/render.sh --standalone: a
// private prefix in a temp dir, daemon off, its own pid file; the system
// nginx is never touched), TLS from deploy/certs.sh, and two instances on
// the fixture MariaDB sharing one database and one pepper. Addresses:
//   app (the test)      127.0.0.1  -> nginx 127.0.0.1:<port> (TLS, HTTP/2)
//   nginx -> instances  from 127.0.0.3 (grpc_bind) to 127.0.0.2:<ports>
//   instances trust x-survey-client-address only from 127.0.0.3/32
// so "127.0.0.1" appears in nginx's logs only if a client address does.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "crypto/secret_file.h"
#include "crypto/token.h"
#include "fault/checker.h"
#include "fault/demo_campaign.h"
#include "fault/load_client.h"
#include "simulator/simulator.h"
#include "store/db_url.h"
#include "support/process.h"
#include "support/test_db.h"
#include "support/test_server.h"
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

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool Accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// nginx -p DIR -c DIR/nginx.conf, daemon off: the child is the master.
class Nginx {
 public:
  Nginx(const std::string& dir, int port) : dir_(dir) {
    pid_ = ::fork();
    if (pid_ == 0) {
      std::string out = dir + "/nginx.out";
      FILE* f = std::freopen(out.c_str(), "a", stderr);
      (void)f;
      ::execl(NGINX_BIN, NGINX_BIN, "-p", dir.c_str(), "-c",
              (dir + "/nginx.conf").c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    up_ = survey::testing::WaitFor(
        [&] {
          int status;
          if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return true;
          }
          return Accepts(port);
        },
        absl::Seconds(10)) && pid_ > 0;
  }
  ~Nginx() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);  // fast shutdown; workers exit with the master
    int status;
    ::waitpid(pid_, &status, 0);
  }
  bool up() const { return up_; }
  std::string output() const { return ReadFile(dir_ + "/nginx.out"); }

 private:
  std::string dir_;
  pid_t pid_ = -1;
  bool up_ = false;
};

class NginxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_STRNE(NGINX_BIN, "") << "nginx not found: run deploy/install-deps.sh";
    auto db = survey::testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
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

  void StartServers(const std::vector<std::string>& extra = {}) {
    for (int i = 0; i < 2; ++i) {
      std::vector<std::string> flags = {
          "--db-url", db_->url(), "--listen", absl::StrCat(kServerHost, ":0"),
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
    port_ = FreePort();
    std::vector<std::string> argv = {
        "/bin/bash", absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/nginx/render.sh"),
        "--standalone", nginx_dir_, "--listen", absl::StrCat("127.0.0.1:", port_),
        "--cert", work_ + "/certs/server.pem", "--key", work_ + "/certs/server.key",
        "--grpc-bind", kNginxSource,
        // One address (the test) plays every phone here.
        "--req-rate", "5000r/s", "--req-burst", "5000", "--conn-per-address", "200"};
    for (size_t i = 0; i < servers_.size(); ++i) {
      argv.push_back("--upstream");
      argv.push_back(ServerAddress(i));
    }
    Result rendered = RunProcess(argv);
    ASSERT_EQ(rendered.exit_code, 0) << rendered;
    ::chmod(work_.c_str(), 0755);  // nginx's workers run as www-data under root
    std::ofstream(nginx_dir_ + "/nginx.conf") << rendered.out;
    nginx_ = std::make_unique<Nginx>(nginx_dir_, port_);
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

  std::unique_ptr<v1::RespondService::Stub> Stub(const std::string& address, bool tls) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
    if (tls) {
      args.SetSslTargetNameOverride("localhost");
      grpc::SslCredentialsOptions ssl;
      ssl.pem_root_certs = ca_pem_;
      creds = grpc::SslCredentials(ssl);
    }
    return v1::RespondService::NewStub(grpc::CreateCustomChannel(address, creds, args));
  }

  std::unique_ptr<survey::testing::TestDatabase> db_;
  std::string pepper_path_, pepper_, work_, ca_pem_, nginx_dir_, campaign_;
  int port_ = 0;
  std::vector<std::unique_ptr<ServerProcess>> servers_;
  std::unique_ptr<Nginx> nginx_;
};

TEST_F(NginxTest, InstanceKilledMidLoadLosesNoAnswerAndLogsNoRespondent) {
  ASSERT_NO_FATAL_FAILURE(StartServers());
  ASSERT_NO_FATAL_FAILURE(StartNginx());
  std::vector<std::string> tokens = OpenCampaign(80);
  ASSERT_GT(tokens.size(), 500u);
  std::vector<PlannedAnswer> plan = fault::PlanAnswers(tokens, 17);
  LoadOptions options;
  options.threads = 16;
  options.rate_per_second = 800;
  // Measurements: SURVEY_NGINX_TEST_RATE=0 sends as fast as 16 threads go.
  if (const char* rate = std::getenv("SURVEY_NGINX_TEST_RATE")) {
    options.rate_per_second = std::atof(rate);
  }
  options.give_up_after = absl::Seconds(20);
  options.tls_ca_pem = ca_pem_;
  options.tls_server_name = "localhost";
  std::atomic<int64_t> acks{0};
  LoadReport load;
  const absl::Time start = absl::Now();
  std::thread runner([&] { load = fault::RunLoad(NginxAddress(), plan, options, &acks); });
  while (acks < static_cast<int64_t>(plan.size() / 3) &&
         absl::Now() - start < absl::Seconds(20)) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  const int64_t acks_at_kill = acks;
  EXPECT_EQ(servers_[1]->StopWith(SIGKILL), -1);
  runner.join();
  const auto& by = load.attempts_by_code;
  std::printf(
      "NGINX answers=%zu ok=%zu already_exists=%zu unacknowledged=%zu in %.2fs "
      "(%.0f answers/s through nginx, paced at %.0f/s); killed instance 2 after %lld "
      "acks | attempts UNAVAILABLE=%lld DEADLINE_EXCEEDED=%lld CANCELLED=%lld "
      "INTERNAL=%lld UNKNOWN=%lld\n",
      load.records.size(), load.Count(Outcome::kAcknowledged),
      load.Count(Outcome::kAlreadyExists), load.Count(Outcome::kUnacknowledged),
      load.elapsed_seconds, load.records.size() / load.elapsed_seconds,
      options.rate_per_second, static_cast<long long>(acks_at_kill),
      static_cast<long long>(by[grpc::UNAVAILABLE]),
      static_cast<long long>(by[grpc::DEADLINE_EXCEEDED]),
      static_cast<long long>(by[grpc::CANCELLED]),
      static_cast<long long>(by[grpc::INTERNAL]), static_cast<long long>(by[grpc::UNKNOWN]));
  EXPECT_EQ(load.Count(Outcome::kUnacknowledged), 0u)
      << "the surviving instance takes every answer";

  Result closed = Ctl({"campaign", "close", campaign_});
  ASSERT_EQ(closed.exit_code, 0) << closed;
  auto check = fault::Check(db_->config(), pepper_, campaign_, plan, load);
  ASSERT_TRUE(check.ok()) << check.status();
  std::printf("NGINX check: %s\n", check->Summary().c_str());
  EXPECT_TRUE(check->Sound()) << check->Summary();
  EXPECT_EQ(check->lost, 0u);
  EXPECT_EQ(check->doubled, 0u);
  EXPECT_EQ(check->stored, plan.size());

  // Both instances served before the kill (the upstream is really two).
  std::string log = ReadFile(nginx_dir_ + "/access.log");
  ASSERT_FALSE(log.empty());
  EXPECT_TRUE(absl::StrContains(log, "upstream=" + ServerAddress(0)));
  EXPECT_TRUE(absl::StrContains(log, "upstream=" + ServerAddress(1)));
  EXPECT_TRUE(absl::StrContains(log, "POST /survey.v1.RespondService/Submit 200 grpc=0"));
  // No respondent in any log of the front: no client address, no token.
  for (const char* file : {"/access.log", "/error.log"}) {
    std::string text = ReadFile(nginx_dir_ + file);
    EXPECT_FALSE(absl::StrContains(text, "127.0.0.1")) << file << ":\n"
                                                        << text.substr(0, 2000);
    EXPECT_FALSE(absl::StrContains(text, "client:")) << file;
    size_t tokens_found = 0;
    for (const std::string& t : tokens) tokens_found += absl::StrContains(text, t);
    EXPECT_EQ(tokens_found, 0u) << file;
  }
}

TEST_F(NginxTest, AbuseLimiterKeysOnTheRealClientAddress) {
  // Five guesses per address, then one per minute.
  ASSERT_NO_FATAL_FAILURE(StartServers(
      {"--invalid-token-burst", "5", "--invalid-token-per-minute", "1"}));
  ASSERT_NO_FATAL_FAILURE(StartNginx());
  auto through_nginx = Stub(NginxAddress(), true);
  // A guesser claiming a new address on every call. If nginx passed the
  // client's header on, each call would be charged to another address and
  // never refused; nginx replaces it with the TCP peer, so the guesses all
  // land on 127.0.0.1 and both instances' buckets run dry.
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
  // the same client calling an instance directly is refused at once.
  for (int i = 0; i < 2; ++i) {
    auto direct = Stub(ServerAddress(i), false);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::GetSurveyRequest request;
    request.set_token("AAAAAAAAAAAAAAAAAAAAAAAAAA");
    v1::Survey response;
    EXPECT_EQ(direct->GetSurvey(&ctx, request, &response).error_code(),
              grpc::RESOURCE_EXHAUSTED)
        << "instance " << i;
  }
  // Neither the real nor a forged client address reaches the log.
  std::string log = ReadFile(nginx_dir_ + "/access.log");
  EXPECT_FALSE(absl::StrContains(log, "127.0.0.1"));
  EXPECT_FALSE(absl::StrContains(log, "203.0.113.")) << "a forged header reached the log";
}

}  // namespace
}  // namespace survey::e2e
