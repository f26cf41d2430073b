// Test support: a uniquely named database on the private MariaDB that the
// CTest fixture started (tests/support/db_fixture.sh), dropped afterwards,
// so tests never see each other's rows.
#ifndef SURVEY_TESTS_SUPPORT_TEST_DB_H_
#define SURVEY_TESTS_SUPPORT_TEST_DB_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "store/db_url.h"

namespace survey::testing {

// The fixture server's URL: $SURVEY_TEST_DB_URL, else the first line of the
// file named by $SURVEY_TEST_DB_URL_FILE. Empty if neither is set.
std::string FixtureDbUrl();

class TestDatabase {
 public:
  // Creates database "t_<random>" on the fixture server.
  static absl::StatusOr<std::unique_ptr<TestDatabase>> Create();
  ~TestDatabase();  // drops the database

  const store::DbConfig& config() const { return config_; }
  std::string url() const { return store::FormatDbUrl(config_); }

  // Runs one statement (no result) / a query returning rows as strings
  // (NULL -> "NULL"). Test helpers only; errors become statuses.
  absl::Status Execute(const std::string& statement);
  absl::StatusOr<std::vector<std::vector<std::string>>> Query(
      const std::string& query);

 private:
  explicit TestDatabase(store::DbConfig config) : config_(std::move(config)) {}
  store::DbConfig config_;
};

// Polls `condition` every 20 ms until it holds or `timeout` passes; returns
// whether it held. Tests wait on conditions, never on fixed sleeps.
bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout);

}  // namespace survey::testing

#endif  // SURVEY_TESTS_SUPPORT_TEST_DB_H_
