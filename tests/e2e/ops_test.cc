// Issue 17, operations, with the shipped binary: a --config file; the
// Prometheus endpoint on its own listener, whose counters move by exactly
// what was done; the TLS certificate replaced on SIGHUP without dropping
// open connections.
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "fault/demo_campaign.h"
#include "fault/load_client.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "support/process.h"
#include "support/test_db.h"
#include "support/test_server.h"
#include "survey/v1/respond.grpc.pb.h"

namespace survey::testing {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckResponse;

// One HTTP/1.0 GET on 127.0.0.1:port; the whole reply ("" if none).
std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string reply;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string request = absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: localhost\r\n\r\n");
    if (write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buf[4096];
      for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) reply.append(buf, n);
    }
  }
  close(fd);
  return reply;
}

// Every sample of an exposition: "name{labels}" -> value.
std::map<std::string, double> Samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

double Get(const std::map<std::string, double>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

std::string WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

grpc::Status Submit(v1::RespondService::Stub& stub, const std::string& token,
                    std::vector<int> scores, const std::string& id) {
  v1::SubmitRequest request;
  request.set_token(token);
  request.set_submission_id(id);
  for (int s : scores) request.add_scores(s);
  v1::SubmitResponse response;
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  return stub.Submit(&ctx, request, &response);
}

TEST(OpsTest, ConfigFileAndMetricsCountExactlyWhatWasDone) {
  auto db = TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  auto pepper = WriteTestPepper();
  ASSERT_TRUE(pepper.ok()) << pepper.status();
  const std::string work = MakeTempDir();
  // Everything but the log level from the file (keys = long flag names);
  // the flag below overrides the file's log level.
  const std::string conf = WriteFile(
      work + "/server.conf",
      absl::StrCat("# survey-server test configuration\n"
                   "db-url = ", (*db)->url(), "\n"
                   "pepper-file = ", *pepper, "\n"
                   "listen = 127.0.0.1:0\n"
                   "metrics-listen = 127.0.0.1:0\n"
                   "insecure = true\n"
                   "health-interval = 0.1\n"
                   "invalid-token-burst = 2\n"
                   "invalid-token-per-minute = 0.01\n"
                   "log-level = debug\n"));
  ServerProcess server({"--config", conf, "--log-level", "warn"});
  ASSERT_GT(server.port(), 0) << server.stderr_text();
  ASSERT_GT(server.metrics_port(), 0) << server.stderr_text();
  ASSERT_NE(server.metrics_port(), server.port());

  auto scrape = [&] {
    std::string reply = HttpGet(server.metrics_port(), "/metrics");
    EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
    EXPECT_NE(reply.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
    return Samples(reply.substr(reply.find("\r\n\r\n") + 4));
  };
  ASSERT_TRUE(WaitFor([&] { return Get(scrape(), "survey_health_serving") == 1; },
                      absl::Seconds(10)));

  auto ctl = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {SURVEYCTL_BIN, "--server", server.address(),
                                     "--insecure", "--as", "hr"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv);
  };
  auto campaign = fault::OpenDemoCampaign(ctl, work, "2026-10", 1);
  ASSERT_TRUE(campaign.ok()) << campaign.status();
  std::vector<fault::PlannedAnswer> plan = fault::PlanAnswers(campaign->tokens, 7);
  ASSERT_GE(plan.size(), 6u);

  const std::map<std::string, double> before = scrape();
  auto stub = v1::RespondService::NewStub(
      grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  constexpr int kAnswers = 5;
  for (int i = 0; i < kAnswers; ++i) {
    ASSERT_TRUE(Submit(*stub, plan[i].token, plan[i].scores, "m" + std::to_string(i)).ok());
  }
  // Delivered twice: ALREADY_EXISTS, through the queue.
  EXPECT_EQ(Submit(*stub, plan[0].token, plan[0].scores, "m0").error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  // Refused by the pure checks, never queued.
  EXPECT_EQ(Submit(*stub, plan[5].token, {11, 1, 1, 1, 1, 1, 1, 1, 1}, "bad").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // Two unknown well-formed tokens use the address's budget of 2 (queued,
  // NOT_FOUND); the third is refused by the abuse limit before the queue.
  const std::string unknown = "AAAAAAAAAAAAAAAAAAAAAAAAAA";
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(Submit(*stub, unknown, plan[5].scores, "u").error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  EXPECT_EQ(Submit(*stub, unknown, plan[5].scores, "u").error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);

  std::map<std::string, double> after;
  // Pool leases are returned just after the answers are sent.
  ASSERT_TRUE(WaitFor(
      [&] {
        after = scrape();
        return Get(after, "survey_db_pool_connections_in_use") == 0;
      },
      absl::Seconds(10)));
  auto delta = [&](const std::string& key) { return Get(after, key) - Get(before, key); };
  EXPECT_EQ(delta("survey_submit_total{code=\"OK\"}"), kAnswers);
  EXPECT_EQ(delta("survey_submit_total{code=\"ALREADY_EXISTS\"}"), 1);
  EXPECT_EQ(delta("survey_submit_total{code=\"INVALID_ARGUMENT\"}"), 1);
  EXPECT_EQ(delta("survey_submit_total{code=\"NOT_FOUND\"}"), 2);
  EXPECT_EQ(delta("survey_submit_total{code=\"RESOURCE_EXHAUSTED\"}"), 1);
  EXPECT_EQ(delta("survey_abuse_refusals_total{limit=\"invalid_token\"}"), 1);
  // Sequential calls: one answer per batch; 5 + 1 + 2 went through the queue.
  EXPECT_EQ(delta("survey_ingest_batch_size_sum"), kAnswers + 1 + 2);
  EXPECT_EQ(delta("survey_ingest_batch_size_count"), kAnswers + 1 + 2);
  EXPECT_EQ(delta("survey_ingest_batch_size_bucket{le=\"1\"}"), kAnswers + 1 + 2);
  EXPECT_EQ(delta("survey_ingest_commit_seconds_count"), kAnswers + 1 + 2);
  EXPECT_GT(delta("survey_ingest_commit_seconds_sum"), 0);
  EXPECT_EQ(Get(after, "survey_ingest_queue_depth"), 0);
  EXPECT_EQ(Get(after, "survey_db_commits_in_doubt_total"), 0);
  EXPECT_GT(Get(after, "survey_db_pool_connections_max"), 0);
  EXPECT_GT(Get(after, "survey_db_pool_connections_open"), 0);
  EXPECT_EQ(Get(after, "survey_health_serving"), 1);
  EXPECT_EQ(after.count("survey_build_info{version=\"0.1.0\"}"), 1u);

  // The endpoint is not on the gRPC port, and the gRPC port is not on the
  // metrics listener.
  EXPECT_EQ(HttpGet(server.port(), "/metrics").find("survey_build_info"), std::string::npos);
  auto health = Health::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", server.metrics_port()), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(3)));
  HealthCheckResponse resp;
  EXPECT_FALSE(health->Check(&ctx, {}, &resp).ok());

  // Draining: health goes to 0 on the endpoint too.
  kill(server.pid(), SIGTERM);
  EXPECT_EQ(server.WaitExit(), 0);
}

TEST(OpsTest, MetricsListenerIsOffByDefaultAndABadAddressStopsTheStart) {
  auto db = TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  auto pepper = WriteTestPepper();
  ASSERT_TRUE(pepper.ok()) << pepper.status();
  {
    ServerProcess server({"--db-url", (*db)->url(), "--pepper-file", *pepper,
                          "--listen", "127.0.0.1:0", "--insecure"});
    ASSERT_GT(server.port(), 0) << server.stderr_text();
    EXPECT_EQ(server.metrics_port(), 0);
  }
  ServerProcess bad({"--db-url", (*db)->url(), "--pepper-file", *pepper, "--listen",
                     "127.0.0.1:0", "--insecure", "--metrics-listen", "127.0.0.1"});
  EXPECT_EQ(bad.WaitExit(), 1);
  EXPECT_NE(bad.stderr_text().find("--metrics-listen"), std::string::npos)
      << bad.stderr_text();
}

// deploy/certs.sh into a fresh directory: a CA of its own and the server's
// certificate for 127.0.0.1.
std::string MakeCerts() {
  std::string dir = MakeTempDir() + "/certs";
  Result r = RunProcess({"/bin/sh", "-c",
                         absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/certs.sh ", dir)});
  EXPECT_EQ(r.exit_code, 0) << r;
  return dir;
}

std::shared_ptr<grpc::Channel> TlsChannel(int port, const std::string& ca_file) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadFile(ca_file);
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::SslCredentials(ssl), args);
}

grpc::Status Check(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(3)));
  HealthCheckResponse resp;
  return Health::NewStub(channel)->Check(&ctx, {}, &resp);
}

void CopyInto(const std::string& from, const std::string& to) {
  for (const char* name : {"server.pem", "server.key", "ca.pem"}) {
    std::filesystem::copy_file(from + "/" + name, to + "/" + name,
                               std::filesystem::copy_options::overwrite_existing);
  }
}

TEST(OpsTest, SighupReloadsTheCertificateWithoutDroppingConnections) {
  auto db = TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  auto pepper = WriteTestPepper();
  ASSERT_TRUE(pepper.ok()) << pepper.status();
  const std::string old_certs = MakeCerts(), new_certs = MakeCerts();
  const std::string live = MakeTempDir();
  CopyInto(old_certs, live);
  ServerProcess server({"--db-url", (*db)->url(), "--pepper-file", *pepper, "--listen",
                        "127.0.0.1:0", "--tls-cert", live + "/server.pem", "--tls-key",
                        live + "/server.key", "--tls-client-ca", live + "/ca.pem",
                        "--health-interval", "0.1"});
  ASSERT_GT(server.port(), 0) << server.stderr_text();
  // A connection made with the old certificate, kept open.
  auto open_before = TlsChannel(server.port(), old_certs + "/ca.pem");
  ASSERT_TRUE(Check(open_before).ok());
  EXPECT_FALSE(Check(TlsChannel(server.port(), new_certs + "/ca.pem")).ok());

  // New files alone change nothing until the reload.
  CopyInto(new_certs, live);
  EXPECT_TRUE(Check(TlsChannel(server.port(), old_certs + "/ca.pem")).ok());
  kill(server.pid(), SIGHUP);
  EXPECT_TRUE(WaitFor([&] { return Check(TlsChannel(server.port(), new_certs + "/ca.pem")).ok(); },
                      absl::Seconds(10)))
      << server.stderr_text();
  EXPECT_FALSE(Check(TlsChannel(server.port(), old_certs + "/ca.pem")).ok());
  // The connection from before still serves (a reconnect would fail: its
  // channel trusts only the old CA).
  EXPECT_TRUE(Check(open_before).ok());
  EXPECT_EQ(open_before->GetState(false), GRPC_CHANNEL_READY);

  // A broken pair (old key, new certificate) is refused; the new pair stays.
  std::filesystem::copy_file(old_certs + "/server.key", live + "/server.key",
                             std::filesystem::copy_options::overwrite_existing);
  kill(server.pid(), SIGHUP);
  EXPECT_TRUE(WaitFor(
      [&] { return server.stderr_text().find("TLS not reloaded") != std::string::npos; },
      absl::Seconds(10)));
  EXPECT_TRUE(Check(TlsChannel(server.port(), new_certs + "/ca.pem")).ok());
  EXPECT_EQ(server.StopWith(SIGTERM), 0);
}


// The long flag names `binary --help` lists, without the one-shot commands.
std::set<std::string> FlagNames(const std::string& binary) {
  Result help = RunProcess({binary, "--help"});
  std::set<std::string> names;
  std::regex flag("(^|[ ,])--([a-z0-9-]+)");
  std::istringstream in(help.out);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, flag)) names.insert(m[2]);
  }
  for (const char* skip : {"help", "config", "bootstrap-admin", "bootstrap-key-days"}) {
    names.erase(skip);
  }
  return names;
}

