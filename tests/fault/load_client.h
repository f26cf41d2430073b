// The fault suite's app: submits one planned answer per token, the way a
// phone with an offline queue would, and records per token what it was
// told. Every non-final outcome (any status but OK and ALREADY_EXISTS) is
// retried with the same answer and the same token, after the server's
// `retry-after-ms` when it sent one, until the token is acknowledged or
// its time runs out. The record is what the checker holds the database to.
#ifndef SURVEY_TESTS_FAULT_LOAD_CLIENT_H_
#define SURVEY_TESTS_FAULT_LOAD_CLIENT_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace survey::fault {

// One answer, unique by its comment so that the checker can find it among
// stored responses (which carry no token, by design).
struct PlannedAnswer {
  std::string token;
  std::string comment;
  std::vector<int> scores;  // 9 values, 1..10
};

// `count` answers for `tokens`, reproducible from `seed`.
std::vector<PlannedAnswer> PlanAnswers(const std::vector<std::string>& tokens,
                                       uint64_t seed);

enum class Outcome {
  kAcknowledged,    // OK: the server says it stored this answer
  kAlreadyExists,   // ALREADY_EXISTS: delivered earlier (e.g. in-doubt commit)
  kUnacknowledged,  // gave up: last status in TokenRecord::last_code
};

struct TokenRecord {
  Outcome outcome = Outcome::kUnacknowledged;
  int last_code = -1;  // grpc::StatusCode of the last attempt
  int attempts = 0;
  absl::Time first_sent, finished;
};

struct LoadOptions {
  int threads = 32;
  // Tokens started per second (a steady stream spans the fault); 0 = as
  // fast as the threads go.
  double rate_per_second = 800;
  absl::Duration call_timeout = absl::Seconds(5);
  absl::Duration give_up_after = absl::Seconds(60);  // per token
  absl::Duration max_retry_after = absl::Seconds(2);
  // TLS to `address` (e.g. nginx in front, tests/e2e/nginx_test.cc): the
  // PEM of the CA to trust, and the name the certificate must carry when
  // it is not the host in `address`. Empty: plaintext.
  std::string tls_ca_pem;
  std::string tls_server_name;
};

// One attempt that did not end OK: when it was sent and how it ended.
struct FailedAttempt {
  absl::Time sent;
  int code;
};

struct LoadReport {
  std::vector<TokenRecord> records;  // parallel to the planned answers
  std::array<int64_t, 17> attempts_by_code{};  // every attempt's status
  std::vector<FailedAttempt> failures;  // by completion, per thread merged
  double elapsed_seconds = 0;
  size_t Count(Outcome o) const;
};

// Runs the whole plan against `address` (host:port; plaintext unless
// options.tls_ca_pem is set) and blocks
// until every token is acknowledged or has given up. `acks_after` lets the
// test observe progress: it is incremented for every OK/ALREADY_EXISTS.
LoadReport RunLoad(const std::string& address,
                   const std::vector<PlannedAnswer>& plan,
                   const LoadOptions& options,
                   std::atomic<int64_t>* acks = nullptr);

}  // namespace survey::fault

#endif  // SURVEY_TESTS_FAULT_LOAD_CLIENT_H_
