#include "support/test_server.h"

#include <chrono>

#include <stdlib.h>

#include "absl/strings/str_cat.h"
#include "crypto/random.h"
#include "crypto/secret_file.h"
#include "support/temp_dirs.h"

namespace survey::testing {

absl::StatusOr<std::string> WriteTestPepper() {
  char dir[] = "/tmp/survey-pepper-XXXXXX";
  if (mkdtemp(dir) == nullptr) return absl::InternalError("mkdtemp failed");
  RemoveAtExit(dir);  // one per test: left behind they pile up in /tmp
  std::string path = absl::StrCat(dir, "/pepper");
  absl::StatusOr<std::string> pepper = crypto::GeneratePepperHex(crypto::SystemRandom());
  if (!pepper.ok()) return pepper.status();
  if (absl::Status s = crypto::WriteSecretFile(path, *pepper); !s.ok()) return s;
  return path;
}

absl::StatusOr<std::unique_ptr<TestServer>> TestServer::Start(
    api::ServerOptions options) {
  auto ts = std::unique_ptr<TestServer>(new TestServer());
  absl::StatusOr<std::unique_ptr<TestDatabase>> db = TestDatabase::Create();
  if (!db.ok()) return db.status();
  ts->db_ = std::move(*db);
  if (options.db_url.empty()) options.db_url = ts->db_->url();
  options.listen = "127.0.0.1:0";
  if (options.tls_cert_file.empty()) options.insecure = true;
  options.health_interval = absl::Milliseconds(100);
  if (options.pepper_file.empty()) {
    absl::StatusOr<std::string> pepper = WriteTestPepper();
    if (!pepper.ok()) return pepper.status();
    options.pepper_file = *pepper;
  }
  absl::StatusOr<std::unique_ptr<api::SurveyServer>> server =
      api::SurveyServer::Start(options);
  if (!server.ok()) return server.status();
  ts->server_ = std::move(*server);
  return ts;
}

std::string TestServer::address() const {
  return absl::StrCat("127.0.0.1:", server_->port());
}

std::shared_ptr<grpc::Channel> TestServer::channel() {
  if (channel_ == nullptr) {
    channel_ = grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
  }
  return channel_;
}

std::unique_ptr<grpc::ClientContext> TestServer::Context(
    const std::string& principal) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!principal.empty()) ctx->AddMetadata("x-survey-dev-principal", principal);
  return ctx;
}

}  // namespace survey::testing
