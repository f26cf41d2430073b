#include "api/connection_gate.h"

#include <errno.h>
#include <fcntl.h>
#include <grpcpp/server_builder.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace survey::api {
namespace {

// Summaries of refused connections at most this often.
constexpr absl::Duration kReportInterval = absl::Seconds(10);
// A full sweep of the live set at most this often while refusing at the
// cap (a sweep is one fstat per connection).
constexpr absl::Duration kSweepInterval = absl::Milliseconds(10);

ino_t InodeOf(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return 0;
  return st.st_ino;
}

absl::Status SplitHostPort(const std::string& address, std::string* host,
                           std::string* port) {
  std::string_view a = address;
  for (std::string_view scheme : {"ipv4:", "ipv6:", "dns:"}) {
    if (a.substr(0, scheme.size()) == scheme) a.remove_prefix(scheme.size());
  }
  if (!a.empty() && a.front() == '[') {
    size_t close = a.find(']');
    if (close == std::string_view::npos || close + 1 >= a.size() || a[close + 1] != ':') {
      return absl::InvalidArgumentError(absl::StrCat("--listen: not [address]:port: ", address));
    }
    *host = std::string(a.substr(1, close - 1));
    *port = std::string(a.substr(close + 2));
  } else {
    size_t colon = a.rfind(':');
    if (colon == std::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("--listen: not address:port: ", address));
    }
    *host = std::string(a.substr(0, colon));
    *port = std::string(a.substr(colon + 1));
  }
  int n = 0;
  if (!absl::SimpleAtoi(*port, &n) || n < 0 || n > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("--listen: bad port: ", address));
  }
  return absl::OkStatus();
}

}  // namespace

int64_t DescriptorLimit() {
  struct rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
  if (lim.rlim_cur == RLIM_INFINITY) return int64_t{1} << 20;
  return static_cast<int64_t>(lim.rlim_cur);
}

int64_t RaiseDescriptorLimit() {
  struct rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
  if (lim.rlim_cur < lim.rlim_max) {
    struct rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  if (lim.rlim_cur == RLIM_INFINITY) return int64_t{1} << 20;
  return static_cast<int64_t>(lim.rlim_cur);
}

int DefaultMaxConnections(int64_t descriptor_limit, int reserved) {
  // Beyond the database connections, gRPC keeps a few descriptors of its
  // own (epoll, wake-ups), and logs, migrations and certificates open
  // files: keep at least 64, or a tenth of a large limit, free.
  int64_t reserve = std::max<int64_t>(reserved + 64, descriptor_limit / 10);
  return static_cast<int>(std::clamp<int64_t>(descriptor_limit - reserve, 1, 1 << 20));
}

absl::StatusOr<std::unique_ptr<ConnectionGate>> ConnectionGate::Listen(
    const std::string& address, int max_connections) {
  std::string host, port;
  if (absl::Status s = SplitHostPort(address, &host, &port); !s.ok()) return s;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen: cannot resolve ", address, ": ", gai_strerror(rc)));
  }
  std::unique_ptr<ConnectionGate> gate(new ConnectionGate());
  gate->max_connections_ = std::max(1, max_connections);
  int bound_port = 0;
  std::string error;
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;  // e.g. no IPv6 on this host
    int one = 1, zero = 0;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // not REUSEPORT
    // "[::]" serves IPv4 too, as gRPC's wildcard does.
    if (ai->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    sockaddr_storage addr{};
    std::memcpy(&addr, ai->ai_addr, ai->ai_addrlen);
    if (bound_port != 0) {  // port 0 on several addresses: the same port
      if (addr.ss_family == AF_INET) {
        reinterpret_cast<sockaddr_in*>(&addr)->sin_port = htons(bound_port);
      } else {
        reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port = htons(bound_port);
      }
    }
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), ai->ai_addrlen) != 0 ||
        listen(fd, SOMAXCONN) != 0) {
      error = strerror(errno);
      close(fd);
      if (errno == EADDRINUSE) {
        for (int l : gate->listeners_) close(l);
        gate->listeners_.clear();
        break;
      }
      continue;
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    bound_port = ntohs(bound.ss_family == AF_INET
                           ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                           : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
    gate->listeners_.push_back(fd);
  }
  freeaddrinfo(found);
  if (gate->listeners_.empty()) {
    return absl::InternalError(absl::StrCat(
        "cannot listen on ", address, ": ", error.empty() ? "no usable address" : error,
        " (another survey-server?)"));
  }
  gate->port_ = bound_port;
  if (pipe2(gate->wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
    return absl::InternalError("pipe2 failed");
  }
  gate->reserve_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
  return gate;
}

ConnectionGate::~ConnectionGate() {
  Stop();
  for (int fd : {wake_[0], wake_[1], reserve_fd_}) {
    if (fd >= 0) close(fd);
  }
}

void ConnectionGate::Start(grpc::experimental::ExternalConnectionAcceptor* acceptor) {
  acceptor_ = acceptor;
  thread_ = std::thread([this] { Run(); });
}

void ConnectionGate::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (thread_.joinable()) {
    char c = 0;
    (void)!write(wake_[1], &c, 1);
    thread_.join();
  }
  for (int fd : listeners_) close(fd);
  listeners_.clear();
  ReportRefusals(true);
}

