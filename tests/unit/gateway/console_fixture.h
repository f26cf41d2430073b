// The fixture of the gateway's console tests (console_test.cc,
// console_stream_test.cc): survey-gateway --console against a small gRPC
// upstream in this process (real gRPC on loopback; real HTTP where the
// tests need it) that records the metadata of every call it gets.
#ifndef SURVEY_TESTS_UNIT_GATEWAY_CONSOLE_FIXTURE_H_
#define SURVEY_TESTS_UNIT_GATEWAY_CONSOLE_FIXTURE_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gateway/gateway.h"
#include "gateway/session.h"
#include "survey/v1/account.grpc.pb.h"
#include "survey/v1/report.grpc.pb.h"
#include "survey/v1/respond.grpc.pb.h"

namespace survey::gateway::console_testing {

constexpr char kToken[] = "sss_0123456789abcdef_SECRETSECRET";
constexpr size_t kChunkBytes = 32 * 1024;

// What the upstream saw: every call's metadata, by method.
struct Seen {
  std::mutex mu;
  std::vector<std::pair<std::string, Metadata>> calls;
  std::condition_variable cv;
  bool release = false;       // lets a "gated" stream go on
  bool cancelled = false;     // a stream saw its call cancelled

  void Record(const std::string& method, const grpc::ServerContext& ctx) {
    Metadata m;
    for (const auto& [k, v] : ctx.client_metadata()) {
      m.emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
    }
    std::lock_guard<std::mutex> lock(mu);
    calls.emplace_back(method, std::move(m));
  }
  size_t Count() {
    std::lock_guard<std::mutex> lock(mu);
    return calls.size();
  }
  Metadata Last() {
    std::lock_guard<std::mutex> lock(mu);
    return calls.empty() ? Metadata{} : calls.back().second;
  }
};

class FakeAccounts final : public v1::AccountService::Service {
 public:
  explicit FakeAccounts(Seen* seen) : seen_(seen) {}
  grpc::Status SignIn(grpc::ServerContext* ctx, const v1::SignInRequest* req,
                      v1::SignInResponse* resp) override {
    seen_->Record("SignIn", *ctx);
    if (req->password() != "right") {
      ctx->AddTrailingMetadata("reason", "BAD_CREDENTIALS");
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "wrong account or password");
    }
    resp->set_session_token(kToken);
    resp->set_expires_at_unix(absl::ToUnixSeconds(absl::Now()) + 3600);
    resp->mutable_me()->set_account_name(req->account_name());
    return grpc::Status::OK;
  }
  grpc::Status WhoAmI(grpc::ServerContext* ctx, const v1::WhoAmIRequest*,
                      v1::Me* me) override {
    seen_->Record("WhoAmI", *ctx);
    me->set_account_name("hr1");
    return grpc::Status::OK;
  }
  grpc::Status SignOut(grpc::ServerContext* ctx, const v1::SignOutRequest*,
                       v1::SignOutResponse*) override {
    seen_->Record("SignOut", *ctx);
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "database down");
  }

 private:
  Seen* seen_;
};

// ExportResponses with campaign_id "ok:N" streams N chunks of 32 KiB;
// "fail:N" N chunks then FAILED_PRECONDITION; "gated" one chunk, then
// waits for the test to let it go on, then one more.
class FakeReports final : public v1::ReportService::Service {
 public:
  explicit FakeReports(Seen* seen) : seen_(seen) {}
  grpc::Status ExportResponses(grpc::ServerContext* ctx, const v1::ExportResponsesRequest* req,
                               grpc::ServerWriter<v1::ExportChunk>* out) override {
    seen_->Record("ExportResponses", *ctx);
    std::vector<std::string> parts = absl::StrSplit(req->campaign_id(), ':');
    const int n = parts.size() > 1 ? std::stoi(parts[1]) : 1;
    for (int i = 0; i < n; ++i) {
      v1::ExportChunk chunk;
      chunk.set_data(std::string(kChunkBytes, static_cast<char>('a' + i % 26)));
      if (!out->Write(chunk)) return grpc::Status(grpc::StatusCode::CANCELLED, "gone");
    }
    if (parts[0] == "gated") {
      std::unique_lock<std::mutex> lock(seen_->mu);
      seen_->cv.wait_for(lock, std::chrono::seconds(20), [&] { return seen_->release; });
      if (!seen_->release) return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "gate");
      lock.unlock();
      v1::ExportChunk last;
      last.set_data("end\n");
      out->Write(last);
    }
    if (parts[0] == "fail") {
      ctx->AddTrailingMetadata("reason", "CAMPAIGN_NOT_CLOSED");
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "campaign is open");
    }
    return grpc::Status::OK;
  }

 private:
  Seen* seen_;
};

