// The series survey-server exposes on --metrics-listen, one process-wide
// instance updated where things happen (ingest queue, respond service,
// abuse limiter, connection pool, transactions, health) and rendered by
// Render() for each scrape. Pure C++ and atomics, so every layer (store
// included) can count without depending on gRPC or HTTP.
#ifndef SURVEY_METRICS_SERVER_METRICS_H_
#define SURVEY_METRICS_SERVER_METRICS_H_

#include <array>
#include <string>

#include "metrics/metrics.h"

namespace survey::metrics {

struct ServerMetrics {
  // Submit outcomes by gRPC status code (0..16), counted as the status
  // leaves the server (api/status_trailers.cc sees every Submit's status).
  std::array<metrics::Counter, 17> submit_by_code;

  // The ingest queue (ingest/ingest_pipeline.cc): answers waiting, answers
  // refused because it was full, and per batch its size and the time to
  // record it (the transaction with its retries, COMMIT acknowledged).
  metrics::Gauge ingest_queue_depth;
  metrics::Counter ingest_queue_full;
  metrics::Histogram ingest_batch_size{1, 2, 4, 8, 16, 32, 64, 128, 256};
  metrics::Histogram ingest_commit_seconds{0.001, 0.0025, 0.005, 0.01, 0.025,
                                           0.05,  0.1,    0.25,  0.5,  1,
                                           2.5,   5,      10};

  // Transactions (store/mysql/transaction.cc): a COMMIT whose connection
  // failed (outcome unknown, decided by the rerun), and reruns of any kind.
  metrics::Counter commits_in_doubt;
  metrics::Counter transaction_retries;

  // Database connections (store/mysql/connection_pool.cc), summed over the
  // process's pools: the limit, opened, leased, and Acquire failures.
  metrics::Gauge db_pool_max;
  metrics::Gauge db_pool_open;
  metrics::Gauge db_pool_in_use;
  metrics::Counter db_pool_acquire_failures;

  // Calls refused by the per-address limits (api/abuse_limiter.cc).
  metrics::Counter abuse_refused_invalid_token;
  metrics::Counter abuse_refused_staff_auth;

  // 1 while grpc.health.v1 says SERVING.
  metrics::Gauge health_serving;
};

ServerMetrics& Server();

// The exposition of Server() plus survey_build_info{version=...} 1 and the
// process start time.
std::string RenderServerMetrics();

// gRPC status code names (OK, CANCELLED, ...), index = code.
const char* StatusCodeName(int code);

}  // namespace survey::metrics

#endif  // SURVEY_METRICS_SERVER_METRICS_H_
