#include "api/status.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cctype>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace survey::api {
namespace {

// Messages say what to do, never what broke where; "survey", "sql" and
// digits stay out of them on purpose (tests/e2e/lifecycle_test.cc).
constexpr FailureInfo kFailures[] = {
    {grpc::StatusCode::UNAVAILABLE, "service temporarily unavailable; retry later",
     "DATABASE_UNAVAILABLE", 1000},
    {grpc::StatusCode::UNAVAILABLE, "service busy; retry later", "DATABASE_BUSY", 200},
    {grpc::StatusCode::UNAVAILABLE, "server busy; retry in a moment", "OVERLOADED", 200},
    {grpc::StatusCode::UNAVAILABLE, "server shutting down; retry", "SHUTTING_DOWN", 500},
    {grpc::StatusCode::INTERNAL, "internal error (logged on the server)", "INTERNAL", 0},
};

// While the database is down every call fails the same way: one log line a
// second (with the count) instead of one per call.
void LogThrottled(const absl::Status& status) {
  static std::atomic<int64_t> next_log_us{0};
  static std::atomic<int64_t> suppressed{0};
  int64_t now = absl::ToUnixMicros(absl::Now());
  int64_t next = next_log_us.load();
  if (now < next || !next_log_us.compare_exchange_strong(next, now + 1000000)) {
    ++suppressed;
    return;
  }
  spdlog::warn("call failed: {} ({} similar failures not logged)", status.ToString(),
               suppressed.exchange(0));
}

}  // namespace

const FailureInfo& Describe(Failure failure) {
  return kFailures[static_cast<int>(failure)];
}

grpc::Status PublicStatus(Failure failure) {
  const FailureInfo& f = Describe(failure);
  return grpc::Status(f.code, std::string(f.message));
}

const FailureInfo* FindFailure(const grpc::Status& status) {
  for (const FailureInfo& f : kFailures) {
    if (f.code == status.error_code() && f.message == status.error_message()) return &f;
  }
  return nullptr;
}

bool LooksInternal(std::string_view message) {
  if (message.find("://") != std::string_view::npos) return true;
  for (size_t at = message.find("(error "); at != std::string_view::npos;
       at = message.find("(error ", at + 1)) {
    size_t digit = at + 7;
    if (digit < message.size() &&
        (std::isdigit(static_cast<unsigned char>(message[digit])) || message[digit] == '-')) {
      return true;
    }
  }
  return false;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
      LogThrottled(status);
      return PublicStatus(Failure::kDatabaseUnavailable);
    case absl::StatusCode::kAborted:
      LogThrottled(status);
      return PublicStatus(Failure::kDatabaseBusy);
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnknown:
      spdlog::error("internal error: {}", status.ToString());
      return PublicStatus(Failure::kInternal);
    default:
      break;
  }
  auto code = static_cast<grpc::StatusCode>(status.code());
  if (LooksInternal(std::string(status.message()))) {
    spdlog::error("storage refused a call: {}", status.ToString());
    return grpc::Status(code, "request refused (details in the server log)");
  }
  return grpc::Status(code, std::string(status.message()));
}

}  // namespace survey::api
