// A bounded pool of Connector/C++ connections to one MariaDB database.
//
// Connections are opened lazily and never auto-reconnect (a silent
// reconnect inside a transaction would lose its locks and its writes): a
// lease whose connection failed is marked broken and the connection is
// closed instead of returned, so the next Acquire opens a fresh one.
//
// Thread-safe. Connector/C++ types appear only in store/mysql/.
#ifndef SURVEY_STORE_MYSQL_CONNECTION_POOL_H_
#define SURVEY_STORE_MYSQL_CONNECTION_POOL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "store/db_url.h"

namespace sql {
class Connection;
}

namespace survey::store::mysql {

class ConnectionPool;

// Exclusive use of one connection; returns it to the pool when destroyed.
class Lease {
 public:
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&&) = delete;
  ~Lease();

  sql::Connection& operator*() const { return *connection_; }
  sql::Connection* operator->() const { return connection_.get(); }
  // The connection is in an unknown state (lost, mid-transaction after an
  // error): close it instead of reusing it.
  void MarkBroken() { broken_ = true; }

 private:
  friend class ConnectionPool;
  Lease(ConnectionPool* pool, std::unique_ptr<sql::Connection> c);
  ConnectionPool* pool_;
  std::unique_ptr<sql::Connection> connection_;
  bool broken_ = false;
};

class ConnectionPool {
 public:
  ConnectionPool(DbConfig config, int max_connections);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Waits up to `timeout` for a free connection, opening one if under the
  // limit. Returns Unavailable if the database cannot be reached or the
  // pool stays exhausted; DeadlineExceeded is never returned.
  absl::StatusOr<Lease> Acquire(absl::Duration timeout = absl::Seconds(5));

  // Opens a connection outside the pool (migrations, health probes).
  // `database` empty = the configured one. Returns Unavailable on failure.
  absl::StatusOr<std::unique_ptr<sql::Connection>> OpenConnection() const;

  const DbConfig& config() const { return config_; }

 private:
  friend class Lease;
  void Release(std::unique_ptr<sql::Connection> c, bool broken);

  const DbConfig config_;
  const int max_connections_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<sql::Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
};

// Opens one connection with the project's session settings (utf8mb4,
// strict SQL mode, UTC, no auto-reconnect). Unavailable on failure.
absl::StatusOr<std::unique_ptr<sql::Connection>> Connect(const DbConfig& config);

}  // namespace survey::store::mysql

#endif  // SURVEY_STORE_MYSQL_CONNECTION_POOL_H_
