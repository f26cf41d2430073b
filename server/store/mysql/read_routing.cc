#include "store/mysql/read_routing.h"

#include <cppconn/connection.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>

#include "store/mysql/statement.h"
#include "store/mysql/transaction.h"

namespace survey::store::mysql {
namespace {

using std::unique_ptr;

// Everything the primary has committed (and written to its binary log).
constexpr char kPrimaryPosition[] = "SELECT @@GLOBAL.gtid_binlog_pos";
// 0 once the replica has applied `pos`, -1 after the timeout (seconds).
constexpr char kWaitForPosition[] = "SELECT MASTER_GTID_WAIT(?, ?)";

}  // namespace

ConnectionPool& ReadRouting::ForRead() {
  if (replica_ == nullptr) return *primary_;
  absl::StatusOr<std::string> position = WithConnection(
      *primary_, "read the primary's position",
      [](sql::Connection& c) -> absl::StatusOr<std::string> {
        unique_ptr<sql::Statement> st(c.createStatement());
        unique_ptr<sql::ResultSet> rs(st->executeQuery(kPrimaryPosition));
        if (!rs->next()) return std::string();
        return Str(*rs, 1);
      });
  // No position: the primary has no binary log (not set up for
  // replication), so nothing tells whether the replica caught up.
  if (!position.ok() || position->empty()) {
    fallbacks_.fetch_add(1, std::memory_order_relaxed);
    return *primary_;
  }
  absl::StatusOr<bool> caught_up = WithConnection(
      *replica_, "wait for the replica", [&](sql::Connection& c) -> absl::StatusOr<bool> {
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(kWaitForPosition));
        st->setString(1, *position);
        st->setDouble(2, absl::ToDoubleSeconds(wait_));
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        return rs->next() && !rs->isNull(1) && rs->getInt(1) == 0;
      });
  if (caught_up.ok() && *caught_up) {
    replica_reads_.fetch_add(1, std::memory_order_relaxed);
    return *replica_;
  }
  if (fallbacks_.fetch_add(1, std::memory_order_relaxed) % 1000 == 0) {
    spdlog::warn("reads go to the primary: the replica is {}",
                 caught_up.ok() ? "behind" : "unreachable");
  }
  return *primary_;
}

}  // namespace survey::store::mysql
