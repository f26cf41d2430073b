// Whole-transaction execution with retry, and the one place where
// sql::SQLException is turned into absl::Status.
#ifndef SURVEY_STORE_MYSQL_TRANSACTION_H_
#define SURVEY_STORE_MYSQL_TRANSACTION_H_

#include <cppconn/connection.h>
#include <cppconn/exception.h>

#include <functional>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/mysql/connection_pool.h"

namespace sql {
class SQLException;
}

namespace survey::store::mysql {

enum class SqlErrorClass {
  kRetryable,   // deadlock (1213), lock wait timeout (1205): rolled back
  kConnection,  // server gone / lost (2006, 2013, 2002, 2003): reconnect
  kDuplicate,   // duplicate key (1062)
  kForeignKey,  // foreign key violation (1451, 1452)
  kFatal,       // anything else: a bug or a broken schema
};

SqlErrorClass ClassifySqlError(int mysql_error_code);

// Maps an exception to a status: kConnection -> Unavailable, kRetryable ->
// Aborted, kDuplicate -> AlreadyExists, kForeignKey -> FailedPrecondition,
// kFatal -> Internal. `what` names the operation for the message.
absl::Status StatusFromSqlException(const sql::SQLException& e,
                                    std::string_view what);

struct RetryPolicy {
  int max_attempts = 6;
};

// Runs `body` inside one transaction on a pooled connection and commits it.
// If `body` returns non-OK, the transaction is rolled back and that status
// returned. Nothing is reported as success unless the server acknowledged
// the COMMIT. A deadlock, lock-wait timeout or lost connection (including
// one during COMMIT, whose outcome is then unknown) reruns the whole
// transaction from the start on a fresh attempt, so `body` must decide
// everything from what it reads inside the transaction: a rerun after an
// in-doubt commit then sees the committed state and acts on it (for
// example, a token already marked used).
// Returns Unavailable when the database stays unreachable, Aborted when
// retries are exhausted.
absl::Status RunInTransaction(
    ConnectionPool& pool,
    const std::function<absl::Status(sql::Connection&)>& body,
    RetryPolicy policy = {});

// Tests only: called on the transaction's connection right before its
// COMMIT is sent (e.g. to kill that connection from a second session).
// Set it before any transaction runs and reset it after; not thread-safe.
extern std::function<void(sql::Connection&)> commit_hook_for_tests;

// Runs a read-only query on a pooled connection outside an explicit
// transaction: `fn(connection)` returns a Status or StatusOr; an SQL
// exception becomes a status (see StatusFromSqlException) naming `what`, and
// the connection is discarded.
template <typename Fn>
auto WithConnection(ConnectionPool& pool, std::string_view what, Fn fn)
    -> decltype(fn(std::declval<sql::Connection&>())) {
  absl::StatusOr<Lease> lease = pool.Acquire();
  if (!lease.ok()) return lease.status();
  try {
    return fn(**lease);
  } catch (const sql::SQLException& e) {
    lease->MarkBroken();
    return StatusFromSqlException(e, what);
  }
}

}  // namespace survey::store::mysql

#endif  // SURVEY_STORE_MYSQL_TRANSACTION_H_
