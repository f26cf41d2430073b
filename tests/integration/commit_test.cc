// RunInTransaction against a real MariaDB, broken the way a crash breaks
// it: the transaction's connection is killed from a second session right
// before its COMMIT, after its body, or inside it. Pins the connector
// behaviours the store relies on (Connector/C++ 1.1 discards the result of
// Connection::commit(), which is why transaction.cc sends statements).
#include <cppconn/connection.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "store/mysql/connection_pool.h"
#include "store/mysql/transaction.h"
#include "support/test_db.h"

namespace survey::testing {
namespace {

using store::mysql::ConnectionPool;
using store::mysql::RunInTransaction;
using store::mysql::commit_hook_for_tests;

int64_t QueryInt(sql::Connection& c, const std::string& query) {
  std::unique_ptr<sql::Statement> st(c.createStatement());
  std::unique_ptr<sql::ResultSet> rs(st->executeQuery(query));
  if (!rs->next()) return -1;
  return rs->getInt64(1);
}

class CommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    ASSERT_TRUE(db_->Execute("CREATE TABLE t (id INT PRIMARY KEY, v INT) "
                             "ENGINE=InnoDB").ok());
    pool_ = std::make_unique<ConnectionPool>(db_->config(), 4);
  }
  void TearDown() override { commit_hook_for_tests = nullptr; }

  // Kills `victim` from a second session, as a crash of its network path
  // or an operator's KILL would.
  void Kill(sql::Connection& victim) {
    int64_t id = QueryInt(victim, "SELECT CONNECTION_ID()");
    auto killer = pool_->OpenConnection();
    ASSERT_TRUE(killer.ok()) << killer.status();
    std::unique_ptr<sql::Statement> st((*killer)->createStatement());
    st->execute(absl::StrCat("KILL CONNECTION ", id));
  }

  int64_t Rows() {
    auto rows = db_->Query("SELECT COUNT(*) FROM t");
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? std::stoll((*rows)[0][0]) : -1;
  }

  absl::Status InsertRow(sql::Connection& c, int id) {
    std::unique_ptr<sql::PreparedStatement> st(
        c.prepareStatement("INSERT INTO t (id, v) VALUES (?, 1)"));
    st->setInt(1, id);
    st->executeUpdate();
    return absl::OkStatus();
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<ConnectionPool> pool_;
};

// The bug of issue 11: the COMMIT never reached the server, yet the old
// code reported success and the row was gone.
TEST_F(CommitTest, ConnectionKilledBeforeCommitIsRerunNotReportedDone) {
  int runs = 0, kills = 0;
  commit_hook_for_tests = [&](sql::Connection& c) {
    if (kills++ == 0) Kill(c);
  };
  absl::Status s = RunInTransaction(*pool_, [&](sql::Connection& c) {
    ++runs;
    // Decide from what the transaction reads, as every body must: the
    // rerun must not insert twice if the first COMMIT did land.
    if (QueryInt(c, "SELECT COUNT(*) FROM t WHERE id = 1") > 0) {
      return absl::OkStatus();
    }
    return InsertRow(c, 1);
  });
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(runs, 2) << "a COMMIT on a killed connection must be rerun";
  EXPECT_EQ(Rows(), 1) << "reported success must mean the row is stored";
}

TEST_F(CommitTest, ConnectionThatStaysDeadEndsUnavailableNeverOk) {
  commit_hook_for_tests = [&](sql::Connection& c) { Kill(c); };
  int runs = 0;
  absl::Status s = RunInTransaction(
      *pool_,
      [&](sql::Connection& c) {
        ++runs;
        return InsertRow(c, 2);
      },
      {.max_attempts = 3});
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(Rows(), 0);
}

// A body that fails after its connection died: the failure is reported,
// and the dead connection is not handed out again.
TEST_F(CommitTest, FailedBodyOnDeadConnectionDoesNotPoisonThePool) {
  int64_t dead_id = -1;
  absl::Status s = RunInTransaction(*pool_, [&](sql::Connection& c) {
    dead_id = QueryInt(c, "SELECT CONNECTION_ID()");
    Kill(c);
    return absl::InvalidArgumentError("refused by the body");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  int runs = 0;
  s = RunInTransaction(*pool_, [&](sql::Connection& c) {
    ++runs;
    EXPECT_NE(QueryInt(c, "SELECT CONNECTION_ID()"), dead_id);
    return InsertRow(c, 3);
  });
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(Rows(), 1);
}

// A connection returned to the pool is never inside a transaction, or the
// next reader would see a stale snapshot and the next writer inherit locks.
TEST_F(CommitTest, PooledConnectionIsNeverLeftInsideATransaction) {
  absl::Status s = RunInTransaction(*pool_, [&](sql::Connection& c) {
    InsertRow(c, 4).IgnoreError();
    return absl::FailedPreconditionError("changed my mind");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(RunInTransaction(*pool_, [&](sql::Connection& c) {
                return InsertRow(c, 5);
              }).ok());
  for (int i = 0; i < 4; ++i) {
    auto in_tx = store::mysql::WithConnection(
        *pool_, "probe", [](sql::Connection& c) -> absl::StatusOr<int64_t> {
          return QueryInt(c, "SELECT @@in_transaction");
        });
    ASSERT_TRUE(in_tx.ok()) << in_tx.status();
    EXPECT_EQ(*in_tx, 0);
  }
  EXPECT_EQ(Rows(), 1);
}

// What the store reads from executeUpdate() (org import counts, Submit's
// "every locked token was marked"): rows changed, not rows matched.
TEST_F(CommitTest, ExecuteUpdateCountsChangedRows) {
  auto conn = pool_->Acquire();
  ASSERT_TRUE(conn.ok());
  std::unique_ptr<sql::PreparedStatement> upsert((*conn)->prepareStatement(
      "INSERT INTO t (id, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = VALUES(v)"));
  auto run = [&](int id, int v) {
    upsert->setInt(1, id);
    upsert->setInt(2, v);
    return upsert->executeUpdate();
  };
  EXPECT_EQ(run(10, 1), 1);  // inserted
  EXPECT_EQ(run(10, 2), 2);  // updated
  EXPECT_EQ(run(10, 2), 0);  // unchanged: neither created nor updated
  std::unique_ptr<sql::PreparedStatement> update(
      (*conn)->prepareStatement("UPDATE t SET v = 2 WHERE id IN (10, 11)"));
  EXPECT_EQ(update->executeUpdate(), 0);  // matched one, changed none
}

}  // namespace
}  // namespace survey::testing
