// A TCP proxy between survey-server and MariaDB that breaks connections at
// COMMIT, from outside the server process. It reads the MySQL client
// protocol's packet framing (3-byte length, 1-byte sequence) on the way to
// the database, recognises a COM_QUERY "COMMIT", and when armed faults every
// n-th one, alternating two ways a crash can hit a commit:
//   - the COMMIT never reaches the database (connection cut first): the
//     transaction rolls back, and an answer reported stored would be lost;
//   - the COMMIT reaches it and is applied, but the reply is cut: the
//     outcome is unknown to the server, which must not count it twice.
// Plaintext protocol only (the private MariaDB has no TLS).
#ifndef SURVEY_TESTS_FAULT_COMMIT_PROXY_H_
#define SURVEY_TESTS_FAULT_COMMIT_PROXY_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace survey::fault {

class CommitProxy {
 public:
  // Listens on 127.0.0.1 (an ephemeral port) and forwards to
  // 127.0.0.1:target_port. Null if it cannot listen.
  static std::unique_ptr<CommitProxy> Start(int target_port);
  ~CommitProxy();  // cuts every connection and joins its threads

  int port() const { return port_; }
  // From now on, every `every`-th COMMIT is faulted, at most `max_faults`.
  void Arm(int every, int max_faults);
  void Disarm() { armed_ = false; }

  int commits_seen() const { return commits_; }
  int cut_before_commit() const { return cut_before_; }
  int cut_after_commit() const { return cut_after_; }

 private:
  struct Pair;
  CommitProxy() = default;
  void AcceptLoop();
  void ClientToServer(std::shared_ptr<Pair> pair);
  void ServerToClient(std::shared_ptr<Pair> pair);
  // Which fault (0 none, 1 cut before, 2 cut after) this COMMIT gets.
  int Decide();

  int listen_fd_ = -1, port_ = 0, target_port_ = 0;
  std::atomic<bool> stop_{false}, armed_{false};
  std::atomic<int> every_{0}, max_faults_{0}, commits_{0}, armed_commits_{0},
      faults_{0}, cut_before_{0}, cut_after_{0};
  std::mutex mu_;
  std::vector<std::shared_ptr<Pair>> pairs_;
  std::vector<std::thread> threads_;
  std::thread accept_thread_;
};

}  // namespace survey::fault

#endif  // SURVEY_TESTS_FAULT_COMMIT_PROXY_H_
