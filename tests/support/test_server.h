// Test support: the real server, in-process, on a loopback port picked by
// the kernel, against its own TestDatabase; clients talk real gRPC to it.
#ifndef SURVEY_TESTS_SUPPORT_TEST_SERVER_H_
#define SURVEY_TESTS_SUPPORT_TEST_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "api/server.h"
#include "support/test_db.h"

namespace survey::testing {

// Writes a fresh random pepper file (mode 0600) and returns its path.
absl::StatusOr<std::string> WriteTestPepper();

class TestServer {
 public:
  // Creates a database, starts the server (plaintext, dev identities,
  // fast health probes). Returns the error if either fails.
  static absl::StatusOr<std::unique_ptr<TestServer>> Start(
      api::ServerOptions options = {});

  TestDatabase& db() { return *db_; }
  api::SurveyServer& server() { return *server_; }
  std::string address() const;
  std::shared_ptr<grpc::Channel> channel();
  // A context with a 10 s deadline and, if non-empty, the dev identity
  // ("admin", "hr", "manager:AS", "employee:E0001").
  static std::unique_ptr<grpc::ClientContext> Context(
      const std::string& principal);

 private:
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<api::SurveyServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace survey::testing

#endif  // SURVEY_TESTS_SUPPORT_TEST_SERVER_H_
