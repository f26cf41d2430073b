#include "store/mysql/probe.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>

#include "store/mysql/connection_pool.h"
#include "store/mysql/queries.h"
#include "store/mysql/transaction.h"

namespace survey::store::mysql {

MysqlProbe::MysqlProbe(DbConfig config) : config_(std::move(config)) {
  // A probe must answer quickly when the database hangs.
  config_.connect_timeout_seconds = 2;
  config_.read_timeout_seconds = 2;
  config_.write_timeout_seconds = 2;
}

MysqlProbe::~MysqlProbe() = default;

absl::Status MysqlProbe::Ping() {
  if (connection_ == nullptr) {
    absl::StatusOr<std::unique_ptr<sql::Connection>> c = Connect(config_);
    if (!c.ok()) return c.status();
    connection_ = std::move(*c);
  }
  try {
    std::unique_ptr<sql::Statement> st(connection_->createStatement());
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery(queries::kPing));
    return absl::OkStatus();
  } catch (const sql::SQLException& e) {
    connection_.reset();  // reconnect explicitly on the next probe
    return absl::UnavailableError(e.what());
  }
}

}  // namespace survey::store::mysql
