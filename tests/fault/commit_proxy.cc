#include "fault/commit_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <string>

namespace survey::fault {

struct CommitProxy::Pair {
  int client_fd = -1, server_fd = -1;
  std::atomic<bool> drop_replies{false};
  std::mutex mu;
  std::condition_variable reply_seen_cv;
  bool reply_seen = false;

  void Cut() {
    ::shutdown(client_fd, SHUT_RDWR);
    ::shutdown(server_fd, SHUT_RDWR);
  }
};

namespace {

bool ReadFull(int fd, char* buf, size_t n) {
  while (n > 0) {
    ssize_t r = ::read(fd, buf, n);
    if (r <= 0) return false;
    buf += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

bool WriteFull(int fd, const char* buf, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, buf, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    buf += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// COM_QUERY (0x03) whose text is COMMIT, in any case, maybe padded.
bool IsCommit(const std::string& payload) {
  if (payload.empty() || payload[0] != 0x03) return false;
  std::string text;
  for (size_t i = 1; i < payload.size(); ++i) {
    unsigned char ch = static_cast<unsigned char>(payload[i]);
    if (!std::isspace(ch) && ch != ';') text += static_cast<char>(std::toupper(ch));
  }
  return text == "COMMIT";
}

int ConnectTo(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

std::unique_ptr<CommitProxy> CommitProxy::Start(int target_port) {
  std::unique_ptr<CommitProxy> proxy(new CommitProxy());
  proxy->target_port_ = target_port;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd, 128) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return nullptr;
  }
  proxy->listen_fd_ = fd;
  proxy->port_ = ntohs(addr.sin_port);
  proxy->accept_thread_ = std::thread([p = proxy.get()] { p->AcceptLoop(); });
  return proxy;
}

CommitProxy::~CommitProxy() {
  stop_ = true;
  if (accept_thread_.joinable()) accept_thread_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& pair : pairs_) pair->Cut();
  }
  for (std::thread& t : threads_) t.join();
  for (auto& pair : pairs_) {
    ::close(pair->client_fd);
    ::close(pair->server_fd);
  }
  ::close(listen_fd_);
}

void CommitProxy::Arm(int every, int max_faults) {
  every_ = every;
  max_faults_ = max_faults;
  armed_commits_ = 0;
  faults_ = 0;
  armed_ = true;
}

int CommitProxy::Decide() {
  ++commits_;
  if (!armed_) return 0;
  if (++armed_commits_ % every_ != 0) return 0;
  int n = faults_++;
  if (n >= max_faults_) return 0;
  return n % 2 == 0 ? 1 : 2;
}

void CommitProxy::AcceptLoop() {
  while (!stop_) {
    pollfd pfd{listen_fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 100) <= 0) continue;
    int client = ::accept(listen_fd_, nullptr, nullptr);
    if (client < 0) continue;
    int server = ConnectTo(target_port_);
    if (server < 0) {
      ::close(client);  // the database is down: so is its proxy
      continue;
    }
    int one = 1;
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto pair = std::make_shared<Pair>();
    pair->client_fd = client;
    pair->server_fd = server;
    std::lock_guard<std::mutex> lock(mu_);
    pairs_.push_back(pair);
    threads_.emplace_back([this, pair] { ClientToServer(pair); });
    threads_.emplace_back([this, pair] { ServerToClient(pair); });
  }
}

void CommitProxy::ClientToServer(std::shared_ptr<Pair> pair) {
  char header[4];
  std::string payload;
  while (ReadFull(pair->client_fd, header, 4)) {
    size_t length = static_cast<unsigned char>(header[0]) |
                    static_cast<unsigned char>(header[1]) << 8 |
                    static_cast<unsigned char>(header[2]) << 16;
    payload.resize(length);
    if (!ReadFull(pair->client_fd, payload.data(), length)) break;
    int fault = IsCommit(payload) ? Decide() : 0;
    if (fault == 1) {
      ++cut_before_;
      break;  // the COMMIT is never sent
    }
    if (fault == 2) pair->drop_replies = true;
    if (!WriteFull(pair->server_fd, header, 4) ||
        !WriteFull(pair->server_fd, payload.data(), payload.size())) {
      break;
    }
    if (fault == 2) {
      // Wait for the database's answer to the COMMIT (it is applied), then
      // cut before the server hears it.
      std::unique_lock<std::mutex> lock(pair->mu);
      pair->reply_seen_cv.wait_for(lock, std::chrono::seconds(5),
                                   [&] { return pair->reply_seen; });
      ++cut_after_;
      break;
    }
  }
  pair->Cut();
}

void CommitProxy::ServerToClient(std::shared_ptr<Pair> pair) {
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(pair->server_fd, buf, sizeof buf);
    if (n <= 0) break;
    if (pair->drop_replies) {
      std::lock_guard<std::mutex> lock(pair->mu);
      pair->reply_seen = true;
      pair->reply_seen_cv.notify_all();
      break;
    }
    if (!WriteFull(pair->client_fd, buf, static_cast<size_t>(n))) break;
  }
  pair->Cut();
}

}  // namespace survey::fault
