// The server's life as an operator and a load balancer see it (issue 11),
// with the shipped binary: one server per port; on SIGTERM a drain period
// that keeps serving while health says NOT_SERVING; a stop bounded by
// --shutdown-grace even with the database paused, where respondents are
// told to retry (never CANCELLED) and a retry with the same token is
// counted exactly once; and no internals in any caller's message when the
// database is down. Tests that stop or pause MariaDB use a private one.
#include <cppconn/connection.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <numeric>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "api/auth.h"
#include "crypto/random.h"
#include "crypto/token.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "store/db_url.h"
#include "store/mysql/connection_pool.h"
#include "support/process.h"
#include "support/test_db.h"
#include "support/test_server.h"
#include "survey/v1/admin.grpc.pb.h"
#include "survey/v1/respond.grpc.pb.h"

namespace survey::testing {
namespace {

using grpc::health::v1::HealthCheckResponse;
using Trailers = std::multimap<std::string, std::string>;

// A MariaDB of the test's own, which it may stop or pause (SIGSTOP).
class PrivateMariaDb {
 public:
  PrivateMariaDb() : dir_(MakeTempDir() + "/db") {}
  ~PrivateMariaDb() {
    Resume();
    Script("stop", " --purge");
  }
  std::string Start() { return Script("start"); }
  bool Stop() { return system(Command("stop").c_str()) == 0; }
  void Pause() { kill(Pid(), SIGSTOP); }
  void Resume() {
    if (pid_t pid = Pid(); pid > 0) kill(pid, SIGCONT);
  }

 private:
  std::string Command(const std::string& action, const std::string& extra = "") const {
    return absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/mariadb-private.sh ", action, " ",
                        dir_, extra, " 2>/dev/null");
  }
  std::string Script(const std::string& action, const std::string& extra = "") const {
    std::string out;
    if (FILE* p = popen(Command(action, extra).c_str(), "r")) {
      char buf[512];
      while (fgets(buf, sizeof buf, p) != nullptr) out += buf;
      if (pclose(p) != 0) out.clear();
    }
    return std::string(absl::StripAsciiWhitespace(out));
  }
  pid_t Pid() const {
    std::string pid(absl::StripAsciiWhitespace(ReadFile(dir_ + "/mysqld.pid")));
    return pid.empty() ? -1 : std::stoi(pid);
  }
  std::string dir_;
};

struct Outcome {
  grpc::Status status;
  Trailers trailers;
};

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& principal = "") {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  if (!principal.empty()) ctx->AddMetadata(api::kDevPrincipalHeader, principal);
  return ctx;
}

Trailers TrailersOf(const grpc::ClientContext& ctx) {
  Trailers out;
  for (const auto& [k, v] : ctx.GetServerTrailingMetadata()) {
    out.emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
  }
  return out;
}

std::string Trailer(const Trailers& t, const std::string& key) {
  auto it = t.find(key);
  return it == t.end() ? "" : it->second;
}

