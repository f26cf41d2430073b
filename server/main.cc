// survey-server: reads configuration (flags, SURVEY_* environment
// variables, or a --config file: config/config_file.h), starts the server
// and shuts it down gracefully on SIGTERM or SIGINT: health NOT_SERVING
// while still serving for --drain-period (a second signal ends it early),
// then stop accepting and give in-flight calls --shutdown-grace, exit 0.
// SIGHUP reloads the TLS certificate and key. Wiring only.
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "api/bootstrap.h"
#include "api/connection_gate.h"
#include "api/grpc_log.h"
#include "api/server.h"
#include "config/config_file.h"
#include "metrics/listener.h"
#include "metrics/server_metrics.h"
#include "net/ip.h"

namespace {

// True if one of `signals` (blocked) arrives within `timeout`.
bool WaitForSignal(const sigset_t& signals, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  for (absl::Duration left = timeout; left > absl::ZeroDuration();
       left = deadline - absl::Now()) {
    timespec ts = absl::ToTimespec(left);
    if (sigtimedwait(&signals, nullptr, &ts) > 0) return true;
    if (errno != EINTR && errno != EAGAIN) return false;
  }
  return false;
}

// --dev-appraisal-clock-file: the real clock plus the seconds the file
// holds, read at every use so that a test can move the appraisal's "now"
// (deadlines, lateness) in a running server and move it back. A missing,
// empty or unreadable file is no offset.
std::function<int64_t()> DevClockFromFile(const std::string& path) {
  auto last = std::make_shared<std::atomic<int64_t>>(0);
  return [path, last] {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    int64_t offset = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &offset)) offset = 0;
    if (last->exchange(offset) != offset) {
      spdlog::warn("development: the appraisal clock is {} s off the real clock", offset);
    }
    return absl::ToUnixSeconds(absl::Now()) + offset;
  };
}

}  // namespace

