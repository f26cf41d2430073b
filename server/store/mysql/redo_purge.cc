#include "store/mysql/redo_purge.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/statement.h>

#include <chrono>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "store/mysql/transaction.h"

namespace survey::store::mysql {
namespace {

constexpr char kPurge[] = "CALL survey_ops.purge_redo_log()";
// "innodb_log_file_size change is already in progress".
constexpr int kResizeInProgress = 1221;
// Missing procedure or database; EXECUTE denied.
constexpr int kNoProcedure = 1305;
constexpr int kNoDatabase = 1049;
constexpr int kDenied = 1370;
constexpr int kDeniedDb = 1044;

}  // namespace

absl::Status PurgeRedoLog(ConnectionPool& pool) {
  for (int attempt = 0; attempt < 300; ++attempt) {
    absl::StatusOr<Lease> lease = pool.Acquire();
    if (!lease.ok()) return lease.status();
    try {
      std::unique_ptr<sql::Statement> st((*lease)->createStatement());
      st->execute(kPurge);
      // A CALL returns an extra (empty) result; drain it for the next user.
      while (st->getMoreResults()) {
      }
      return absl::OkStatus();
    } catch (const sql::SQLException& e) {
      const int code = e.getErrorCode();
      if (code == kResizeInProgress) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        continue;
      }
      lease->MarkBroken();
      if (code == kNoProcedure || code == kNoDatabase || code == kDenied ||
          code == kDeniedDb) {
        return absl::UnavailableError(absl::StrCat(
            "cannot purge the redo log: ", e.what(),
            " (as root, run deploy/mariadb/survey-ops.sql)"));
      }
      return StatusFromSqlException(e, "purge the redo log");
    }
  }
  return absl::FailedPreconditionError(
      "the redo log was being resized by others for a minute");
}

}  // namespace survey::store::mysql