std::shared_ptr<grpc::Channel> NewChannel(const std::string& address) {
  grpc::ChannelArguments args;
  // A fresh connection per channel: a new client arriving.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

HealthCheckResponse::ServingStatus Health(const std::shared_ptr<grpc::Channel>& ch) {
  grpc::health::v1::HealthCheckRequest req;
  HealthCheckResponse resp;
  auto ctx = Ctx();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  if (!grpc::health::v1::Health::NewStub(ch)->Check(ctx.get(), req, &resp).ok()) {
    return HealthCheckResponse::UNKNOWN;
  }
  return resp.status();
}

int64_t Count(const store::DbConfig& config, const std::string& query) {
  auto c = store::mysql::Connect(config);
  if (!c.ok()) return -1;
  std::unique_ptr<sql::Statement> st((*c)->createStatement());
  std::unique_ptr<sql::ResultSet> rs(st->executeQuery(query));
  return rs->next() ? rs->getInt64(1) : -1;
}

const std::vector<int> kScores = {8, 6, 7, 9, 9, 5, 6, 7, 8};

Outcome Submit(const std::shared_ptr<grpc::Channel>& ch, const std::string& token) {
  v1::SubmitRequest req;
  req.set_token(token);
  for (int s : kScores) req.add_scores(s);
  v1::SubmitResponse resp;
  auto ctx = Ctx();
  grpc::Status s = v1::RespondService::NewStub(ch)->Submit(ctx.get(), req, &resp);
  return {s, TrailersOf(*ctx)};
}

Outcome GetSurvey(const std::shared_ptr<grpc::Channel>& ch, const std::string& token) {
  v1::GetSurveyRequest req;
  req.set_token(token);
  v1::Survey resp;
  auto ctx = Ctx();
  grpc::Status s = v1::RespondService::NewStub(ch)->GetSurvey(ctx.get(), req, &resp);
  return {s, TrailersOf(*ctx)};
}

Outcome ListDepartments(const std::shared_ptr<grpc::Channel>& ch,
                        std::unique_ptr<grpc::ClientContext> ctx) {
  v1::ListDepartmentsRequest req;
  v1::ListDepartmentsResponse resp;
  grpc::Status s = v1::AdminService::NewStub(ch)->ListDepartments(ctx.get(), req, &resp);
  return {s, TrailersOf(*ctx)};
}

// One department, one employee, an open customer campaign of this month,
// and `n` tokens for it (through AdminService, as surveyctl does).
std::vector<std::string> IssueTokens(const std::shared_ptr<grpc::Channel>& ch, int n) {
  auto admin = v1::AdminService::NewStub(ch);
  v1::ImportOrgRequest org;
  v1::Department* d = org.add_departments();
  d->set_code("AS");
  d->set_name("售后服务部");
  v1::Employee* e = org.add_employees();
  e->set_employee_no("E1");
  e->set_name("王一");
  e->set_department_code("AS");
  e->set_post_type(v1::POST_TYPE_OTHER);
  e->set_position(v1::POSITION_AFTER_SALES_ENGINEER);
  v1::ImportOrgResponse imported;
  EXPECT_TRUE(admin->ImportOrg(Ctx("hr").get(), org, &imported).ok());
  v1::CreateCampaignRequest create;
  create.mutable_campaign()->set_kind(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
  create.mutable_campaign()->set_period(
      absl::FormatTime("%Y-%m", absl::Now(), absl::UTCTimeZone()));
  create.mutable_campaign()->set_template_key("default");
  create.mutable_campaign()->mutable_title()->set_zh("满意度");
  v1::Campaign campaign;
  grpc::Status s = admin->CreateCampaign(Ctx("hr").get(), create, &campaign);
  EXPECT_TRUE(s.ok()) << s.error_message();
  v1::CampaignTransitionRequest open;
  open.set_id(campaign.id());
  EXPECT_TRUE(admin->OpenCampaign(Ctx("hr").get(), open, &campaign).ok());
  v1::IssueInvitationsRequest issue;
  issue.set_campaign_id(campaign.id());
  for (int i = 0; i < n; ++i) issue.add_events()->set_subject_employee_no("E1");
  auto ctx = Ctx("hr");
  auto reader = admin->IssueInvitations(ctx.get(), issue);
  std::vector<std::string> tokens;
  v1::IssuedInvitation inv;
  while (reader->Read(&inv)) tokens.push_back(inv.token());
  EXPECT_TRUE(reader->Finish().ok());
  return tokens;
}

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pepper = WriteTestPepper();
    ASSERT_TRUE(pepper.ok()) << pepper.status();
    pepper_ = *pepper;
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(std::filesystem::path(pepper_).parent_path(), ignored);
  }
  std::unique_ptr<ServerProcess> StartServer(const std::string& db_url,
                                             std::vector<std::string> extra = {}) {
    std::vector<std::string> flags = {"--db-url", db_url, "--listen", "127.0.0.1:0",
                                      "--insecure", "--health-interval", "0.1",
                                      "--pepper-file", pepper_};
    flags.insert(flags.end(), extra.begin(), extra.end());
    auto server = std::make_unique<ServerProcess>(flags);
    EXPECT_GT(server->port(), 0) << server->stderr_text();
    return server;
  }
  bool WaitServing(const ServerProcess& server) {
    auto ch = NewChannel(server.address());
    return WaitFor([&] { return Health(ch) == HealthCheckResponse::SERVING; },
                   absl::Seconds(10));
  }
  std::string pepper_;
};

