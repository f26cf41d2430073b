#include "metrics/server_metrics.h"

#include <chrono>

#ifndef SURVEY_VERSION
#define SURVEY_VERSION "unknown"
#endif

namespace survey::metrics {
namespace {

const int64_t kStartTime = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();

}  // namespace

ServerMetrics& Server() {
  static ServerMetrics* metrics = new ServerMetrics();  // never destroyed
  return *metrics;
}

const char* StatusCodeName(int code) {
  static constexpr const char* kNames[] = {
      "OK",           "CANCELLED",          "UNKNOWN",
      "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION", "ABORTED",     "OUT_OF_RANGE",
      "UNIMPLEMENTED", "INTERNAL",          "UNAVAILABLE",
      "DATA_LOSS",    "UNAUTHENTICATED"};
  return code >= 0 && code < 17 ? kNames[code] : "UNKNOWN";
}

std::string RenderServerMetrics() {
  const ServerMetrics& m = Server();
  TextWriter w;
  w.Gauge("survey_build_info", "the running build", 1,
          {{"version", SURVEY_VERSION}});
  w.Gauge("survey_process_start_time_seconds", "unix time the process started",
          static_cast<double>(kStartTime));
  w.Gauge("survey_health_serving",
          "1 while grpc.health.v1 answers SERVING (database reachable, not draining)",
          static_cast<double>(m.health_serving.value()));
  for (int code = 0; code < 17; ++code) {
    uint64_t n = m.submit_by_code[code].value();
    // OK always, other codes once they happened: 17 lines of zeros are noise.
    if (n == 0 && code != 0) continue;
    w.Counter("survey_submit_total", "Submit calls answered, by gRPC status",
              static_cast<double>(n), {{"code", StatusCodeName(code)}});
  }
  w.Gauge("survey_ingest_queue_depth", "answers waiting for a writer",
          static_cast<double>(m.ingest_queue_depth.value()));
  w.Counter("survey_ingest_queue_full_total",
            "answers refused UNAVAILABLE (OVERLOADED) because the queue was full",
            static_cast<double>(m.ingest_queue_full.value()));
  w.Histogram("survey_ingest_batch_size", "answers per group-commit transaction",
              m.ingest_batch_size);
  w.Histogram("survey_ingest_commit_seconds",
              "time to record one batch: its transaction, reruns included, "
              "until the COMMIT was acknowledged",
              m.ingest_commit_seconds);
  w.Counter("survey_db_commits_in_doubt_total",
            "COMMITs whose connection failed (outcome unknown; the rerun decided)",
            static_cast<double>(m.commits_in_doubt.value()));
  w.Counter("survey_db_transaction_retries_total",
            "transactions rerun after a deadlock, lock wait timeout or lost connection",
            static_cast<double>(m.transaction_retries.value()));
  w.Gauge("survey_db_pool_connections_max", "database connections allowed",
          static_cast<double>(m.db_pool_max.value()));
  w.Gauge("survey_db_pool_connections_open", "database connections open",
          static_cast<double>(m.db_pool_open.value()));
  w.Gauge("survey_db_pool_connections_in_use", "database connections leased",
          static_cast<double>(m.db_pool_in_use.value()));
  w.Counter("survey_db_pool_acquire_failures_total",
            "waits for a connection that ended without one (database down or pool exhausted)",
            static_cast<double>(m.db_pool_acquire_failures.value()));
  w.Counter("survey_abuse_refusals_total",
            "calls refused by the per-address failure budgets",
            static_cast<double>(m.abuse_refused_invalid_token.value()),
            {{"limit", "invalid_token"}});
  w.Counter("survey_abuse_refusals_total", "",
            static_cast<double>(m.abuse_refused_staff_auth.value()),
            {{"limit", "staff_auth_failure"}});
  return w.text();
}

}  // namespace survey::metrics
