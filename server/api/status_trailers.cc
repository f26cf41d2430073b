#include "api/status_trailers.h"

#include <spdlog/spdlog.h>

#include <map>
#include <string>

#include "api/error_reason.h"
#include "api/status.h"
#include "metrics/server_metrics.h"

namespace survey::api {
namespace {

using grpc::experimental::InterceptionHookPoints;

class StatusTrailersInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit StatusTrailersInterceptor(std::string method)
      : method_(std::move(method)),
        is_submit_(method_ == "/survey.v1.RespondService/Submit") {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      // Every Submit's outcome passes here, whichever path answered it.
      if (is_submit_) {
        int code = static_cast<int>(methods->GetSendStatus().error_code());
        if (code >= 0 && code < 17) metrics::Server().submit_by_code[code].Add();
      }
      Decorate(methods);
    }
    methods->Proceed();
  }

 private:
  void Decorate(grpc::experimental::InterceptorBatchMethods* methods) const {
    grpc::Status status = methods->GetSendStatus();
    if (status.ok()) return;
    if (LooksInternal(status.error_message())) {
      spdlog::error("internal detail kept from a caller: {} {}",
                    static_cast<int>(status.error_code()), status.error_message());
      status = grpc::Status(status.error_code(),
                            "request refused (details in the server log)");
      methods->ModifySendStatus(status);
    }
    std::multimap<std::string, std::string>* trailers =
        methods->GetSendTrailingMetadata();
    if (trailers == nullptr) return;
    const FailureInfo* failure = FindFailure(status);
    if (failure == nullptr) {
      // Every other failure: the outcome's reason (api/error_reason.h).
      ErrorReason why = ReasonFor(method_, status);
      if (trailers->count("reason") == 0) trailers->emplace("reason", why.reason);
      if (!why.field.empty() && trailers->count("field") == 0) {
        trailers->emplace("field", why.field);
      }
      if (!why.line.empty() && trailers->count("line") == 0) trailers->emplace("line", why.line);
      if (!why.column.empty() && trailers->count("column") == 0) {
        trailers->emplace("column", why.column);
      }
      if (why.reason == "RATE_LIMITED" && trailers->count("retry-after-ms") == 0) {
        trailers->emplace("retry-after-ms", "10000");
      }
      return;
    }
    if (trailers->count("reason") == 0) {
      trailers->emplace("reason", std::string(failure->reason));
    }
    if (failure->retry_after_ms > 0 && trailers->count("retry-after-ms") == 0) {
      trailers->emplace("retry-after-ms", std::to_string(failure->retry_after_ms));
    }
  }

  std::string method_;
  bool is_submit_;
};

class StatusTrailersFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new StatusTrailersInterceptor(info != nullptr && info->method() != nullptr
                                             ? info->method()
                                             : "");
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeStatusTrailersInterceptorFactory() {
  return std::make_unique<StatusTrailersFactory>();
}

}  // namespace survey::api
