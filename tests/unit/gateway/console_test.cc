// survey-gateway --console against a small gRPC upstream in this process
// (real gRPC on loopback, real HTTP for the streams and the console's
// files): the session cookie set and stripped in both encodings, cookie ->
// bearer, the browser's authorization header dropped, CSRF refusals that
// never reach the upstream, and Connect server streams framed and sent as
// they arrive.
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

namespace survey::gateway {
namespace {

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

TEST_F(ConsoleGatewayTest, SignInSetsTheCookieAndStripsTheTokenFromJson) {
  Gateway& g = Start();
  HttpReply reply = g.Unary(
      StaffCall("/survey.v1.AccountService/SignIn", R"({"accountName":"hr1","password":"right"})"));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body.find("SECRET"), std::string::npos) << reply.body;
  nlohmann::json body = nlohmann::json::parse(reply.body);
  EXPECT_FALSE(body.contains("sessionToken"));
  EXPECT_EQ(body["me"]["accountName"], "hr1");
  std::vector<std::string> cookies = Header(reply, "Set-Cookie");
  ASSERT_EQ(cookies.size(), 1u);
  const std::string prefix = absl::StrCat("survey_session=", kToken,
                                          "; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=");
  ASSERT_EQ(cookies[0].substr(0, prefix.size()), prefix);
  const int max_age = std::stoi(cookies[0].substr(prefix.size()));
  EXPECT_GE(max_age, 3590);
  EXPECT_LE(max_age, 3600);
  // Signing in sends no credential upstream.
  EXPECT_EQ(seen_.Last().count("authorization"), 0u);
}

TEST_F(ConsoleGatewayTest, SignInSetsTheCookieAndStripsTheTokenFromProto) {
  Gateway& g = Start();
  v1::SignInRequest req;
  req.set_account_name("hr1");
  req.set_password("right");
  HttpCall call = StaffCall("/survey.v1.AccountService/SignIn", req.SerializeAsString());
  call.content_type = "application/proto";
  HttpReply reply = g.Unary(call);
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.content_type, "application/proto");
  v1::SignInResponse resp;
  ASSERT_TRUE(resp.ParseFromString(reply.body));
  EXPECT_EQ(resp.session_token(), "");
  EXPECT_EQ(resp.me().account_name(), "hr1");
  EXPECT_GT(resp.expires_at_unix(), 0);
  EXPECT_EQ(reply.body.find("SECRET"), std::string::npos);
  ASSERT_EQ(Header(reply, "Set-Cookie").size(), 1u);
  EXPECT_EQ(Header(reply, "Set-Cookie")[0].find(absl::StrCat("survey_session=", kToken, ";")),
            0u);
}

TEST_F(ConsoleGatewayTest, FailedSignInSetsNoCookie) {
  Gateway& g = Start();
  HttpReply reply = g.Unary(
      StaffCall("/survey.v1.AccountService/SignIn", R"({"accountName":"hr1","password":"x"})"));
  EXPECT_EQ(reply.status, 401);
  EXPECT_TRUE(Header(reply, "Set-Cookie").empty());
  EXPECT_EQ(Header(reply, "trailer-reason"), std::vector<std::string>{"BAD_CREDENTIALS"});
}

TEST_F(ConsoleGatewayTest, CookieBecomesBearerAndTheBrowsersAuthorizationIsDropped) {
  Gateway& g = Start();
  HttpCall call = StaffCall("/survey.v1.AccountService/WhoAmI", "{}");
  call.headers.emplace("cookie", absl::StrCat("lang=en; survey_session=", kToken));
  call.headers.emplace("authorization", "Bearer ssk_feedfacefeedface_STOLEN");
  call.headers.emplace("x-survey-as", "admin");
  ASSERT_EQ(g.Unary(call).status, 200);
  Metadata seen = seen_.Last();
  ASSERT_EQ(seen.count("authorization"), 1u);
  EXPECT_EQ(seen.find("authorization")->second, absl::StrCat("Bearer ", kToken));
  EXPECT_EQ(seen.count("x-survey-as"), 0u);
  EXPECT_EQ(seen.count("cookie"), 0u);

  // No cookie: no credential at all, whatever the browser put in headers.
  HttpCall bare = StaffCall("/survey.v1.AccountService/WhoAmI", "{}");
  bare.headers.emplace("authorization", "Bearer ssk_feedfacefeedface_STOLEN");
  ASSERT_EQ(g.Unary(bare).status, 200);
  EXPECT_EQ(seen_.Last().count("authorization"), 0u);
}