int main(int argc, char** argv) {
  survey::api::ServerOptions options;
  std::string log_level = "info";
  double shutdown_grace_seconds = 10;
  // 0 by default: a development server or one without a load balancer
  // has nobody to warn. Behind one, set it to the balancer's health-check
  // interval times its unhealthy threshold (e.g. 5 s x 2 = 10).
  double drain_period_seconds = 0;
  double health_interval_seconds = 1;

  CLI::App app{"Survey & Satisfaction Server"};
  app.add_option("--db-url", options.db_url,
                 "mysql://user:pass@host:port/db[?socket=/path]")
      ->envname("SURVEY_DB_URL")
      ->required();
  app.add_option("--db-read-url", options.db_read_url,
                 "a replica of --db-url for reports, exports and Verify, read only once "
                 "caught up with the primary")
      ->envname("SURVEY_DB_READ_URL");
  app.add_option("--listen", options.listen, "address:port to serve on")
      ->envname("SURVEY_LISTEN")
      ->capture_default_str();
  app.add_option("--tls-cert", options.tls_cert_file, "server certificate PEM")
      ->envname("SURVEY_TLS_CERT");
  app.add_option("--tls-key", options.tls_key_file, "server private key PEM")
      ->envname("SURVEY_TLS_KEY");
  app.add_option("--tls-client-ca", options.tls_client_ca_file,
                 "CA that signs staff client certificates")
      ->envname("SURVEY_TLS_CLIENT_CA");
  app.add_option("--pepper-file", options.pepper_file,
                 "secret HMAC key of survey tokens (mode 0600, >= 32 bytes)")
      ->envname("SURVEY_PEPPER_FILE")
      ->required();
  double ingest_wait_ms = 2;
  app.add_option("--ingest-batch", options.ingest_max_batch,
                 "answers per transaction (1 = one transaction per answer)")
      ->envname("SURVEY_INGEST_BATCH")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--ingest-wait-ms", ingest_wait_ms,
                 "how long the first answer of a batch waits for others")
      ->envname("SURVEY_INGEST_WAIT_MS")
      ->check(CLI::Range(0.0, 1000.0))
      ->capture_default_str();
  app.add_option("--ingest-writers", options.ingest_writers,
                 "concurrent answer transactions")
      ->envname("SURVEY_INGEST_WRITERS")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--ingest-queue", options.ingest_capacity,
                 "queued answers before Submit answers UNAVAILABLE")
      ->envname("SURVEY_INGEST_QUEUE")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_flag("--insecure", options.insecure,
               "plaintext and development identities; development only")
      ->envname("SURVEY_INSECURE");
  app.add_flag("--reflection", options.reflection,
               "enable gRPC server reflection")
      ->envname("SURVEY_REFLECTION");
  app.add_option("--db-pool-size", options.db_pool_size, "database connections")
      ->envname("SURVEY_DB_POOL_SIZE")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--max-receive-bytes", options.max_receive_message_bytes,
                 "largest request message accepted")
      ->envname("SURVEY_MAX_RECEIVE_BYTES")
      ->check(CLI::Range(1024, 64 << 20))
      ->capture_default_str();
  app.add_option("--max-metadata-bytes", options.max_metadata_bytes,
                 "largest request metadata (headers) accepted")
      ->envname("SURVEY_MAX_METADATA_BYTES")
      ->check(CLI::Range(1024, 1 << 20))
      ->capture_default_str();
  app.add_option("--max-concurrent-streams", options.max_concurrent_streams,
                 "concurrent calls per connection")
      ->envname("SURVEY_MAX_CONCURRENT_STREAMS")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  double handshake_timeout_seconds = 10;
  app.add_option("--handshake-timeout", handshake_timeout_seconds,
                 "seconds a new connection gets for TLS and HTTP/2 setup")
      ->envname("SURVEY_HANDSHAKE_TIMEOUT")
      ->check(CLI::Range(0.1, 300.0))
      ->capture_default_str();
  double min_ping_interval_seconds = 30;
  app.add_option("--min-ping-interval", min_ping_interval_seconds,
                 "seconds a client must leave between keepalive pings")
      ->envname("SURVEY_MIN_PING_INTERVAL")
      ->check(CLI::Range(1.0, 7200.0))
      ->capture_default_str();
  app.add_option("--max-ping-strikes", options.max_ping_strikes,
                 "too-early pings tolerated before the connection is closed")
      ->envname("SURVEY_MAX_PING_STRIKES")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  app.add_option("--max-connections", options.max_connections,
                 "live connections at most; one more is closed at once "
                 "(0 = the descriptor limit less a reserve)")
      ->envname("SURVEY_MAX_CONNECTIONS")
      ->check(CLI::Range(0, 1 << 20))
      ->capture_default_str();
  double idle_timeout_seconds = 120;
  app.add_option("--idle-timeout", idle_timeout_seconds,
                 "seconds a connection without calls stays open")
      ->envname("SURVEY_IDLE_TIMEOUT")
      ->check(CLI::Range(1.0, 86400.0))
      ->capture_default_str();
  int64_t memory_quota_mib = options.memory_quota_bytes >> 20;
  app.add_option("--memory-quota-mib", memory_quota_mib,
                 "memory gRPC may use for connections and calls (MiB)")
      ->envname("SURVEY_MEMORY_QUOTA_MIB")
      ->check(CLI::Range(16, 65536))
      ->capture_default_str();
  app.add_option("--max-threads", options.max_threads,
                 "threads gRPC may use for synchronous calls")
      ->envname("SURVEY_MAX_THREADS")
      ->check(CLI::Range(8, 10000))
      ->capture_default_str();
  double invalid_token_per_minute =
      options.abuse.invalid_token.refill_per_second * 60;
  app.add_option("--invalid-token-burst", options.abuse.invalid_token.burst,
                 "unknown/malformed survey tokens an address may send at once")
      ->envname("SURVEY_INVALID_TOKEN_BURST")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  app.add_option("--invalid-token-per-minute", invalid_token_per_minute,
                 "then this many per minute")
      ->envname("SURVEY_INVALID_TOKEN_PER_MINUTE")
      ->check(CLI::Range(0.01, 1e6))
      ->capture_default_str();
  double staff_auth_per_minute =
      options.abuse.staff_auth_failure.refill_per_second * 60;
  app.add_option("--staff-auth-failure-burst",
                 options.abuse.staff_auth_failure.burst,
                 "failed staff authentications an address may make at once")
      ->envname("SURVEY_STAFF_AUTH_FAILURE_BURST")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  app.add_option("--staff-auth-failure-per-minute", staff_auth_per_minute,
                 "then this many per minute")
      ->envname("SURVEY_STAFF_AUTH_FAILURE_PER_MINUTE")
      ->check(CLI::Range(0.01, 1e6))
      ->capture_default_str();
  double session_hours = options.sessions.ttl_seconds / 3600.0;
  app.add_option("--session-hours", session_hours,
                 "hours a console sign-in lasts at most")
      ->envname("SURVEY_SESSION_HOURS")
      ->check(CLI::Range(0.01, 24.0 * 30))
      ->capture_default_str();
  double session_idle_minutes = options.sessions.idle_seconds / 60.0;
  app.add_option("--session-idle-minutes", session_idle_minutes,
                 "minutes without a call that end a console session")
      ->envname("SURVEY_SESSION_IDLE_MINUTES")
      ->check(CLI::Range(2.0, 24.0 * 60))
      ->capture_default_str();
  double activation_days = options.sessions.activation_seconds / 86400.0;
  app.add_option("--activation-days", activation_days,
                 "days an account's one-time activation code works")
      ->envname("SURVEY_ACTIVATION_DAYS")
      ->check(CLI::Range(0.01, 365.0))
      ->capture_default_str();
  app.add_option("--max-password-hashes", options.max_password_hashes,
                 "argon2id password hashes at once (64 MiB each); more sign-ins wait")
      ->envname("SURVEY_MAX_PASSWORD_HASHES")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  std::vector<std::string> trusted_gateways;
  app.add_option("--trusted-gateway", trusted_gateways,
                 "address or network of a survey-gateway whose forwarded "
                 "respondent address the abuse limits use (repeatable; default none)")
      ->envname("SURVEY_TRUSTED_GATEWAY");
  app.add_option("--health-interval", health_interval_seconds,
                 "seconds between database health probes")
      ->envname("SURVEY_HEALTH_INTERVAL")
      ->check(CLI::Range(0.05, 60.0))
      ->capture_default_str();
  app.add_option("--drain-period", drain_period_seconds,
                 "seconds between SIGTERM and stopping, with health NOT_SERVING "
                 "while every call is still served (for load balancers)")
      ->envname("SURVEY_DRAIN_PERIOD")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
  app.add_option("--shutdown-grace", shutdown_grace_seconds,
                 "seconds in-flight calls get to finish once stopping")
      ->envname("SURVEY_SHUTDOWN_GRACE")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
  app.add_option("--time-zone", options.time_zone,
                 "the company's time zone (IANA name): appraisal dates and deadlines")
      ->envname("SURVEY_TIME_ZONE")
      ->capture_default_str();
  std::string dev_clock_file;
  app.add_option("--dev-appraisal-clock-file", dev_clock_file,
                 "development only (needs --insecure): a file holding seconds to add to "
                 "the clock appraisal deadlines are judged by, read at every use")
      ->envname("SURVEY_DEV_APPRAISAL_CLOCK_FILE");
  app.add_option("--retention-customer-months", options.retention.customer_months,
                 "full months a closed customer survey keeps its answers (0 = forever)")
      ->envname("SURVEY_RETENTION_CUSTOMER_MONTHS")
      ->capture_default_str();
  app.add_option("--retention-cross-evaluation-months",
                 options.retention.cross_evaluation_months,
                 "full months a closed cross-evaluation keeps its answers (0 = forever)")
      ->envname("SURVEY_RETENTION_CROSS_EVALUATION_MONTHS")
      ->capture_default_str();
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error")
      ->envname("SURVEY_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();
  std::string bootstrap_admin;
  int bootstrap_key_days = 30;
  app.add_option("--bootstrap-admin", bootstrap_admin,
                 "make NAME an active admin account, print a new API key for "
                 "it on stdout and exit (first start, or recovery); needs only "
                 "--db-url and --pepper-file");
  app.add_option("--bootstrap-key-days", bootstrap_key_days,
                 "validity of that key in days (0 = no key: the admin signs "
                 "in with a client certificate whose CN is NAME)")
      ->check(CLI::Range(0, 730))
      ->capture_default_str();
  std::string metrics_listen;
  app.add_option("--metrics-listen", metrics_listen,
                 "host:port of a separate HTTP listener for GET /metrics "
                 "(Prometheus text); keep it off the public network (default off)")
      ->envname("SURVEY_METRICS_LISTEN");
  survey::config::AddConfigOption(app);
  CLI11_PARSE(app, argc, argv);
  if (absl::StatusOr<survey::net::NetworkList> gateways =
          survey::net::NetworkList::Parse(trusted_gateways);
      gateways.ok()) {
    options.abuse.trusted_gateways = *gateways;
  } else {
    std::cerr << "--trusted-gateway: " << gateways.status().message() << "\n";
    return 2;
  }

  spdlog::set_default_logger(spdlog::stderr_color_mt("survey"));
  spdlog::set_level(spdlog::level::from_str(log_level));
  // gRPC core's lines (one per junk connection) as summaries, no addresses.
  survey::api::InstallGrpcLogFunnel();
  options.health_interval = absl::Seconds(health_interval_seconds);
  options.ingest_max_wait = absl::Microseconds(ingest_wait_ms * 1000);
  options.handshake_timeout = absl::Seconds(handshake_timeout_seconds);
  options.max_connection_idle = absl::Seconds(idle_timeout_seconds);
  options.min_ping_interval = absl::Seconds(min_ping_interval_seconds);
  options.memory_quota_bytes = memory_quota_mib << 20;
  options.abuse.invalid_token.refill_per_second = invalid_token_per_minute / 60;
  options.abuse.staff_auth_failure.refill_per_second =
      staff_auth_per_minute / 60;
  options.sessions.ttl_seconds = static_cast<int64_t>(session_hours * 3600);
  options.sessions.idle_seconds = static_cast<int64_t>(session_idle_minutes * 60);
  options.sessions.activation_seconds = static_cast<int64_t>(activation_days * 86400);

  if (!dev_clock_file.empty()) {
    // A moved clock lets anyone file or refuse appeals out of time: never
    // outside development.
    if (!options.insecure) {
      std::cerr << "--dev-appraisal-clock-file is for development only: it needs --insecure\n";
      return 2;
    }
    options.appraisal_clock = DevClockFromFile(dev_clock_file);
  }

  if (!bootstrap_admin.empty()) {
    absl::StatusOr<survey::api::BootstrapResult> boot =
        survey::api::BootstrapAdmin(options, bootstrap_admin,
                                    bootstrap_key_days);
    if (!boot.ok()) {
      spdlog::critical("cannot bootstrap: {}", boot.status().ToString());
      return 1;
    }
    std::cerr << "admin account \"" << bootstrap_admin << "\" "
              << (boot->created ? "created" : "updated (active admin)") << "\n";
    if (!boot->key.empty()) {
      // The key alone on stdout, so that scripts can capture it.
      std::cout << boot->key << std::endl;
      std::cerr << "API key " << boot->key_id << " for it, valid until "
                << absl::FormatTime("%Y-%m-%d %H:%M UTC",
                                    absl::FromUnixSeconds(boot->expires_at),
                                    absl::UTCTimeZone())
                << ", printed above; it is shown only this once. Use it as\n"
                << "  SURVEY_API_KEY=<key> surveyctl --tls-ca ca.pem staff list\n";
    }
    return 0;
  }

  // The usual soft limit of 1,024 descriptors is far below what a server
  // with thousands of app connections needs; the hard limit is the
  // operator's (LimitNOFILE=, limits.conf). Connections are capped below
  // it (--max-connections).
  survey::api::RaiseDescriptorLimit();

  // Block the stop signals in every thread (gRPC's included), then wait for
  // them synchronously here: no async-signal-safety puzzles.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigset_t wait_signals = stop_signals;  // and SIGHUP: reload TLS
  sigaddset(&wait_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &wait_signals, nullptr);

  absl::StatusOr<std::unique_ptr<survey::api::SurveyServer>> server =
      survey::api::SurveyServer::Start(options);
  if (!server.ok()) {
    spdlog::critical("cannot start: {}", server.status().ToString());
    return 1;
  }
  std::unique_ptr<survey::metrics::MetricsListener> metrics;
  if (!metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<survey::metrics::MetricsListener>> listener =
        survey::metrics::MetricsListener::Start(metrics_listen,
                                                survey::metrics::RenderServerMetrics);
    if (!listener.ok()) {
      spdlog::critical("cannot start: {}", std::string(listener.status().message()));
      (*server)->Shutdown(absl::ZeroDuration());
      return 1;
    }
    metrics = *std::move(listener);
  }
  // Scripts and tests wait for this line (the port may have been 0); the
  // metrics port, if any, is on it too (a second line could meet a closed
  // pipe).
  std::cout << "survey-server listening on port " << (*server)->port();
  if (metrics != nullptr) std::cout << ", metrics on port " << metrics->port();
  std::cout << std::endl;
  spdlog::info("serving on port {}", (*server)->port());

  int signal_number = 0;
  while (sigwait(&wait_signals, &signal_number) == 0 && signal_number == SIGHUP) {
    if (absl::Status reloaded = (*server)->ReloadTls(); reloaded.ok()) {
      spdlog::info("SIGHUP: TLS certificate and key reloaded; new connections use them");
    } else {
      spdlog::error("SIGHUP: TLS not reloaded, the previous certificate stays: {}",
                    std::string(reloaded.message()));
    }
  }
  (*server)->StartDraining();
  if (drain_period_seconds > 0) {
    spdlog::info("signal {}: health NOT_SERVING, still serving for {} s",
                 signal_number, drain_period_seconds);
    if (WaitForSignal(stop_signals, absl::Seconds(drain_period_seconds))) {
      spdlog::info("second signal: drain period cut short");
    }
  }
  spdlog::info("stopping: in-flight calls get up to {} s", shutdown_grace_seconds);
  if (!(*server)->Shutdown(absl::Seconds(shutdown_grace_seconds))) {
    // Every call has been answered; what is left is database work that
    // will not return soon (a paused database). Exit without waiting: an
    // uncommitted transaction is rolled back when its connection closes.
    spdlog::warn("stopped, abandoning database work in progress");
    survey::api::FlushGrpcLogFunnel();
    spdlog::shutdown();
    std::cout.flush();
    _exit(0);
  }
  survey::api::FlushGrpcLogFunnel();
  spdlog::info("stopped");
  return 0;
}