// The keys an example configuration mentions, set or commented out.
std::set<std::string> ExampleKeys(const std::string& path) {
  std::set<std::string> keys;
  std::regex key("^#? ?([a-z0-9-]+) =");
  std::istringstream in(ReadFile(path));
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, key)) keys.insert(m[1]);
  }
  return keys;
}

std::string Mode(const std::string& path) {
  struct stat st{};
  if (stat(path.c_str(), &st) != 0) return "missing";
  char buf[8];
  snprintf(buf, sizeof buf, "%04o", st.st_mode & 07777);
  return buf;
}

TEST(OpsTest, InstallShStagesTheTreeAndIsIdempotent) {
  const std::string dest = MakeTempDir() + "/root";
  auto install = [&] {
    return RunProcess({"/bin/bash", absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/install.sh"),
                       "--build-dir", SURVEY_BINARY_DIR, "--prefix", "/opt/survey"},
                      {"DESTDIR=" + dest});
  };
  Result first = install();
  ASSERT_EQ(first.exit_code, 0) << first;
  for (const auto& [path, mode] : std::vector<std::pair<std::string, std::string>>{
           {"/opt/survey/bin/survey-server", "0755"},
           {"/opt/survey/bin/survey-gateway", "0755"},
           {"/opt/survey/bin/surveyctl", "0755"},
           {"/opt/survey/share/survey/deploy/certs.sh", "0755"},
           {"/opt/survey/share/survey/deploy/nginx/render.sh", "0755"},
           {"/opt/survey/share/doc/survey/README.md", "0644"},
           {"/etc/systemd/system/survey-server@.service", "0644"},
           {"/etc/systemd/system/survey-gateway.service", "0644"},
           {"/etc/survey", "0750"},
           {"/etc/survey/tls", "0750"},
           {"/etc/survey/server.conf.example", "0640"},
           {"/etc/survey/gateway.conf.example", "0640"},
           {"/etc/survey/pepper", "0600"}}) {
    EXPECT_EQ(Mode(dest + path), mode) << path;
  }
  // The units follow --prefix.
  const std::string unit = ReadFile(dest + "/etc/systemd/system/survey-server@.service");
  EXPECT_NE(unit.find("ExecStart=/opt/survey/bin/survey-server --config "
                      "/etc/survey/server-%i.conf"),
            std::string::npos);
  EXPECT_NE(unit.find("ExecReload=/bin/kill -HUP $MAINPID"), std::string::npos);
  const std::string pepper = ReadFile(dest + "/etc/survey/pepper");
  EXPECT_EQ(pepper.size(), 65u);  // 32 random bytes in hex and a newline

  // Again: same tree, the pepper kept, a live configuration untouched.
  std::ofstream(dest + "/etc/survey/server-a.conf") << "listen = 127.0.0.1:50052\n";
  Result second = install();
  ASSERT_EQ(second.exit_code, 0) << second;
  EXPECT_EQ(ReadFile(dest + "/etc/survey/pepper"), pepper);
  EXPECT_EQ(ReadFile(dest + "/etc/survey/server-a.conf"), "listen = 127.0.0.1:50052\n");
  EXPECT_EQ(Mode(dest + "/etc/survey/server-a.conf"), "0640");

  // The examples document every option, and every key in them is one the
  // installed binaries accept (--help runs after the file is read).
  for (const auto& [binary, example] : std::vector<std::pair<std::string, std::string>>{
           {"survey-server", "server.conf.example"},
           {"survey-gateway", "gateway.conf.example"}}) {
    const std::string bin = dest + "/opt/survey/bin/" + binary;
    const std::string conf = dest + "/etc/survey/" + example;
    EXPECT_EQ(ExampleKeys(conf), FlagNames(bin)) << example;
    Result parsed = RunProcess({bin, "--config", conf, "--help"});
    EXPECT_EQ(parsed.exit_code, 0) << example << ": " << parsed;
    // With every commented key switched on too.
    std::string all = ReadFile(conf);
    all = std::regex_replace(all, std::regex("(^|\n)# ?([a-z0-9-]+ =)"), "$1$2");
    const std::string uncommented = MakeTempDir() + "/all.conf";
    std::ofstream(uncommented) << all;
    Result every = RunProcess({bin, "--config", uncommented, "--help"});
    EXPECT_EQ(every.exit_code, 0) << example << " uncommented: " << every;
  }

  // systemd's own check of the units, where systemd-analyze exists: the
  // staged units with their binaries' staged paths, against this host's
  // systemd (a staging root has no sysinit.target).
  if (access("/usr/bin/systemd-analyze", X_OK) == 0) {
    const std::string units = MakeTempDir();
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
             {"survey-server@.service", "survey-server@a.service"},
             {"survey-gateway.service", "survey-gateway.service"}}) {
      std::string text = ReadFile(dest + "/etc/systemd/system/" + from);
      text = std::regex_replace(text, std::regex("/opt/survey/bin/"),
                                dest + "/opt/survey/bin/");
      std::ofstream(units + "/" + to) << text;
      Result verify = RunProcess({"/usr/bin/systemd-analyze", "verify", units + "/" + to});
      EXPECT_EQ(verify.exit_code, 0) << to << ": " << verify;
      EXPECT_EQ(verify.err, "") << to;
    }
  }
}


