// Health follows the database: NOT_SERVING while it is down, SERVING when it
// is back. Uses its own private MariaDB (the shared fixture must stay up).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "api/server.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "support/test_db.h"
#include "support/test_server.h"

namespace survey::testing {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckResponse;

std::string Run(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[512];
  while (fgets(buf, sizeof buf, p) != nullptr) out += buf;
  int rc = pclose(p);
  if (rc != 0) return "";
  return std::string(absl::StripAsciiWhitespace(out));
}

class PrivateMariaDb {
 public:
  PrivateMariaDb() {
    char tmpl[] = "/tmp/survey-health-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~PrivateMariaDb() { Run(absl::StrCat(Script(), " stop ", dir_, " --purge")); }
  std::string Start() { return Run(absl::StrCat(Script(), " start ", dir_)); }
  bool Stop() { return system(absl::StrCat(Script(), " stop ", dir_).c_str()) == 0; }

 private:
  static std::string Script() {
    return absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/mariadb-private.sh");
  }
  std::string dir_;
};

HealthCheckResponse::ServingStatus Check(Health::Stub& stub) {
  grpc::health::v1::HealthCheckRequest req;
  HealthCheckResponse resp;
  grpc::Status s = stub.Check(TestServer::Context("").get(), req, &resp);
  if (!s.ok()) return HealthCheckResponse::UNKNOWN;
  return resp.status();
}

HealthCheckResponse::ServingStatus CheckService(Health::Stub& stub, const std::string& name,
                                               grpc::StatusCode* code) {
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(name);
  HealthCheckResponse resp;
  grpc::Status s = stub.Check(TestServer::Context("").get(), req, &resp);
  *code = s.error_code();
  return s.ok() ? resp.status() : HealthCheckResponse::UNKNOWN;
}

TEST(HealthTest, FollowsTheDatabaseDownAndUp) {
  PrivateMariaDb mariadb;
  std::string url = mariadb.Start();
  ASSERT_FALSE(url.empty()) << "private MariaDB did not start";

  api::ServerOptions options;
  options.db_url = url;
  options.listen = "127.0.0.1:0";
  options.insecure = true;
  options.health_interval = absl::Milliseconds(100);
  auto pepper = WriteTestPepper();
  ASSERT_TRUE(pepper.ok());
  options.pepper_file = *pepper;
  auto server = api::SurveyServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()),
                                     grpc::InsecureChannelCredentials());
  auto stub = Health::NewStub(channel);

  EXPECT_TRUE(WaitFor([&] { return Check(*stub) == HealthCheckResponse::SERVING; },
                      absl::Seconds(10)));
  ASSERT_TRUE(mariadb.Stop());
  EXPECT_TRUE(WaitFor([&] { return Check(*stub) == HealthCheckResponse::NOT_SERVING; },
                      absl::Seconds(15)));
  grpc::StatusCode code;
  EXPECT_EQ(CheckService(*stub, "survey.v1.RespondService", &code),
            HealthCheckResponse::NOT_SERVING);
  ASSERT_EQ(mariadb.Start(), url) << "restart must keep the URL";
  EXPECT_TRUE(WaitFor([&] { return Check(*stub) == HealthCheckResponse::SERVING; },
                      absl::Seconds(15)));
  (*server)->Shutdown(absl::Seconds(1));
}

// Load balancers and app teams check the service they use, by name: every
// service of the server answers SERVING, an unknown name NOT_FOUND.
TEST(HealthTest, AnswersForEachServiceNameAndNotFoundForOthers) {
  auto server = TestServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = Health::NewStub((*server)->channel());
  grpc::StatusCode code;
  ASSERT_TRUE(WaitFor([&] { return CheckService(*stub, "", &code) ==
                                   HealthCheckResponse::SERVING; },
                      absl::Seconds(10)));
  for (const char* name : {"survey.v1.RespondService", "survey.v1.AdminService",
                           "survey.v1.ReportService", "survey.v1.AppraisalService"}) {
    EXPECT_EQ(CheckService(*stub, name, &code), HealthCheckResponse::SERVING) << name;
    EXPECT_EQ(code, grpc::StatusCode::OK) << name;
  }
  for (const char* name : {"survey.v1.NoSuchService", "RespondService", "survey.v1"}) {
    CheckService(*stub, name, &code);
    EXPECT_EQ(code, grpc::StatusCode::NOT_FOUND) << name;
  }
}

}  // namespace
}  // namespace survey::testing
