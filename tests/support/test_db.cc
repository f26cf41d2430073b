#include "support/test_db.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/strings/ascii.h"
#include "store/mysql/connection_pool.h"

namespace survey::testing {

std::string FixtureDbUrl() {
  if (const char* url = std::getenv("SURVEY_TEST_DB_URL"); url && *url) {
    return url;
  }
  if (const char* file = std::getenv("SURVEY_TEST_DB_URL_FILE"); file && *file) {
    std::ifstream in(file);
    std::string line;
    if (std::getline(in, line)) return std::string(absl::StripAsciiWhitespace(line));
  }
  return "";
}

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create() {
  std::string url = FixtureDbUrl();
  if (url.empty()) {
    return absl::FailedPreconditionError(
        "no test database: run through ctest (fixture) or set "
        "SURVEY_TEST_DB_URL");
  }
  absl::StatusOr<store::DbConfig> config = store::ParseDbUrl(url);
  if (!config.ok()) return config.status();
  std::random_device rd;
  std::string name = absl::StrCat("t_", rd(), "_", rd());
  std::unique_ptr<TestDatabase> db(new TestDatabase(*config));
  if (absl::Status s = db->Execute(absl::StrCat(
          "CREATE DATABASE ", name,
          " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"));
      !s.ok()) {
    return s;
  }
  db->config_.database = name;
  return db;
}

TestDatabase::~TestDatabase() {
  std::string name = config_.database;
  config_.database = "survey";
  (void)Execute(absl::StrCat("DROP DATABASE IF EXISTS ", name));
}

absl::Status TestDatabase::Execute(const std::string& statement) {
  absl::StatusOr<std::unique_ptr<sql::Connection>> c =
      store::mysql::Connect(config_);
  if (!c.ok()) return c.status();
  try {
    std::unique_ptr<sql::Statement> st((*c)->createStatement());
    st->execute(statement);
  } catch (const sql::SQLException& e) {
    return absl::InternalError(absl::StrCat(statement, ": ", e.what()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::vector<std::string>>> TestDatabase::Query(
    const std::string& query) {
  absl::StatusOr<std::unique_ptr<sql::Connection>> c =
      store::mysql::Connect(config_);
  if (!c.ok()) return c.status();
  std::vector<std::vector<std::string>> rows;
  try {
    std::unique_ptr<sql::Statement> st((*c)->createStatement());
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery(query));
    unsigned columns = rs->getMetaData()->getColumnCount();
    while (rs->next()) {
      std::vector<std::string> row;
      for (unsigned i = 1; i <= columns; ++i) {
        row.push_back(rs->isNull(i) ? "NULL" : std::string(rs->getString(i)));
      }
      rows.push_back(std::move(row));
    }
  } catch (const sql::SQLException& e) {
    return absl::InternalError(absl::StrCat(query, ": ", e.what()));
  }
  return rows;
}

bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (condition()) return true;
    if (absl::Now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace survey::testing