int ConnectionGate::LiveConnections() {
  Sweep();
  absl::MutexLock lock(&mu_);
  return static_cast<int>(live_.size());
}

void ConnectionGate::Sweep() {
  absl::MutexLock lock(&mu_);
  last_sweep_ = absl::Now();
  for (auto it = live_.begin(); it != live_.end();) {
    auto here = it++;
    if (InodeOf(here->first) != here->second) live_.erase(here);
  }
}

void ConnectionGate::Run() {
  std::vector<pollfd> fds;
  for (int l : listeners_) fds.push_back({l, POLLIN, 0});
  fds.push_back({wake_[0], POLLIN, 0});
  for (;;) {
    int n = poll(fds.data(), fds.size(), absl::ToInt64Milliseconds(kReportInterval));
    if (n < 0 && errno != EINTR) break;
    if (fds.back().revents != 0) break;  // Stop()
    for (size_t i = 0; i + 1 < fds.size(); ++i) {
      if (fds[i].revents != 0) AcceptFrom(fds[i].fd);
    }
    ReportRefusals(false);
  }
}

void ConnectionGate::AcceptFrom(int listener) {
  // Bounded, so that a flood on one address cannot starve the other, nor
  // the stop signal.
  for (int i = 0; i < 256; ++i) {
    int fd = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // No descriptor to spare: take the reserved one to accept the
        // connection and close it, so that it does not wait in the
        // backlog; then keep going (gRPC's own loop would stop here).
        refused_no_fd_.fetch_add(1);
        if (reserve_fd_ >= 0) {
          close(reserve_fd_);
          reserve_fd_ = -1;
          int refused = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
          if (refused >= 0) close(refused);
          reserve_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
        }
        if (reserve_fd_ < 0) {
          // Someone took the descriptor meanwhile: wait instead of spinning.
          usleep(10000);
          reserve_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
        }
        continue;
      }
      return;  // EAGAIN: the backlog is empty
    }
    const ino_t inode = InodeOf(fd);
    bool admit, may_sweep;
    {
      absl::MutexLock lock(&mu_);
      live_.erase(fd);  // that number was closed by gRPC and reused
      admit = static_cast<int>(live_.size()) < max_connections_;
      may_sweep = absl::Now() - last_sweep_ >= kSweepInterval;
    }
    if (!admit && may_sweep) {
      Sweep();
      absl::MutexLock lock(&mu_);
      admit = static_cast<int>(live_.size()) < max_connections_;
    }
    if (!admit) {
      refused_at_cap_.fetch_add(1);
      close(fd);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    {
      absl::MutexLock lock(&mu_);
      live_[fd] = inode;
    }
    grpc::experimental::ExternalConnectionAcceptor::NewConnectionParameters p;
    p.listener_fd = listener;
    p.fd = fd;
    acceptor_->HandleNewConnection(&p);  // gRPC owns fd now
  }
}

void ConnectionGate::ReportRefusals(bool force) {
  absl::Time now = absl::Now();
  if (!force && now - last_report_ < kReportInterval) return;
  int64_t at_cap = refused_at_cap_.load(), no_fd = refused_no_fd_.load();
  if (at_cap != reported_at_cap_) {
    spdlog::warn("connections: refused {} at the cap of {} live connections "
                 "(--max-connections) since the last report",
                 at_cap - reported_at_cap_, max_connections_);
  }
  if (no_fd != reported_no_fd_) {
    spdlog::error("connections: refused {} for lack of file descriptors "
                  "(RLIMIT_NOFILE) since the last report; lower --max-connections",
                  no_fd - reported_no_fd_);
  }
  reported_at_cap_ = at_cap;
  reported_no_fd_ = no_fd;
  last_report_ = now;
}

}  // namespace survey::api
