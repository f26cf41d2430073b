// --insecure is loud: besides the warning at start, the first call on every
// new plaintext connection logs a warning, so nobody runs a development
// server in production by accident without the log saying so repeatedly.
//
// A connection is recognised by its peer string (address and client port,
// which together name one TCP connection); the warning is logged once per
// connection, at its first call (a connection that never makes a call is
// not logged). The peer address itself is NOT logged: respondents connect
// here too, and the server keeps no trace of who answered.
#ifndef SURVEY_API_PLAINTEXT_WARNING_H_
#define SURVEY_API_PLAINTEXT_WARNING_H_

#include <grpcpp/support/server_interceptor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"

namespace survey::api {

class PlaintextConnectionWarner {
 public:
  // Remembers at most `max_remembered` connections; when full it forgets
  // them all (they may then be warned about once more).
  explicit PlaintextConnectionWarner(size_t max_remembered = 4096)
      : max_remembered_(max_remembered) {}

  // Logs the warning and returns true the first time `peer` is seen.
  bool Note(std::string_view peer);
  uint64_t warned() const;

 private:
  const size_t max_remembered_;
  mutable absl::Mutex mu_;
  absl::flat_hash_set<std::string> seen_ ABSL_GUARDED_BY(mu_);
  uint64_t warned_ ABSL_GUARDED_BY(mu_) = 0;
};

// A server interceptor factory that calls warner->Note(peer) for every call.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakePlaintextWarningInterceptorFactory(
    std::shared_ptr<PlaintextConnectionWarner> warner);

}  // namespace survey::api

#endif  // SURVEY_API_PLAINTEXT_WARNING_H_
