#include "store/mysql/transaction.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>

#include <cppconn/statement.h>

#include <algorithm>
#include <memory>
#include <chrono>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "metrics/server_metrics.h"

namespace survey::store::mysql {

SqlErrorClass ClassifySqlError(int code) {
  switch (code) {
    case 1213:  // ER_LOCK_DEADLOCK
    case 1205:  // ER_LOCK_WAIT_TIMEOUT
      return SqlErrorClass::kRetryable;
    case 2002:  // CR_CONNECTION_ERROR
    case 2003:  // CR_CONN_HOST_ERROR
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 2055:  // CR_SERVER_LOST_EXTENDED
    case 1927:  // ER_CONNECTION_KILLED
    case 1053:  // ER_SERVER_SHUTDOWN
      return SqlErrorClass::kConnection;
    case 1062:  // ER_DUP_ENTRY
      return SqlErrorClass::kDuplicate;
    case 1451:  // ER_ROW_IS_REFERENCED_2
    case 1452:  // ER_NO_REFERENCED_ROW_2
      return SqlErrorClass::kForeignKey;
    default:
      return SqlErrorClass::kFatal;
  }
}

absl::Status StatusFromSqlException(const sql::SQLException& e,
                                    std::string_view what) {
  std::string message =
      absl::StrCat(std::string(what), ": ", e.what(), " (error ", e.getErrorCode(), ")");
  switch (ClassifySqlError(e.getErrorCode())) {
    case SqlErrorClass::kRetryable:
      return absl::AbortedError(message);
    case SqlErrorClass::kConnection:
      return absl::UnavailableError(message);
    case SqlErrorClass::kDuplicate:
      return absl::AlreadyExistsError(message);
    case SqlErrorClass::kForeignKey:
      return absl::FailedPreconditionError(message);
    case SqlErrorClass::kFatal:
      break;
  }
  return absl::InternalError(message);
}

std::function<void(sql::Connection&)> commit_hook_for_tests;

namespace {

void Backoff(int attempt) {
  // Jitter keeps two colliding writers from colliding again in lock-step.
  thread_local std::minstd_rand rng(std::random_device{}());
  int base_ms = 2 << std::min(attempt, 6);
  std::uniform_int_distribution<int> jitter(0, base_ms);
  std::this_thread::sleep_for(std::chrono::milliseconds(base_ms + jitter(rng)));
}

// Transaction control goes through statements, never through
// Connection::commit()/rollback()/setAutoCommit(): Connector/C++ 1.1
// discards the result of mysql_commit(), mysql_rollback() and
// mysql_autocommit(), so a COMMIT on a connection that died returns as if
// it had succeeded (answers acknowledged, then lost). A statement throws
// like any other. The session stays in autocommit mode; START TRANSACTION
// opens an explicit transaction that COMMIT or ROLLBACK ends, so a
// connection back in the pool is never left inside a transaction.
void Execute(sql::Connection& c, const char* statement) {
  std::unique_ptr<sql::Statement> st(c.createStatement());
  st->execute(statement);
}

// True if the ROLLBACK was acknowledged; false means the connection is in
// an unknown state and must not be reused.
bool Rollback(sql::Connection& c) {
  try {
    Execute(c, "ROLLBACK");
    return true;
  } catch (const sql::SQLException&) {
    return false;
  }
}

}  // namespace

absl::Status RunInTransaction(
    ConnectionPool& pool,
    const std::function<absl::Status(sql::Connection&)>& body,
    RetryPolicy policy) {
  absl::Status last = absl::UnavailableError("no attempt made");
  for (int attempt = 0; attempt < policy.max_attempts; ++attempt) {
    if (attempt > 0) {
      metrics::Server().transaction_retries.Add();
      Backoff(attempt);
    }
    absl::StatusOr<Lease> lease = pool.Acquire();
    if (!lease.ok()) {
      last = lease.status();
      continue;
    }
    sql::Connection& c = **lease;
    bool committing = false;
    try {
      Execute(c, "START TRANSACTION");
      absl::Status status = body(c);
      if (!status.ok()) {
        if (!Rollback(c)) lease->MarkBroken();
        return status;
      }
      // Success only once the server acknowledged the COMMIT. If it throws,
      // the outcome is unknown (the COMMIT may have been applied before the
      // connection died): the rerun below decides from what the database
      // now holds.
      if (commit_hook_for_tests) commit_hook_for_tests(c);
      committing = true;
      Execute(c, "COMMIT");
      return absl::OkStatus();
    } catch (const sql::SQLException& e) {
      last = StatusFromSqlException(e, "transaction");
      switch (ClassifySqlError(e.getErrorCode())) {
        case SqlErrorClass::kRetryable:
          if (!Rollback(c)) lease->MarkBroken();
          continue;
        case SqlErrorClass::kConnection:
          if (committing) metrics::Server().commits_in_doubt.Add();
          lease->MarkBroken();
          continue;
        default:
          // Not retryable: the connection may hold a half-done transaction.
          lease->MarkBroken();
          return last;
      }
    }
  }
  return last;
}

}  // namespace survey::store::mysql