class FakeRespond final : public v1::RespondService::Service {
 public:
  explicit FakeRespond(Seen* seen) : seen_(seen) {}
  grpc::Status GetSurvey(grpc::ServerContext* ctx, const v1::GetSurveyRequest*,
                         v1::Survey*) override {
    seen_->Record("GetSurvey", *ctx);
    return grpc::Status::OK;
  }

 private:
  Seen* seen_;
};

class ConsoleGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&accounts_);
    builder.RegisterService(&reports_);
    builder.RegisterService(&respond_);
    upstream_ = builder.BuildAndStart();
    ASSERT_GT(port_, 0);
    root_ = std::filesystem::temp_directory_path() /
            absl::StrCat("gw-console-", getpid(), "-", ++counter_);
    std::filesystem::create_directories(root_ / "console");
    std::ofstream(root_ / "index.html") << "<!doctype html><title>app</title>";
    std::ofstream(root_ / "console" / "index.html") << "<!doctype html><title>console</title>";
    std::ofstream(root_ / "console" / "console.js") << "console.log(1)";
  }
  void TearDown() override {
    if (gateway_ != nullptr) gateway_->Stop();
    if (serving_.joinable()) serving_.join();
    gateway_.reset();
    upstream_->Shutdown();
    std::filesystem::remove_all(root_);
  }

  Gateway& Start(bool https = false, int max_streams = 4) {
    GatewayOptions options;
    options.upstream = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_),
                                           grpc::InsecureChannelCredentials());
    options.web_root = root_.string();
    options.console = true;
    options.hsts = https;
    options.max_streams = max_streams;
    auto g = Gateway::Create(std::move(options));
    EXPECT_TRUE(g.ok()) << g.status();
    gateway_ = std::move(*g);
    return *gateway_;
  }
  int Serve() {
    absl::StatusOr<int> bound = gateway_->Bind("127.0.0.1", 0);
    EXPECT_TRUE(bound.ok());
    serving_ = std::thread([this] { gateway_->Serve(); });
    return *bound;
  }

  // A staff call as the console makes it: JSON, the CSRF header, same origin.
  static HttpCall StaffCall(const std::string& path, const std::string& body) {
    HttpCall call;
    call.path = path;
    call.content_type = "application/json";
    call.body = body;
    call.headers = {{"host", "127.0.0.1:8080"},
                    {"origin", "http://127.0.0.1:8080"},
                    {"x-survey-csrf", "1"}};
    return call;
  }
  static std::vector<std::string> Header(const HttpReply& reply, const std::string& name) {
    std::vector<std::string> out;
    for (const auto& [k, v] : reply.headers) {
      if (k == name) out.push_back(v);
    }
    return out;
  }

  inline static int counter_ = 0;
  Seen seen_;
  FakeAccounts accounts_{&seen_};
  FakeReports reports_{&seen_};
  FakeRespond respond_{&seen_};
  std::unique_ptr<grpc::Server> upstream_;
  int port_ = 0;
  std::filesystem::path root_;
  std::unique_ptr<Gateway> gateway_;
  std::thread serving_;
};

}  // namespace survey::gateway::console_testing

#endif  // SURVEY_TESTS_UNIT_GATEWAY_CONSOLE_FIXTURE_H_