TEST_F(LifecycleTest, SecondServerOnATakenPortRefusesToStart) {
  auto db = TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  auto first = StartServer((*db)->url());
  ASSERT_TRUE(WaitServing(*first));
  std::string address = first->address();

  ServerProcess second({"--db-url", (*db)->url(), "--listen", address, "--insecure",
                        "--pepper-file", pepper_});
  ASSERT_EQ(second.port(), 0) << "a second server started on " << address;
  EXPECT_EQ(second.WaitExit(), 1);
  EXPECT_TRUE(absl::StrContains(second.stderr_text(),
                                absl::StrCat("cannot listen on ", address)))
      << second.stderr_text();
  // The first one still serves, on every new connection.
  for (int i = 0; i < 8; ++i) {
    Outcome list = ListDepartments(NewChannel(address), Ctx("hr"));
    EXPECT_TRUE(list.status.ok()) << list.status.error_message();
  }
  EXPECT_EQ(first->StopWith(SIGTERM), 0);
}

TEST_F(LifecycleTest, DrainPeriodServesEveryCallWhileHealthSaysNotServing) {
  auto db = TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  constexpr absl::Duration kDrain = absl::Seconds(3);
  auto server = StartServer((*db)->url(), {"--drain-period", "3", "--shutdown-grace", "5"});
  ASSERT_TRUE(WaitServing(*server));
  auto watched = NewChannel(server->address());
  ASSERT_EQ(Health(watched), HealthCheckResponse::SERVING);
  std::string token = IssueTokens(watched, 1).at(0);

  absl::Time sigterm = absl::Now();
  kill(server->pid(), SIGTERM);
  EXPECT_TRUE(WaitFor([&] { return Health(watched) == HealthCheckResponse::NOT_SERVING; },
                      absl::Seconds(1)));
  // Until shortly before the drain ends, new clients and old ones are
  // served: a staff call on a new connection, a respondent's on the old.
  int served = 0;
  while (absl::Now() < sigterm + kDrain - absl::Milliseconds(500)) {
    auto fresh = NewChannel(server->address());
    EXPECT_EQ(Health(fresh), HealthCheckResponse::NOT_SERVING);
    Outcome list = ListDepartments(fresh, Ctx("hr"));
    EXPECT_TRUE(list.status.ok()) << list.status.error_message();
    Outcome get = GetSurvey(watched, token);
    EXPECT_TRUE(get.status.ok()) << get.status.error_message();
    served += list.status.ok() + get.status.ok();
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(server->WaitExit(), 0) << server->stderr_text();
  absl::Duration stopped = absl::Now() - sigterm;
  std::printf("drain: %d calls served during the drain; exit %.2f s after SIGTERM\n",
              served, absl::ToDoubleSeconds(stopped));
  EXPECT_GE(stopped, kDrain);
  EXPECT_LT(stopped, kDrain + absl::Seconds(1.5)) << server->stderr_text();
  EXPECT_GE(served, 10);
}

TEST_F(LifecycleTest, SecondSignalEndsTheDrainPeriod) {
  auto db = TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  auto server = StartServer((*db)->url(), {"--drain-period", "60"});
  ASSERT_TRUE(WaitServing(*server));
  auto ch = NewChannel(server->address());
  absl::Time sigterm = absl::Now();
  kill(server->pid(), SIGTERM);
  ASSERT_TRUE(WaitFor([&] { return Health(ch) == HealthCheckResponse::NOT_SERVING; },
                      absl::Seconds(1)));
  EXPECT_EQ(server->StopWith(SIGINT), 0);
  EXPECT_LT(absl::Now() - sigterm, absl::Seconds(5)) << server->stderr_text();
}

// Apps keep calling, as a busy server sees them, when SIGTERM arrives: each
// hears OK or UNAVAILABLE (and backs off by retry-after-ms, as the contract
// asks); none CANCELLED, which gRPC answers to calls that are in transit
// when it stops accepting.
TEST_F(LifecycleTest, SigtermUnderLoadCancelsNothing) {
  auto db = TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  auto server = StartServer((*db)->url());
  ASSERT_TRUE(WaitServing(*server));
  std::string token = IssueTokens(NewChannel(server->address()), 1).at(0);
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, told{0};
  std::mutex mu;
  std::map<grpc::StatusCode, int> codes;
  std::vector<std::thread> apps;
  for (int i = 0; i < 32; ++i) {
    apps.emplace_back([&] {
      auto ch = NewChannel(server->address());
      while (!stop) {
        Outcome o = GetSurvey(ch, token);
        ok += o.status.ok();
        told += Trailer(o.trailers, "reason") == "SHUTTING_DOWN";
        {
          std::lock_guard<std::mutex> lock(mu);
          ++codes[o.status.error_code()];
        }
        std::string wait = Trailer(o.trailers, "retry-after-ms");
        if (!wait.empty()) absl::SleepFor(absl::Milliseconds(std::stoi(wait)));
      }
    });
  }
  ASSERT_TRUE(WaitFor([&] { return ok > 500; }, absl::Seconds(10)));
  EXPECT_EQ(server->StopWith(SIGTERM), 0);
  stop = true;
  for (std::thread& t : apps) t.join();
  std::printf("sigterm under load: OK %d, UNAVAILABLE %d (%d SHUTTING_DOWN), CANCELLED %d\n",
              codes[grpc::OK], codes[grpc::UNAVAILABLE], told.load(), codes[grpc::CANCELLED]);
  EXPECT_EQ(codes[grpc::CANCELLED], 0);
  // The apps were told to back off before the server stopped accepting.
  EXPECT_GE(told, 16);
  EXPECT_EQ(codes[grpc::OK] + codes[grpc::UNAVAILABLE],
            std::accumulate(codes.begin(), codes.end(), 0,
                            [](int n, const auto& c) { return n + c.second; }));
}

// The database stops answering (SIGSTOP) with answers and lookups in
// flight; SIGTERM must still end the server within the grace, and every
// respondent call must hear UNAVAILABLE with the SHUTTING_DOWN reason and a
// retry-after-ms (none CANCELLED). Retried later with the same token, each
// answer is counted exactly once (OK, or ALREADY_EXISTS if the abandoned
// attempt did commit).
TEST_F(LifecycleTest, PausedDatabaseStopsWithinGraceAndTellsRespondentsToRetry) {
  PrivateMariaDb mariadb;
  std::string url = mariadb.Start();
  ASSERT_FALSE(url.empty()) << "private MariaDB did not start";
  constexpr double kGrace = 2;
  auto server = StartServer(url, {"--shutdown-grace", "2"});
  ASSERT_TRUE(WaitServing(*server));
  auto ch = NewChannel(server->address());
  std::vector<std::string> tokens = IssueTokens(ch, 12);
  ASSERT_EQ(tokens.size(), 12u);

  mariadb.Pause();
  std::vector<Outcome> outcomes(tokens.size());
  std::vector<absl::Time> answered_at(tokens.size());
  std::vector<std::thread> calls;
  for (size_t i = 0; i < tokens.size(); ++i) {
    calls.emplace_back([&, i] {
      outcomes[i] = i < 8 ? Submit(ch, tokens[i]) : GetSurvey(ch, tokens[i]);
      answered_at[i] = absl::Now();
    });
  }
  // The health probe times out (2 s) once the database hangs; by then the
  // calls have long reached the server and wait for the database.
  ASSERT_TRUE(WaitFor([&] { return Health(ch) == HealthCheckResponse::NOT_SERVING; },
                      absl::Seconds(10)));
  absl::Time sigterm = absl::Now();
  kill(server->pid(), SIGTERM);
  EXPECT_EQ(server->WaitExit(), 0) << server->stderr_text();
  absl::Duration stopped = absl::Now() - sigterm;
  for (std::thread& t : calls) t.join();
  absl::Duration answered = *std::max_element(answered_at.begin(), answered_at.end()) - sigterm;
  std::printf("paused database: exit %.2f s, last call answered %.2f s after SIGTERM "
              "(grace %.0f s)\n",
              absl::ToDoubleSeconds(stopped), absl::ToDoubleSeconds(answered), kGrace);
  EXPECT_LT(stopped, absl::Seconds(kGrace + 1));
  EXPECT_LT(answered, absl::Seconds(kGrace + 1));
  // Lookups that needed a new connection may have failed on its connect
  // timeout (3 s) before the stop: "DATABASE_UNAVAILABLE", also a retry.
  std::map<std::string, int> reasons;
  for (const Outcome& o : outcomes) {
    EXPECT_EQ(o.status.error_code(), grpc::UNAVAILABLE) << o.status.error_message();
    std::string reason = Trailer(o.trailers, "reason");
    EXPECT_TRUE(reason == "SHUTTING_DOWN" || reason == "DATABASE_UNAVAILABLE")
        << "reason \"" << reason << "\": " << o.status.error_message();
    EXPECT_FALSE(Trailer(o.trailers, "retry-after-ms").empty());
    ++reasons[reason];
  }
  std::printf("paused database: %d told SHUTTING_DOWN, %d DATABASE_UNAVAILABLE\n",
              reasons["SHUTTING_DOWN"], reasons["DATABASE_UNAVAILABLE"]);
  EXPECT_GE(reasons["SHUTTING_DOWN"], 8);  // at least the Submits

  mariadb.Resume();
  auto again = StartServer(url);
  ASSERT_TRUE(WaitServing(*again));
  auto ch2 = NewChannel(again->address());
  for (size_t i = 0; i < 8; ++i) {
    grpc::StatusCode code = Submit(ch2, tokens[i]).status.error_code();
    EXPECT_TRUE(code == grpc::OK || code == grpc::ALREADY_EXISTS) << code;
  }
  auto config = store::ParseDbUrl(url);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(Count(*config, "SELECT COUNT(*) FROM response"), 8);
  EXPECT_EQ(Count(*config, "SELECT COUNT(*) FROM invitation WHERE state = 'used'"), 8);
  EXPECT_EQ(again->StopWith(SIGTERM), 0);
}

// A message must not tell a stranger where the database is or what it is:
// no host, port, socket path, user name, product, SQL or error number.
void ExpectNothingInternal(const Outcome& o, const std::string& what,
                           const store::DbConfig& db) {
  std::string message = absl::AsciiStrToLower(o.status.error_message());
  SCOPED_TRACE(absl::StrCat(what, ": ", o.status.error_code(), " ", message));
  EXPECT_EQ(o.status.error_code(), grpc::UNAVAILABLE);
  std::vector<std::string> secrets = {"127.0.0.1", "localhost", "survey", "mysql",
                                      "maria",     "sql",       "socket", "error",
                                      "/tmp",      db.user};
  if (!db.host.empty()) secrets.push_back(db.host);
  if (!db.socket.empty()) secrets.push_back(db.socket);
  for (const auto& [key, value] : o.trailers) {
    for (const std::string& s : secrets) EXPECT_FALSE(absl::StrContains(value, s)) << key;
  }
  for (const std::string& s : secrets) EXPECT_FALSE(absl::StrContains(message, s)) << s;
  for (char c : message) EXPECT_FALSE(std::isdigit(static_cast<unsigned char>(c)));
  EXPECT_EQ(Trailer(o.trailers, "reason"), "DATABASE_UNAVAILABLE");
  EXPECT_FALSE(Trailer(o.trailers, "retry-after-ms").empty());
}

TEST_F(LifecycleTest, DatabaseDownRevealsNothingToRespondentsOrStaff) {
  PrivateMariaDb mariadb;
  std::string url = mariadb.Start();
  ASSERT_FALSE(url.empty()) << "private MariaDB did not start";
  auto config = store::ParseDbUrl(url);
  ASSERT_TRUE(config.ok());
  auto server = StartServer(url);
  ASSERT_TRUE(WaitServing(*server));
  ASSERT_TRUE(mariadb.Stop());
  auto ch = NewChannel(server->address());
  ASSERT_TRUE(WaitFor([&] { return Health(ch) == HealthCheckResponse::NOT_SERVING; },
                      absl::Seconds(10)));

  absl::StatusOr<std::string> token = crypto::GenerateToken(crypto::SystemRandom());
  ASSERT_TRUE(token.ok());
  ExpectNothingInternal(Submit(ch, *token), "Submit", *config);
  ExpectNothingInternal(GetSurvey(ch, *token), "GetSurvey", *config);
  ExpectNothingInternal(ListDepartments(ch, Ctx("hr")), "staff (dev identity)", *config);
  // An API key is looked up in the database before anything else.
  auto keyed = Ctx();
  keyed->AddMetadata("authorization",
                     "Bearer ssk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAA");
  ExpectNothingInternal(ListDepartments(ch, std::move(keyed)), "staff (API key)", *config);
  // What surveyctl prints, too.
  Result ctl = RunProcess({SURVEYCTL_BIN, "--server", server->address(), "--insecure",
                           "--as", "hr", "org", "departments"});
  EXPECT_EQ(ctl.exit_code, 1) << ctl;
  for (const std::string& s : {std::string("mysql"), std::string("socket"),
                               std::to_string(config->port), config->socket}) {
    if (!s.empty() && s != "0") {
      EXPECT_FALSE(absl::StrContains(ctl.err, s)) << ctl;
    }
  }
  // The details are in the server's log.
  EXPECT_EQ(server->StopWith(SIGTERM), 0);
  EXPECT_TRUE(absl::StrContains(server->stderr_text(), "(error ")) << server->stderr_text();
}

}  // namespace
}  // namespace survey::testing
