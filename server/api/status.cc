#include "api/status.h"

#include <spdlog/spdlog.h>

namespace survey::api {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  switch (status.code()) {
    case absl::StatusCode::kAborted:
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          "database busy; retry later");
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnknown:
      spdlog::error("internal error: {}", status.ToString());
      return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                          "internal error (logged on the server)");
    default:
      return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                          std::string(status.message()));
  }
}

}  // namespace survey::api
