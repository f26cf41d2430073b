#include "api/plaintext_warning.h"

#include <grpcpp/server_context.h>
#include <spdlog/spdlog.h>

namespace survey::api {

bool PlaintextConnectionWarner::Note(std::string_view peer) {
  // (Debian's Abseil has its own string_view: look up a std::string.)
  std::string key(peer);
  uint64_t n = 0;
  {
    absl::MutexLock lock(&mu_);
    if (seen_.contains(key)) return false;
    if (seen_.size() >= max_remembered_) seen_.clear();
    seen_.insert(std::move(key));
    n = ++warned_;
  }
  spdlog::warn(
      "--insecure: plaintext connection #{} (no TLS, development identities "
      "honoured); never run like this outside development",
      n);
  return true;
}

uint64_t PlaintextConnectionWarner::warned() const {
  absl::MutexLock lock(&mu_);
  return warned_;
}

namespace {

class PlaintextWarningInterceptor final
    : public grpc::experimental::Interceptor {
 public:
  PlaintextWarningInterceptor(grpc::experimental::ServerRpcInfo* info,
                              PlaintextConnectionWarner* warner)
      : info_(info), warner_(warner) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::
                POST_RECV_INITIAL_METADATA)) {
      grpc::ServerContextBase* ctx = info_->server_context();
      if (ctx != nullptr) warner_->Note(ctx->peer());
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  PlaintextConnectionWarner* warner_;
};

class PlaintextWarningFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit PlaintextWarningFactory(
      std::shared_ptr<PlaintextConnectionWarner> warner)
      : warner_(std::move(warner)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new PlaintextWarningInterceptor(info, warner_.get());
  }

 private:
  std::shared_ptr<PlaintextConnectionWarner> warner_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakePlaintextWarningInterceptorFactory(
    std::shared_ptr<PlaintextConnectionWarner> warner) {
  return std::make_unique<PlaintextWarningFactory>(std::move(warner));
}

}  // namespace survey::api
