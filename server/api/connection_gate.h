// The server's own accept loop (issue 18, item 1). gRPC 1.51's listener
// gives up for good after an accept4 error such as EMFILE (grpc/grpc#20418:
// it logs "Failed accept4" and never re-arms the listening socket), and it
// has no cap on connections (grpc.max_allowed_incoming_connections arrived
// in later releases). So the server listens and accepts itself and hands
// each connection to gRPC through its external connection acceptor (TLS and
// the peer address as with gRPC's own listener):
//  - at most `max_connections` live at once; one more is accepted and
//    closed at once (the client sees the connection closed and retries),
//    never left waiting in the backlog;
//  - on EMFILE/ENFILE the pending connection is accepted on a reserved
//    descriptor and closed, and accepting goes on: the listener never dies;
//  - refusals are logged as one summary per interval, without addresses.
#ifndef SURVEY_API_CONNECTION_GATE_H_
#define SURVEY_API_CONNECTION_GATE_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace grpc::experimental {
class ExternalConnectionAcceptor;
}

namespace survey::api {

class ConnectionGate {
 public:
  // Binds and listens on `address` (host:port, [v6]:port; port 0 picks a
  // free one; every address the host resolves to). No SO_REUSEPORT: a
  // port in use is an error.
  static absl::StatusOr<std::unique_ptr<ConnectionGate>> Listen(
      const std::string& address, int max_connections);
  ~ConnectionGate();

  int port() const { return port_; }
  // Starts accepting; connections go to `acceptor` (owned by the caller,
  // alive until Stop returned).
  void Start(grpc::experimental::ExternalConnectionAcceptor* acceptor);
  // Closes the listening sockets (new connections are refused by the
  // kernel) and joins the accept thread. Idempotent.
  void Stop();

  // Live connections handed to gRPC (closed ones are noticed lazily).
  int LiveConnections();
  int64_t refused_at_cap() const { return refused_at_cap_.load(); }
  int64_t refused_no_descriptor() const { return refused_no_fd_.load(); }

 private:
  ConnectionGate() = default;
  void Run();
  void AcceptFrom(int listener);
  // Forgets connections gRPC has closed: a descriptor is still ours while
  // it refers to the same socket (inode) as when it was accepted.
  void Sweep();
  void ReportRefusals(bool force);

  std::vector<int> listeners_;
  int port_ = 0;
  int max_connections_ = 0;
  int wake_[2] = {-1, -1};  // Stop() writes to wake_[1]
  int reserve_fd_ = -1;     // spent to refuse a connection on EMFILE
  grpc::experimental::ExternalConnectionAcceptor* acceptor_ = nullptr;
  std::thread thread_;
  bool stopped_ = false;

  absl::Mutex mu_;
  absl::flat_hash_map<int, ino_t> live_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sweep_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();

  std::atomic<int64_t> refused_at_cap_{0};
  std::atomic<int64_t> refused_no_fd_{0};
  int64_t reported_at_cap_ = 0;
  int64_t reported_no_fd_ = 0;
  absl::Time last_report_ = absl::InfinitePast();
};

// Raises RLIMIT_NOFILE's soft limit to the hard limit; returns the limit
// now in force.
int64_t RaiseDescriptorLimit();
// The soft RLIMIT_NOFILE.
int64_t DescriptorLimit();
// Connections allowed by default under a descriptor limit: the limit less
// a reserve for the database pool, files and gRPC's own descriptors.
int DefaultMaxConnections(int64_t descriptor_limit, int reserved);

}  // namespace survey::api

#endif  // SURVEY_API_CONNECTION_GATE_H_
