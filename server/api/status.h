// The one place where domain/store statuses become gRPC statuses.
#ifndef SURVEY_API_STATUS_H_
#define SURVEY_API_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace survey::api {

// absl and gRPC share the canonical code numbers, so the code carries over
// unchanged; Aborted (retries exhausted on contention) becomes UNAVAILABLE
// because the caller may simply retry later. Internal details of
// INTERNAL errors are not sent to clients (they are logged instead).
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace survey::api

#endif  // SURVEY_API_STATUS_H_