int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// Health through a standalone nginx rendered by deploy/nginx/render.sh
// with `extra` options, in front of the TLS instance at `upstream`.
bool HealthThroughNginx(const std::string& certs, const std::string& upstream,
                        const std::vector<std::string>& extra) {
  const std::string dir = MakeTempDir() + "/nginx";
  chmod(dir.substr(0, dir.rfind('/')).c_str(), 0755);  // workers: www-data
  const int port = FreePort();
  std::vector<std::string> argv = {
      "/bin/bash", absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/nginx/render.sh"),
      "--standalone", dir, "--listen", absl::StrCat("127.0.0.1:", port), "--cert",
      certs + "/server.pem", "--key", certs + "/server.key", "--upstream", upstream};
  argv.insert(argv.end(), extra.begin(), extra.end());
  Result rendered = RunProcess(argv);
  EXPECT_EQ(rendered.exit_code, 0) << rendered;
  std::ofstream(dir + "/nginx.conf") << rendered.out;
  pid_t pid = fork();
  if (pid == 0) {
    execl(NGINX_BIN, NGINX_BIN, "-p", dir.c_str(), "-c", (dir + "/nginx.conf").c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  auto channel = TlsChannel(port, certs + "/ca.pem");
  // Up when nginx answers the TLS handshake; then one health check.
  bool up = WaitFor([&] { return channel->WaitForConnected(absl::ToChronoTime(
                              absl::Now() + absl::Milliseconds(200))); },
                    absl::Seconds(10));
  bool serving = up && Check(channel).ok();
  kill(pid, SIGTERM);
  int status;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(up) << ReadFile(dir + "/error.log");
  return serving;
}

TEST(OpsTest, NginxSpeaksTlsToTlsInstances) {
  ASSERT_STRNE(NGINX_BIN, "") << "nginx not found: run deploy/install-deps.sh";
  auto db = TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  auto pepper = WriteTestPepper();
  ASSERT_TRUE(pepper.ok()) << pepper.status();
  const std::string certs = MakeCerts();
  ServerProcess server({"--db-url", (*db)->url(), "--pepper-file", *pepper, "--listen",
                        "127.0.0.1:0", "--tls-cert", certs + "/server.pem", "--tls-key",
                        certs + "/server.key", "--health-interval", "0.1"});
  ASSERT_GT(server.port(), 0) << server.stderr_text();
  ASSERT_TRUE(WaitFor([&] { return Check(TlsChannel(server.port(), certs + "/ca.pem")).ok(); },
                      absl::Seconds(10)));
  // Production: the instances serve TLS only, nginx verifies them.
  EXPECT_TRUE(HealthThroughNginx(certs, server.address(),
                                 {"--upstream-tls-ca", certs + "/ca.pem"}));
  // Without the option nginx speaks plaintext, which a TLS instance refuses.
  EXPECT_FALSE(HealthThroughNginx(certs, server.address(), {}));
}

}  // namespace
}  // namespace survey::testing
