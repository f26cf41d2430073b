#include "api/call_count.h"

namespace survey::api {
namespace {

class CountingInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit CountingInterceptor(CallCount* count) : count_(count) { count_->Add(1); }
  ~CountingInterceptor() override { count_->Add(-1); }
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    methods->Proceed();
  }

 private:
  CallCount* count_;
};

class CountingFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CountingFactory(CallCount* count) : count_(count) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo*) override {
    return new CountingInterceptor(count_);
  }

 private:
  CallCount* count_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
CallCount::MakeInterceptorFactory() {
  return std::make_unique<CountingFactory>(this);
}

void CallCount::Add(int64_t delta) {
  absl::MutexLock lock(&mu_);
  in_flight_ += delta;
}

bool CallCount::WaitNone(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto none = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return in_flight_ == 0; };
  return mu_.AwaitWithDeadline(absl::Condition(&none), deadline);
}

int64_t CallCount::in_flight() const {
  absl::MutexLock lock(&mu_);
  return in_flight_;
}

}  // namespace survey::api