TEST_F(ConsoleGatewayTest, CrossSiteCallsAreRefusedBeforeTheUpstream) {
  Gateway& g = Start();
  HttpCall no_header = StaffCall("/survey.v1.AccountService/WhoAmI", "{}");
  no_header.headers.erase("x-survey-csrf");
  HttpCall foreign = StaffCall("/survey.v1.AccountService/WhoAmI", "{}");
  foreign.headers.find("origin")->second = "https://evil.example";
  // A form post: no header, a form's content type, the cookie attached.
  HttpCall form = no_header;
  form.content_type = "application/x-www-form-urlencoded";
  form.body = "accountName=hr1";
  form.headers.emplace("cookie", absl::StrCat("survey_session=", kToken));
  for (const HttpCall& call : {no_header, foreign, form}) {
    HttpReply reply = g.Unary(call);
    EXPECT_EQ(reply.status, 403);
    EXPECT_EQ(nlohmann::json::parse(reply.body)["code"], "permission_denied");
    EXPECT_EQ(Header(reply, "trailer-reason"), std::vector<std::string>{"CSRF_REFUSED"});
  }
  EXPECT_EQ(seen_.Count(), 0u) << "a refused call reached the upstream";
  // Without Origin (some browsers omit it) the header alone suffices.
  HttpCall no_origin = StaffCall("/survey.v1.AccountService/WhoAmI", "{}");
  no_origin.headers.erase("origin");
  EXPECT_EQ(g.Unary(no_origin).status, 200);
  // Respondents need neither header nor cookie.
  HttpCall respond;
  respond.path = "/survey.v1.RespondService/GetSurvey";
  respond.content_type = "application/json";
  respond.body = R"({"token":"X"})";
  respond.headers = {{"origin", "https://elsewhere.example"}};
  EXPECT_EQ(g.Unary(respond).status, 200);
}

TEST_F(ConsoleGatewayTest, BehindTlsTheOriginMustBeHttps) {
  Gateway& g = Start(/*https=*/true);
  EXPECT_EQ(g.Unary(StaffCall("/survey.v1.AccountService/WhoAmI", "{}")).status, 403);
  HttpCall call = StaffCall("/survey.v1.AccountService/WhoAmI", "{}");
  call.headers.find("origin")->second = "https://127.0.0.1:8080";
  EXPECT_EQ(g.Unary(call).status, 200);
}

TEST_F(ConsoleGatewayTest, SignOutClearsTheCookieWhateverTheServerSaid) {
  Gateway& g = Start();
  HttpCall call = StaffCall("/survey.v1.AccountService/SignOut", "{}");
  call.headers.emplace("cookie", absl::StrCat("survey_session=", kToken));
  HttpReply reply = g.Unary(call);
  EXPECT_EQ(reply.status, 503);  // the fake's database is down
  EXPECT_EQ(Header(reply, "Set-Cookie"), std::vector<std::string>{ExpiredSessionCookie()});
  EXPECT_EQ(seen_.Last().find("authorization")->second, absl::StrCat("Bearer ", kToken));
}

