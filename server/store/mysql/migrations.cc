#include "store/mysql/migrations.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "store/mysql/connection_pool.h"
#include "store/mysql/transaction.h"

namespace survey::store::mysql {
namespace {

constexpr char kLockName[] = "survey.schema_migration";

constexpr char kCreateVersionTable[] =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INT NOT NULL PRIMARY KEY,"
    " name VARCHAR(200) NOT NULL,"
    " applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

int QueryInt(sql::Connection& c, const std::string& query) {
  std::unique_ptr<sql::Statement> st(c.createStatement());
  std::unique_ptr<sql::ResultSet> rs(st->executeQuery(query));
  if (!rs->next() || rs->isNull(1)) return 0;
  return rs->getInt(1);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::vector<std::string> SplitSqlStatements(std::string_view sql) {
  std::vector<std::string> statements;
  std::string current;
  while (!sql.empty()) {
    size_t end = sql.find('\n');
    std::string_view line = sql.substr(0, end);
    sql.remove_prefix(end == std::string_view::npos ? sql.size() : end + 1);
    std::string_view trimmed = Trim(line);
    if (trimmed.empty() || trimmed.substr(0, 2) == "--") continue;
    current.append(line).append("\n");
    if (trimmed.back() == ';') {
      std::string_view body = Trim(current);
      body.remove_suffix(1);  // the ';'
      statements.emplace_back(body);
      current.clear();
    }
  }
  if (!Trim(current).empty()) statements.emplace_back(Trim(current));
  return statements;
}

absl::StatusOr<MigrationResult> Migrate(const DbConfig& config,
                                        const std::vector<Migration>& migrations,
                                        int lock_timeout_seconds) {
  absl::StatusOr<std::unique_ptr<sql::Connection>> connection = Connect(config);
  if (!connection.ok()) return connection.status();
  sql::Connection& c = **connection;
  int newest_known = migrations.empty() ? 0 : migrations.back().version;
  MigrationResult result;
  try {
    if (QueryInt(c, absl::StrCat("SELECT GET_LOCK('", kLockName, "', ",
                                 lock_timeout_seconds, ")")) != 1) {
      return absl::FailedPreconditionError(
          "another server is migrating the schema; lock not taken in time");
    }
    // The lock is per session: closing the connection releases it too, so
    // an early return below cannot leave it held.
    std::unique_ptr<sql::Statement> st(c.createStatement());
    st->execute(kCreateVersionTable);
    result.from_version = QueryInt(c, "SELECT MAX(version) FROM schema_version");
    result.to_version = result.from_version;
    if (result.from_version > newest_known) {
      return absl::FailedPreconditionError(absl::StrCat(
          "database schema version ", result.from_version,
          " is newer than this server knows (", newest_known,
          "); run a newer survey-server"));
    }
    for (const Migration& m : migrations) {
      if (m.version <= result.from_version) continue;
      for (const std::string& statement : SplitSqlStatements(m.sql)) {
        try {
          st->execute(statement);
        } catch (const sql::SQLException& e) {
          return absl::InternalError(absl::StrCat(
              "migration ", m.name, " failed: ", e.what(), " in: ",
              statement.substr(0, 200)));
        }
      }
      std::unique_ptr<sql::PreparedStatement> record(c.prepareStatement(
          "INSERT INTO schema_version (version, name) VALUES (?, ?)"));
      record->setInt(1, m.version);
      record->setString(2, m.name);
      record->executeUpdate();
      result.applied.push_back(m.name);
      result.to_version = m.version;
    }
    st->execute(absl::StrCat("DO RELEASE_LOCK('", kLockName, "')"));
  } catch (const sql::SQLException& e) {
    return StatusFromSqlException(e, "schema migration");
  }
  return result;
}

}  // namespace survey::store::mysql
