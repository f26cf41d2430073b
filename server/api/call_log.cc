#include "api/call_log.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"

namespace survey::api {
namespace {

using Hook = grpc::experimental::InterceptionHookPoints;

std::atomic<uint64_t> next_id{1};

class CallLogInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit CallLogInterceptor(grpc::experimental::ServerRpcInfo* info)
      : method_(info->method() != nullptr ? info->method() : "?"),
        id_(next_id.fetch_add(1, std::memory_order_relaxed)),
        respondent_(absl::StartsWith(method_, "/survey.v1.RespondService/")),
        start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(Hook::POST_RECV_INITIAL_METADATA) &&
        spdlog::should_log(spdlog::level::trace)) {
      std::vector<std::string> keys;
      if (auto* md = methods->GetRecvInitialMetadata(); md != nullptr) {
        for (const auto& [k, v] : *md) keys.emplace_back(k.data(), k.size());
      }
      spdlog::trace("r{} {} started (metadata keys: {})", id_, method_,
                    absl::StrJoin(keys, ","));
    }
    if (methods->QueryInterceptionHookPoint(Hook::PRE_SEND_STATUS) &&
        spdlog::should_log(spdlog::level::debug)) {
      const grpc::Status status = methods->GetSendStatus();
      const double ms = std::chrono::duration<double, std::milli>(
                            std::chrono::steady_clock::now() - start_)
                            .count();
      if (respondent_ || status.ok()) {
        spdlog::debug("r{} {} -> {} in {:.1f} ms", id_, method_,
                      static_cast<int>(status.error_code()), ms);
      } else {
        spdlog::debug("r{} {} -> {} in {:.1f} ms: {}", id_, method_,
                      static_cast<int>(status.error_code()), ms, status.error_message());
      }
    }
    methods->Proceed();
  }

 private:
  const std::string method_;
  const uint64_t id_;
  const bool respondent_;
  const std::chrono::steady_clock::time_point start_;
};

class CallLogFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CallLogInterceptor(info);
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeCallLogInterceptorFactory() {
  return std::make_unique<CallLogFactory>();
}

}  // namespace survey::api
