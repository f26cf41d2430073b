// The one place where domain/store statuses become gRPC statuses, and what
// a caller may learn from one: respondents are anonymous strangers and
// staff are not operators, so no message ever carries a host, port, path,
// user name, SQL or driver text. Those go to the server log.
#ifndef SURVEY_API_STATUS_H_
#define SURVEY_API_STATUS_H_

#include <grpcpp/support/status.h>

#include <string_view>

#include "absl/status/status.h"

namespace survey::api {

// Failures whose message is fixed. Each has a machine-readable reason that
// callers receive in the `reason` trailer, and the retryable ones a
// `retry-after-ms` trailer (api/status_trailers.h adds both).
enum class Failure {
  kDatabaseUnavailable,  // UNAVAILABLE: the database cannot be reached
  kDatabaseBusy,         // UNAVAILABLE: contention outlasted the reruns
  kOverloaded,           // UNAVAILABLE: a bounded queue is full
  kShuttingDown,         // UNAVAILABLE: this server is stopping
  kInternal,             // INTERNAL: a bug or a broken schema (logged)
};

struct FailureInfo {
  grpc::StatusCode code;
  std::string_view message;
  std::string_view reason;   // the `reason` trailer
  int retry_after_ms;        // 0: no `retry-after-ms` trailer
};

const FailureInfo& Describe(Failure failure);
grpc::Status PublicStatus(Failure failure);
// The fixed failure `status` is, if it is one (compared by code and message).
const FailureInfo* FindFailure(const grpc::Status& status);

// True if `message` was built from a driver exception or a database URL:
// StatusFromSqlException and the connection pool end their messages with
// "(error N)"; a URL has "://".
bool LooksInternal(std::string_view message);

// absl and gRPC share the canonical code numbers. UNAVAILABLE and ABORTED
// (reruns exhausted on contention) become the fixed, retryable
// kDatabaseUnavailable / kDatabaseBusy; INTERNAL, DATA_LOSS and UNKNOWN
// become kInternal. Any other code keeps its message (ours: "scores[3]: …"),
// unless LooksInternal says it came from the driver, in which case only the
// code is kept. Whatever is replaced is logged first.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace survey::api

#endif  // SURVEY_API_STATUS_H_
