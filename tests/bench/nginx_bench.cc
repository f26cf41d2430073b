// nginx_bench: Submit capacity through nginx with one and with two
// survey-server instances on one MariaDB primary (issue 17, item 7).
//
// Not a CI test; tests/bench/nginx_capacity.sh builds it, makes a primary
// and a replica (deploy/mariadb-replica.sh) and runs it. Everything is on
// this machine: the load (the fault suite's app, tests/fault/load_client.h:
// --threads blocking callers over TLS, each Submit one token, flat out),
// nginx (deploy/nginx/render.sh --standalone, 2 workers, TLS, plaintext
// gRPC to the instances), the instances and MariaDB. Rounds alternate one
// and two instances (1, 2, 1, 2, ...), each on a fresh campaign of the demo
// organisation; the summary takes each configuration's median. After each
// round: how long the replica took to apply everything the primary had
// committed when the last answer was acknowledged (MASTER_GTID_WAIT).
#include <CLI/CLI.hpp>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "e2e/topology.h"
#include "fault/demo_campaign.h"
#include "fault/load_client.h"
#include "store/db_url.h"
#include "support/process.h"
#include "support/test_db.h"
#include "support/test_server.h"

namespace survey::bench {
namespace {

using survey::testing::MakeTempDir;
using survey::testing::ReadFile;
using survey::testing::Result;
using survey::testing::RunProcess;
using survey::testing::ServerProcess;

constexpr char kBenchServerHost[] = "127.0.0.2";
constexpr char kBenchNginxSource[] = "127.0.0.3";

struct BenchConfig {
  std::string primary_url, replica_url, nginx = "/usr/sbin/nginx";
  int rounds = 2;
  int per_employee = 200;
  int threads = 64;
};

struct Round {
  int instances = 0;
  size_t answers = 0, unacknowledged = 0;
  int64_t retried = 0;  // attempts that did not end OK/ALREADY_EXISTS
  int64_t unavailable = 0, deadline = 0;
  double per_second = 0, p50_ms = 0, p99_ms = 0, replica_ms = 0;
};

std::string BenchSql(const std::string& url, const std::string& sql) {
  auto c = store::ParseDbUrl(url);
  if (!c.ok()) return "";
  Result r = RunProcess({"/usr/bin/mariadb", "--no-defaults", "--socket=" + c->socket, "-uroot",
                         "--batch", "--skip-column-names", "survey", "-e", sql});
  if (r.exit_code != 0) std::fprintf(stderr, "SQL failed: %s\n%s\n", sql.c_str(), r.err.c_str());
  return std::string(absl::StripAsciiWhitespace(r.out));
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

class Bench {
 public:
  explicit Bench(BenchConfig cfg) : cfg_(std::move(cfg)) {}

  bool Setup() {
    auto pepper = survey::testing::WriteTestPepper();
    if (!pepper.ok()) return false;
    work_ = MakeTempDir();
    Result certs = RunProcess(
        {"/bin/bash", absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/certs.sh"), work_ + "/certs"});
    if (certs.exit_code != 0) return false;
    ca_pem_ = ReadFile(work_ + "/certs/ca.pem");
    ::chmod(work_.c_str(), 0755);  // nginx's workers run as www-data under root
    for (int i = 0; i < 2; ++i) {
      servers_.push_back(std::make_unique<ServerProcess>(std::vector<std::string>{
          "--db-url", cfg_.primary_url, "--db-read-url", cfg_.replica_url, "--listen",
          absl::StrCat(kBenchServerHost, ":0"), "--insecure", "--pepper-file", *pepper,
          "--log-level", "warn", "--trusted-gateway", absl::StrCat(kBenchNginxSource, "/32")}));
      if (servers_.back()->port() <= 0) {
        std::fprintf(stderr, "server: %s\n", servers_.back()->stderr_text().c_str());
        return false;
      }
    }
    return true;
  }

  bool RunRound(int instances, int index, Round* out) {
    const std::string dir = MakeTempDir();
    ::chmod(dir.c_str(), 0755);
    const int port = e2e::FreeLoopbackPort();
    std::vector<std::string> argv = {
        "/bin/bash", absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/nginx/render.sh"), "--standalone",
        dir + "/nginx", "--listen", absl::StrCat("127.0.0.1:", port), "--cert",
        work_ + "/certs/server.pem", "--key", work_ + "/certs/server.key", "--grpc-bind",
        kBenchNginxSource,
        // One address plays every phone: the per-address limits raised.
        "--req-rate", "100000r/s", "--req-burst", "100000", "--conn-per-address", "1000"};
    for (int i = 0; i < instances; ++i) {
      argv.push_back("--upstream");
      argv.push_back(absl::StrCat(kBenchServerHost, ":", servers_[i]->port()));
    }
    Result rendered = RunProcess(argv);
    if (rendered.exit_code != 0) return false;
    std::ofstream(dir + "/nginx/nginx.conf") << rendered.out;
    e2e::NginxProcess nginx(cfg_.nginx, dir + "/nginx", port);
    if (!nginx.up()) return false;

    auto ctl = [&](std::vector<std::string> args) {
      std::vector<std::string> a = {SURVEYCTL_BIN, "--server",
                                    absl::StrCat(kBenchServerHost, ":", servers_[0]->port()),
                                    "--insecure", "--as", "hr"};
      a.insert(a.end(), args.begin(), args.end());
      return RunProcess(a);
    };
    // A period per round: 2025-01, 2025-02, ...
    auto campaign = fault::OpenDemoCampaign(
        ctl, dir, absl::StrCat("2025-", index < 9 ? "0" : "", index + 1), cfg_.per_employee);
    if (!campaign.ok()) {
      std::fprintf(stderr, "%s\n", campaign.status().ToString().c_str());
      return false;
    }
    fault::LoadOptions options;
    options.threads = cfg_.threads;
    options.rate_per_second = 0;
    options.tls_ca_pem = ca_pem_;
    options.tls_server_name = "localhost";
    fault::LoadReport load = fault::RunLoad(absl::StrCat("127.0.0.1:", port),
                                            fault::PlanAnswers(campaign->tokens, index), options);
    // Replica: everything committed by the last acknowledgement, applied when?
    const std::string position = BenchSql(cfg_.primary_url, "SELECT @@GLOBAL.gtid_binlog_pos");
    const absl::Time t0 = absl::Now();
    BenchSql(cfg_.replica_url, absl::StrCat("SELECT MASTER_GTID_WAIT('", position, "', 60)"));
    out->replica_ms = absl::ToDoubleMilliseconds(absl::Now() - t0);

    std::vector<double> latencies;
    for (const fault::TokenRecord& r : load.records) {
      if (r.outcome != fault::Outcome::kUnacknowledged) {
        latencies.push_back(absl::ToDoubleMilliseconds(r.finished - r.first_sent));
      }
    }
    out->instances = instances;
    out->answers = load.records.size();
    out->unacknowledged = load.Count(fault::Outcome::kUnacknowledged);
    out->retried = static_cast<int64_t>(load.failures.size());
    out->unavailable = load.attempts_by_code[14];  // UNAVAILABLE
    out->deadline = load.attempts_by_code[4];      // DEADLINE_EXCEEDED
    out->per_second = static_cast<double>(out->answers) / load.elapsed_seconds;
    out->p50_ms = Percentile(latencies, 0.5);
    out->p99_ms = Percentile(latencies, 0.99);
    ctl({"campaign", "close", campaign->id});
    return true;
  }

 private:
  BenchConfig cfg_;
  std::string work_, ca_pem_;
  std::vector<std::unique_ptr<ServerProcess>> servers_;
};

int Main(int argc, char** argv) {
  BenchConfig cfg;
  CLI::App app{"Submit through nginx, one vs two survey-server instances"};
  app.add_option("--primary-url", cfg.primary_url, "MariaDB primary (db-url)")->required();
  app.add_option("--replica-url", cfg.replica_url, "its replica (db-read-url)")->required();
  app.add_option("--nginx", cfg.nginx, "nginx binary");
  app.add_option("--rounds", cfg.rounds, "rounds per configuration, alternated");
  app.add_option("--per-employee", cfg.per_employee,
                 "tokens per front-line employee of the demo organisation, per round");
  app.add_option("--threads", cfg.threads, "blocking client threads (calls in flight)");
  CLI11_PARSE(app, argc, argv);

  Bench bench(cfg);
  if (!bench.Setup()) {
    std::fprintf(stderr, "nginx_bench: setup failed\n");
    return 1;
  }
  std::vector<Round> rounds;
  for (int r = 0; r < cfg.rounds; ++r) {
    for (int instances : {1, 2}) {
      Round round;
      if (!bench.RunRound(instances, static_cast<int>(rounds.size()), &round)) {
        std::fprintf(stderr, "nginx_bench: round failed\n");
        return 1;
      }
      std::printf("round %zu: %d instance(s): %zu answers, %.0f answers/s, p50 %.1f ms, "
                  "p99 %.1f ms, %zu unacknowledged, %lld attempts retried (UNAVAILABLE %lld, "
                  "DEADLINE_EXCEEDED %lld); replica applied all %.0f ms later\n",
                  rounds.size() + 1, instances, round.answers, round.per_second, round.p50_ms,
                  round.p99_ms, round.unacknowledged, static_cast<long long>(round.retried),
                  static_cast<long long>(round.unavailable),
                  static_cast<long long>(round.deadline), round.replica_ms);
      std::fflush(stdout);
      rounds.push_back(round);
    }
  }
  double rate[3] = {0, 0, 0};
  for (int n : {1, 2}) {
    std::vector<double> per_second, p50, p99, replica;
    for (const Round& r : rounds) {
      if (r.instances != n) continue;
      per_second.push_back(r.per_second);
      p50.push_back(r.p50_ms);
      p99.push_back(r.p99_ms);
      replica.push_back(r.replica_ms);
    }
    rate[n] = Median(per_second);
    std::printf("SUMMARY %d instance(s), median of %zu: %.0f answers/s, p50 %.1f ms, "
                "p99 %.1f ms, replica caught up %.0f ms after the last answer\n",
                n, per_second.size(), rate[n], Median(p50), Median(p99), Median(replica));
  }
  std::printf("SUMMARY two / one instance(s): %.2fx (%d client threads, %ld cores)\n",
              rate[2] / rate[1], cfg.threads, ::sysconf(_SC_NPROCESSORS_ONLN));
  size_t lost = 0;
  for (const Round& r : rounds) lost += r.unacknowledged;
  return lost == 0 ? 0 : 2;
}

}  // namespace
}  // namespace survey::bench

int main(int argc, char** argv) { return survey::bench::Main(argc, argv); }
