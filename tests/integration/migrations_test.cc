// Schema migrations against a real MariaDB: idempotence, concurrent starts,
// and refusal of a schema newer than the binary knows.
#include <gtest/gtest.h>

#include <thread>

#include "api/server.h"
#include "store/mysql/migrations.h"
#include "support/test_db.h"
#include "support/test_server.h"

namespace survey::testing {
namespace {

using store::mysql::EmbeddedMigrations;
using store::mysql::Migrate;
using store::mysql::MigrationResult;

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
  }
  std::unique_ptr<TestDatabase> db_;
};

TEST_F(MigrationsTest, EmbeddedMigrationsAreOrderedAndSplit) {
  const auto& all = EmbeddedMigrations();
  ASSERT_FALSE(all.empty());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].version, static_cast<int>(i) + 1) << all[i].name;
  }
  auto statements = store::mysql::SplitSqlStatements(
      "-- comment;\nCREATE TABLE a (x INT);\n\nINSERT INTO a\n VALUES (1);\n");
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[0], "CREATE TABLE a (x INT)");
  EXPECT_EQ(statements[1], "INSERT INTO a\n VALUES (1)");
}

TEST_F(MigrationsTest, SecondRunAppliesNothing) {
  absl::StatusOr<MigrationResult> first = Migrate(db_->config(), EmbeddedMigrations());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->from_version, 0);
  EXPECT_EQ(first->to_version, EmbeddedMigrations().back().version);
  EXPECT_EQ(first->applied.size(), EmbeddedMigrations().size());
  absl::StatusOr<MigrationResult> second = Migrate(db_->config(), EmbeddedMigrations());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->applied.empty());
  EXPECT_EQ(second->from_version, first->to_version);
  auto rows = db_->Query("SELECT COUNT(*), MAX(version) FROM schema_version");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0][0], std::to_string(EmbeddedMigrations().size()));
}

TEST_F(MigrationsTest, ConcurrentStartsApplyEachMigrationOnce) {
  constexpr int kServers = 4;
  std::vector<absl::StatusOr<MigrationResult>> results(
      kServers, absl::UnknownError("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kServers; ++i) {
    threads.emplace_back([&, i] { results[i] = Migrate(db_->config(), EmbeddedMigrations()); });
  }
  for (auto& t : threads) t.join();
  size_t applied = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status();
    applied += r->applied.size();
  }
  EXPECT_EQ(applied, EmbeddedMigrations().size());
  auto rows = db_->Query("SELECT COUNT(*) FROM schema_version");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0][0], std::to_string(EmbeddedMigrations().size()));
}

TEST_F(MigrationsTest, RefusesNewerSchema) {
  ASSERT_TRUE(Migrate(db_->config(), EmbeddedMigrations()).ok());
  ASSERT_TRUE(db_->Execute("INSERT INTO schema_version (version, name) "
                           "VALUES (9999, '9999_from_the_future')").ok());
  absl::StatusOr<MigrationResult> result = Migrate(db_->config(), EmbeddedMigrations());
  ASSERT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(result.status().message().find("9999"), std::string::npos);

  api::ServerOptions options;
  options.db_url = db_->url();
  options.listen = "127.0.0.1:0";
  options.insecure = true;
  auto pepper = WriteTestPepper();
  ASSERT_TRUE(pepper.ok());
  options.pepper_file = *pepper;
  auto server = api::SurveyServer::Start(options);
  EXPECT_EQ(server.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(server.status().message().find("newer"), absl::string_view::npos)
      << server.status();
}

TEST_F(MigrationsTest, TablesAreInnoDbUtf8mb4) {
  ASSERT_TRUE(Migrate(db_->config(), EmbeddedMigrations()).ok());
  auto rows = db_->Query(
      "SELECT table_name, engine, table_collation FROM information_schema.tables"
      " WHERE table_schema = DATABASE()");
  ASSERT_TRUE(rows.ok());
  ASSERT_FALSE(rows->empty());
  for (const auto& row : *rows) {
    EXPECT_EQ(row[1], "InnoDB") << row[0];
    EXPECT_EQ(row[2].rfind("utf8mb4", 0), 0u) << row[0] << " " << row[2];
  }
}

}  // namespace
}  // namespace survey::testing