// The envelopes of a streamed body: (flags, message) in order.
std::vector<std::pair<int, std::string>> Envelopes(const std::string& body) {
  std::vector<std::pair<int, std::string>> out;
  size_t at = 0;
  while (at + 5 <= body.size()) {
    const auto b = [&](size_t i) { return static_cast<uint8_t>(body[at + i]); };
    const size_t n = (size_t{b(1)} << 24) | (size_t{b(2)} << 16) | (size_t{b(3)} << 8) | b(4);
    if (at + 5 + n > body.size()) break;
    out.emplace_back(b(0), body.substr(at + 5, n));
    at += 5 + n;
  }
  EXPECT_EQ(at, body.size()) << "trailing bytes";
  return out;
}

httplib::Headers StreamHeaders(int port, const std::string& content_type) {
  return {{"Content-Type", content_type},
          {"Origin", absl::StrCat("http://127.0.0.1:", port)},
          {"x-survey-csrf", "1"},
          {"Connect-Protocol-Version", "1"}};
}

TEST_F(ConsoleGatewayTest, ServerStreamInProtoArrivesWholeThenEndStream) {
  Start();
  const int port = Serve();
  httplib::Client http("127.0.0.1", port);
  v1::ExportResponsesRequest req;
  req.set_campaign_id("ok:40");
  auto res = http.Post("/survey.v1.ReportService/ExportResponses",
                       StreamHeaders(port, "application/connect+proto"),
                       Envelope(0, req.SerializeAsString()), "application/connect+proto");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/connect+proto");
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-store");
  auto envelopes = Envelopes(res->body);
  ASSERT_EQ(envelopes.size(), 41u);
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(envelopes[i].first, 0);
    v1::ExportChunk chunk;
    ASSERT_TRUE(chunk.ParseFromString(envelopes[i].second));
    EXPECT_EQ(chunk.data(), std::string(kChunkBytes, static_cast<char>('a' + i % 26)));
  }
  EXPECT_EQ(envelopes[40].first, kFlagEndStream);
  EXPECT_EQ(envelopes[40].second, "{}");
}

