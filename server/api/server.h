// The whole server, wired: configuration in, a serving gRPC server out.
// main.cc and the integration tests build it the same way.
#ifndef SURVEY_API_SERVER_H_
#define SURVEY_API_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "domain/retention.h"
#include "api/abuse_limiter.h"
#include "api/session_token.h"

namespace survey::api {

class AuditLog;

struct ServerOptions {
  std::string db_url;  // mysql://user:pass@host:port/db[?socket=...]
  // A replica of it for reports, exports and Verify (empty = none). Read
  // only once it has applied what the primary had committed when the read
  // began (store/mysql/read_routing.h); writes never go there.
  std::string db_read_url;
  std::string listen = "127.0.0.1:50051";  // port 0 = pick a free one
  // TLS is required unless `insecure` is set (local development only).
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;  // staff mTLS; optional
  bool insecure = false;
  bool reflection = false;
  int db_pool_size = 8;
  absl::Duration health_interval = absl::Seconds(1);
  // Transport limits (README "Security"). The receive limit must hold the
  // largest staff request: ImportOrg needs about 40 bytes per employee,
  // IssueInvitations about 12 per event.
  int max_receive_message_bytes = 64 << 10;
  int max_metadata_bytes = 8 << 10;
  int max_concurrent_streams = 100;  // per connection
  // A connection must finish TLS and send its HTTP/2 settings in this time.
  absl::Duration handshake_timeout = absl::Seconds(10);
  // Keepalive enforcement: a client pinging more often than this (or at all
  // while it has no calls) earns a strike; after max_ping_strikes the
  // connection is closed with GOAWAY "too_many_pings".
  absl::Duration min_ping_interval = absl::Seconds(30);
  int max_ping_strikes = 2;
  // Live connections at most (0 = the descriptor limit less a reserve,
  // api/connection_gate.h); one more is closed at once. A connection with
  // no call for `max_connection_idle` is closed (GOAWAY).
  int max_connections = 0;
  absl::Duration max_connection_idle = absl::Minutes(2);
  // grpc::ResourceQuota of the whole server: transport buffers and threads.
  int64_t memory_quota_bytes = int64_t{256} << 20;
  int max_threads = 200;
  // Per-address budgets for failures (guessed tokens, failed staff
  // authentication).
  AbuseLimits abuse;
  // HMAC key of survey tokens: a file readable by its owner only, at least
  // 32 bytes (deploy/quickstart.sh makes one with openssl rand -hex 32).
  std::string pepper_file;
  // Group commit (DESIGN §3): answers per transaction, how long the first
  // answer of a batch may wait, concurrent writer transactions, and the
  // bound of the queue (beyond it Submit answers UNAVAILABLE).
  int ingest_max_batch = 100;
  absl::Duration ingest_max_wait = absl::Milliseconds(2);
  int ingest_writers = 4;
  int ingest_capacity = 20000;
  // Past max_wait a batch that is not full waits (a little) while this many
  // transactions are in flight (ingest/ingest_pipeline.h). Not a flag: the
  // benchmark sets it to compare.
  int ingest_busy_writers = 2;
  // Threads for GetSurvey's database reads.
  int read_threads = 4;
  // Unix seconds the appraisal deadlines (data due, appeals) are judged
  // against; empty = the real clock. Tests move it.
  std::function<int64_t()> appraisal_clock;
  // The company's time zone (IANA name): every appraisal date and deadline
  // is counted in it. Start fails if it cannot be loaded (tzdata).
  std::string time_zone = "Asia/Shanghai";
  // Staff console sign-in (AccountService): session lifetime and idle
  // timeout, activation code lifetime, lockout.
  SessionPolicy sessions;
  // argon2id hashes running at once (each 64 MiB and a core for ~0.1 s);
  // more sign-ins wait (api/account_service.h).
  int max_password_hashes = 2;
  // Unix seconds of sessions, lockouts, activation codes and API key
  // expiry; empty = the real clock. Tests move it.
  std::function<int64_t()> account_clock;
  // How long closed campaigns keep their answers (AdminService.ApplyRetention).
  domain::RetentionPolicy retention;
};

class SurveyServer {
 public:
  // Migrates the schema, then starts serving. Returns InvalidArgument for
  // bad options, FailedPrecondition for a newer schema or missing TLS,
  // Unavailable if the database is unreachable, Internal if the port cannot
  // be bound (also when another process listens on it: SO_REUSEPORT is
  // off, so a second server never silently shares a port).
  static absl::StatusOr<std::unique_ptr<SurveyServer>> Start(
      const ServerOptions& options);
  ~SurveyServer();

  int port() const;
  // Per-address failure budgets; staff authentication charges
  // AllowStaffAuthFailure here.
  AbuseLimiter& abuse_limiter();
  // The audit log of staff actions (api/audit_log.h).
  AuditLog& audit_log();
  // Reads --tls-cert, --tls-key and --tls-client-ca again (SIGHUP): if they
  // pass the start checks, new handshakes use them within about a second;
  // open connections keep theirs. Otherwise the error, and nothing changes.
  absl::Status ReloadTls();
  // Health goes NOT_SERVING for good; every call is still served (the
  // drain period, during which load balancers move away). Idempotent.
  void StartDraining();
  // New respondent calls are answered UNAVAILABLE SHUTTING_DOWN at once
  // (apps back off by retry-after-ms); once they are quiet (at most 1 s)
  // gRPC stops accepting calls, so none is in transit to be CANCELLED by
  // it. In-flight calls get up to `grace` in all: a
  // respondent call still waiting for the database shortly before the end
  // is answered UNAVAILABLE (reason SHUTTING_DOWN, retry-after-ms; its
  // answer may still be committed, see respond.proto), never CANCELLED;
  // gRPC cancels what is left at the end (staff calls, UNAVAILABLE).
  // Returns within about `grace` + 0.5 s: true if everything finished,
  // false if database work is still running (a paused database), in which
  // case the caller should exit without destroying the server (the
  // destructor waits for that work). Idempotent.
  bool Shutdown(absl::Duration grace);

  struct Impl;

 private:
  explicit SurveyServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace survey::api

#endif  // SURVEY_API_SERVER_H_
