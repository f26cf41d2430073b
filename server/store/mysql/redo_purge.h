// Replacing the InnoDB redo log when a campaign closes (issue 12).
//
// Every Submit transaction marks its token's invitation row used and inserts
// the response in one transaction, so the redo log (ib_logfile0) holds the
// token's HMAC next to the response row until the log wraps, which is tens
// of thousands of answers later. After a campaign closes, nothing of it
// needs to be redone, so the server asks MariaDB for a fresh log file.
//
// How: MariaDB 10.11 makes innodb_log_file_size dynamic. Setting a new
// value writes a new file (ib_logfile101) that starts at the current LSN,
// waits for a checkpoint past that point and renames it over ib_logfile0:
// the old records are gone from the datadir (a new inode; the old blocks
// are freed, not overwritten: the filesystem and its snapshots are the
// encryption's job, deploy/mariadb/survey-encryption.cnf). Setting the same
// value does nothing, so the size alternates between an even and an odd
// number of MiB. Measured on the test instance: 1-2 s per close (the wait
// for the checkpoint), with other work going on meanwhile.
//
// Privilege: SET GLOBAL needs SUPER, which the server's account should not
// have. The server calls survey_ops.purge_redo_log(), a SQL SECURITY
// DEFINER procedure created by root (deploy/mariadb/survey-ops.sql, and
// deploy/mariadb-private.sh for the private instances), on which it has
// EXECUTE and nothing else.
//
// What it does not do: undo pages. The undo records of a Submit pair the
// invitation's old row with the new response id in ibdata1 (or the undo
// tablespaces) until InnoDB reuses those pages; 10.11 cannot be made to
// rewrite them (undo truncation only trims pages beyond the first 10 MiB).
// Against a copy of the files, encryption at rest covers them; against
// someone holding the key after close, they are a residue (see README,
// "Anonymity in storage").
#ifndef SURVEY_STORE_MYSQL_REDO_PURGE_H_
#define SURVEY_STORE_MYSQL_REDO_PURGE_H_

#include "absl/status/status.h"
#include "store/mysql/connection_pool.h"

namespace survey::store::mysql {

// Calls survey_ops.purge_redo_log() and returns once the new log is in
// place. Another purge already in progress (another campaign closing, or
// another server) is waited for, then ours runs: that one may have started
// before our campaign's last records. Unavailable if the procedure is
// missing or not allowed (the message says what to run), or on database
// errors; FailedPrecondition if others kept resizing for a minute.
absl::Status PurgeRedoLog(ConnectionPool& pool);

}  // namespace survey::store::mysql

#endif  // SURVEY_STORE_MYSQL_REDO_PURGE_H_
