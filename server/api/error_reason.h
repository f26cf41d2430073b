// The machine-readable reason of every non-OK status (respond.proto, "Error
// contract"): apps switch on it, never on the English message. The
// interceptor of api/status_trailers.h sends it as the `reason` trailer,
// with `field` for FIELD_INVALID (`line`, `column` for CSV_INVALID); the fixed failures of api/status.h keep
// their own reasons (DATABASE_UNAVAILABLE, …) and `retry-after-ms`.
//
// The outcome is recognised from the status the services already produce
// (code and the fixed messages below, shared with the store), so no handler
// needs a line of its own; tests/unit/api/error_reason_test.cc pins every
// message, tests/e2e/web_test.cc every outcome end to end.
#ifndef SURVEY_API_ERROR_REASON_H_
#define SURVEY_API_ERROR_REASON_H_

#include <grpcpp/support/status.h>

#include <string>
#include <string_view>

namespace survey::api {

struct ErrorReason {
  std::string reason;  // e.g. "TOKEN_UNKNOWN"; empty for OK
  std::string field;   // FIELD_INVALID only: "scores[3]", "comment", …
  // CSV_INVALID only (a message "line 5, column post_pay: …" about an
  // uploaded CSV file): the file's line, and the column's name or "".
  std::string line = "";
  std::string column = "";
};

// `method` is the full gRPC method path ("/survey.v1.RespondService/Submit").
ErrorReason ReasonFor(std::string_view method, const grpc::Status& status);

}  // namespace survey::api

#endif  // SURVEY_API_ERROR_REASON_H_