TEST_F(ConsoleGatewayTest, ServerStreamInJsonEndsWithTheErrorAndItsReason) {
  Start();
  const int port = Serve();
  httplib::Client http("127.0.0.1", port);
  auto res = http.Post("/survey.v1.ReportService/ExportResponses",
                       StreamHeaders(port, "application/connect+json"),
                       Envelope(0, R"({"campaignId":"fail:2"})"), "application/connect+json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto envelopes = Envelopes(res->body);
  ASSERT_EQ(envelopes.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(envelopes[0].second)["data"].get<std::string>().size(),
            (kChunkBytes + 2) / 3 * 4);  // base64
  EXPECT_EQ(envelopes[2].first, kFlagEndStream);
  nlohmann::json end = nlohmann::json::parse(envelopes[2].second);
  EXPECT_EQ(end["error"]["code"], "failed_precondition");
  EXPECT_EQ(end["metadata"]["reason"], nlohmann::json::array({"CAMPAIGN_NOT_CLOSED"}));

  // The CSRF rule holds for streams too, before the upstream.
  const size_t before = seen_.Count();
  httplib::Headers cross = StreamHeaders(port, "application/connect+json");
  cross.erase("x-survey-csrf");
  auto refused = http.Post("/survey.v1.ReportService/ExportResponses", cross,
                           Envelope(0, R"({"campaignId":"ok:1"})"), "application/connect+json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(refused->get_header_value("trailer-reason"), "CSRF_REFUSED");
  EXPECT_EQ(seen_.Count(), before);
}

// The first envelope reaches the browser while the upstream is still in
// the middle of its stream: nothing waits for the whole answer.
TEST_F(ConsoleGatewayTest, ServerStreamIsSentAsItArrives) {
  Start();
  const int port = Serve();
  httplib::Client http("127.0.0.1", port);
  httplib::Request req;
  req.method = "POST";
  req.path = "/survey.v1.ReportService/ExportResponses";
  req.headers = StreamHeaders(port, "application/connect+json");
  req.body = Envelope(0, R"({"campaignId":"gated:1"})");
  std::string received;
  bool first_before_end = false;
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    received.append(data, n);
    if (!first_before_end && received.size() >= 5 + kChunkBytes) {
      std::lock_guard<std::mutex> lock(seen_.mu);
      first_before_end = !seen_.release;
      seen_.release = true;
      seen_.cv.notify_all();
    }
    return true;
  };
  auto res = http.send(req);
  ASSERT_TRUE(res);
  EXPECT_TRUE(first_before_end) << "the first chunk waited for the end of the stream";
  auto envelopes = Envelopes(received);
  ASSERT_EQ(envelopes.size(), 3u);
  EXPECT_EQ(envelopes[2].second, "{}");
}

// Stopping the gateway ends a stream whose upstream is still busy, instead
// of waiting for it (the gated upstream would hold it 20 s).
TEST_F(ConsoleGatewayTest, StopEndsOpenStreams) {
  Gateway& g = Start();
  const int port = Serve();
  std::atomic<bool> first{false};
  std::thread download([&] {
    httplib::Client http("127.0.0.1", port);
    httplib::Request req;
    req.method = "POST";
    req.path = "/survey.v1.ReportService/ExportResponses";
    req.headers = StreamHeaders(port, "application/connect+json");
    req.body = Envelope(0, R"({"campaignId":"gated:1"})");
    req.content_receiver = [&](const char*, size_t, uint64_t, uint64_t) {
      first = true;
      return true;
    };
    http.send(req);
  });
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!first && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  ASSERT_TRUE(first);
  const absl::Time stop = absl::Now();
  g.Stop();
  serving_.join();
  EXPECT_LT(absl::Now() - stop, absl::Seconds(5)) << "Stop() waited for the upstream";
  download.join();
  {
    std::lock_guard<std::mutex> lock(seen_.mu);
    seen_.release = true;  // let the fake upstream finish
  }
  seen_.cv.notify_all();
}

TEST_F(ConsoleGatewayTest, StreamsBeyondTheLimitAreToldToRetry) {
  Gateway& g = Start(false, /*max_streams=*/1);
  HttpCall call = StaffCall("/survey.v1.ReportService/ExportResponses",
                            Envelope(0, R"({"campaignId":"ok:1"})"));
  call.content_type = "application/connect+json";
  StreamReply first = g.Stream(call);
  ASSERT_NE(first.stream, nullptr);
  StreamReply second = g.Stream(call);
  ASSERT_EQ(second.stream, nullptr);
  EXPECT_EQ(second.head.status, 200);
  auto envelopes = Envelopes(second.head.body);
  ASSERT_EQ(envelopes.size(), 1u);
  nlohmann::json end = nlohmann::json::parse(envelopes[0].second);
  EXPECT_EQ(end["error"]["code"], "unavailable");
  EXPECT_EQ(end["metadata"]["reason"], nlohmann::json::array({"BUSY"}));
  first.stream.reset();  // done: the slot is free again
  EXPECT_NE(g.Stream(call).stream, nullptr);
}

TEST_F(ConsoleGatewayTest, ConsoleFilesUnderCWithTheirOwnPolicy) {
  Start(/*https=*/true);
  const int port = Serve();
  httplib::Client http("127.0.0.1", port);
  auto page = http.Get("/c/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("console"), std::string::npos);
  EXPECT_EQ(page->get_header_value_count("Content-Security-Policy"), 1u);
  const std::string csp = page->get_header_value("Content-Security-Policy");
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("style-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe"), std::string::npos);
  EXPECT_EQ(page->get_header_value("Referrer-Policy"), "no-referrer");
  EXPECT_NE(page->get_header_value("Strict-Transport-Security"), "");
  auto js = http.Get("/c/console.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  // The console is not part of the respondent app.
  auto inside_app = http.Get("/a/console/index.html");
  ASSERT_TRUE(inside_app);
  EXPECT_EQ(inside_app->status, 404);
}

}  // namespace
}  // namespace survey::gateway
