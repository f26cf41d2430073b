// Schema migrations: sql/NNN_name.sql files, embedded in the binary at
// build time, applied in order at server start.
//
// The runner holds the MariaDB named lock "survey.schema_migration" while
// it works, so two servers starting at once apply each migration once. It
// refuses (FailedPrecondition) a database whose schema_version is newer than
// the newest migration it knows: an old binary must not write to a schema
// it does not understand.
//
// DDL in MariaDB commits implicitly, so a migration interrupted halfway is
// not rolled back; each migration is written to be re-runnable (IF NOT
// EXISTS) so that rerunning it after a crash finishes the job.
#ifndef SURVEY_STORE_MYSQL_MIGRATIONS_H_
#define SURVEY_STORE_MYSQL_MIGRATIONS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "store/db_url.h"

namespace survey::store::mysql {

struct Migration {
  int version;
  std::string name;
  std::string sql;
};

// Every migration in sql/, ordered by version (generated at build time).
const std::vector<Migration>& EmbeddedMigrations();

// Splits a migration file into statements. Rule (documented in
// sql/README.md): a statement ends with ';' at the end of a line; lines
// starting with "--" are comments.
std::vector<std::string> SplitSqlStatements(std::string_view sql);

struct MigrationResult {
  int from_version = 0;
  int to_version = 0;
  std::vector<std::string> applied;  // names, in order
};

// Brings the database of `config` up to the newest of `migrations`.
// Returns Unavailable if the database is unreachable, FailedPrecondition if
// its schema is newer than `migrations` know or the lock cannot be taken
// within `lock_timeout_seconds`, Internal if a statement fails.
absl::StatusOr<MigrationResult> Migrate(const DbConfig& config,
                                        const std::vector<Migration>& migrations,
                                        int lock_timeout_seconds = 60);

}  // namespace survey::store::mysql

#endif  // SURVEY_STORE_MYSQL_MIGRATIONS_H_
