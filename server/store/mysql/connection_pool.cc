#include "store/mysql/connection_pool.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include "absl/strings/str_cat.h"
#include "metrics/server_metrics.h"

namespace survey::store::mysql {
namespace {

// Connector/C++ 1.1 documents driver->connect as not safe to call from
// several threads at once (it initialises the client library per thread).
absl::Mutex connect_mu;

}  // namespace

absl::StatusOr<std::unique_ptr<sql::Connection>> Connect(const DbConfig& config) {
  sql::ConnectOptionsMap options;
  if (!config.socket.empty()) {
    options["hostName"] = sql::SQLString("localhost");
    options["socket"] = sql::SQLString(config.socket);
  } else {
    options["hostName"] = sql::SQLString(
        absl::StrCat("tcp://", config.host, ":", config.port));
  }
  options["userName"] = sql::SQLString(config.user);
  options["password"] = sql::SQLString(config.password);
  options["schema"] = sql::SQLString(config.database);
  options["OPT_RECONNECT"] = false;
  options["OPT_CONNECT_TIMEOUT"] = config.connect_timeout_seconds;
  options["OPT_READ_TIMEOUT"] = config.read_timeout_seconds;
  options["OPT_WRITE_TIMEOUT"] = config.write_timeout_seconds;
  options["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  options["CLIENT_MULTI_STATEMENTS"] = false;
  try {
    std::unique_ptr<sql::Connection> connection;
    {
      absl::MutexLock lock(&connect_mu);
      connection.reset(
          sql::mysql::get_mysql_driver_instance()->connect(options));
    }
    std::unique_ptr<sql::Statement> st(connection->createStatement());
    st->execute(
        "SET SESSION sql_mode='STRICT_ALL_TABLES,NO_ZERO_DATE,"
        "NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION',"
        " time_zone='+00:00', collation_connection='utf8mb4_bin'");
    return connection;
  } catch (const sql::SQLException& e) {
    return absl::UnavailableError(absl::StrCat(
        "database unreachable at ", RedactedUrl(config), ": ", e.what(),
        " (error ", e.getErrorCode(), ")"));
  }
}

Lease::Lease(ConnectionPool* pool, std::unique_ptr<sql::Connection> c)
    : pool_(pool), connection_(std::move(c)) {}

Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_),
      connection_(std::move(other.connection_)),
      broken_(other.broken_) {
  other.pool_ = nullptr;
}

Lease::~Lease() {
  if (pool_ != nullptr && connection_ != nullptr) {
    pool_->Release(std::move(connection_), broken_);
  }
}

ConnectionPool::ConnectionPool(DbConfig config, int max_connections)
    : config_(std::move(config)), max_connections_(max_connections) {
  metrics::Server().db_pool_max.Add(max_connections_);
}

ConnectionPool::~ConnectionPool() {
  absl::MutexLock lock(&mu_);
  metrics::Server().db_pool_max.Add(-max_connections_);
  metrics::Server().db_pool_open.Add(-static_cast<int64_t>(idle_.size()));
}

absl::StatusOr<std::unique_ptr<sql::Connection>> ConnectionPool::OpenConnection()
    const {
  return Connect(config_);
}

absl::StatusOr<Lease> ConnectionPool::Acquire(absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  {
    absl::MutexLock lock(&mu_);
    auto available = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || open_ < max_connections_;
    };
    if (!mu_.AwaitWithDeadline(absl::Condition(&available), deadline)) {
      metrics::Server().db_pool_acquire_failures.Add();
      return absl::UnavailableError("database connection pool exhausted");
    }
    if (!idle_.empty()) {
      std::unique_ptr<sql::Connection> c = std::move(idle_.back());
      idle_.pop_back();
      metrics::Server().db_pool_in_use.Add(1);
      return Lease(this, std::move(c));
    }
    ++open_;  // reserve a slot; opened outside the lock
  }
  absl::StatusOr<std::unique_ptr<sql::Connection>> c = Connect(config_);
  if (!c.ok()) {
    absl::MutexLock lock(&mu_);
    --open_;
    metrics::Server().db_pool_acquire_failures.Add();
    return c.status();
  }
  metrics::Server().db_pool_open.Add(1);
  metrics::Server().db_pool_in_use.Add(1);
  return Lease(this, std::move(*c));
}

void ConnectionPool::Release(std::unique_ptr<sql::Connection> c, bool broken) {
  if (broken) {
    try {
      c->close();
    } catch (const sql::SQLException&) {
      // Already gone; closing is best effort.
    }
    c.reset();
  }
  metrics::Server().db_pool_in_use.Add(-1);
  if (broken) metrics::Server().db_pool_open.Add(-1);
  absl::MutexLock lock(&mu_);
  if (broken) {
    --open_;
  } else {
    idle_.push_back(std::move(c));
  }
}

}  // namespace survey::store::mysql
