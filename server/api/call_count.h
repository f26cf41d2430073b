// The server's calls in flight, every service included, counted by an
// interceptor (gRPC creates one per call and destroys it when the call is
// over). Shutdown uses it to tell when nothing is left, and then closes
// idle connections at once instead of waiting for each client to notice
// the GOAWAY (a quiet client may take seconds). Thread-safe.
#ifndef SURVEY_API_CALL_COUNT_H_
#define SURVEY_API_CALL_COUNT_H_

#include <grpcpp/support/server_interceptor.h>

#include <cstdint>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace survey::api {

class CallCount {
 public:
  // Counts into this object, which must outlive the server.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
  MakeInterceptorFactory();

  // True once no call is in flight, false if `deadline` came first.
  bool WaitNone(absl::Time deadline);
  int64_t in_flight() const;

  void Add(int64_t delta);

 private:
  mutable absl::Mutex mu_;
  int64_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace survey::api

#endif  // SURVEY_API_CALL_COUNT_H_
