// Through survey-gateway the abuse limits still charge the real respondent
// (issue 14): the client address comes from the TCP peer, from
// X-Forwarded-For only when that peer is a configured --trusted-proxy, and
// survey-server believes the gateway's x-survey-client-address only from a
// --trusted-gateway. Real binaries on a private database; the invalid-token
// budget is made small (3, no refill to speak of) so each address's budget
// runs out within the test.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "api/client_peer.h"
#include "support/process.h"
#include "support/test_db.h"
#include "support/test_server.h"
#include "survey/v1/respond.grpc.pb.h"

namespace survey::testing {
namespace {

constexpr int kBurst = 3;

// survey-gateway as a child process; the port from its first line.
class GatewayProcess {
 public:
  explicit GatewayProcess(std::vector<std::string> argv) {
    out_ = MakeTempDir() + "/gateway.out";
    argv.insert(argv.begin(), SURVEY_GATEWAY_BIN);
    pid_ = fork();
    if (pid_ == 0) {
      FILE* f = freopen(out_.c_str(), "w", stdout);
      (void)f;
      std::vector<char*> args;
      for (std::string& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    for (int i = 0; i < 100 && port_ == 0; ++i) {
      const std::string text = ReadFile(out_);
      constexpr char kPrefix[] = "survey-gateway listening on port ";
      if (size_t at = text.find(kPrefix); at != std::string::npos) {
        port_ = std::atoi(text.c_str() + at + sizeof kPrefix - 1);
      }
      if (port_ == 0) usleep(100000);
    }
  }
  ~GatewayProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string out_;
};

// A server with a small invalid-token budget, on its own database.
class Upstream {
 public:
  explicit Upstream(const std::string& trusted_gateway) {
    auto db = TestDatabase::Create();
    EXPECT_TRUE(db.ok()) << db.status();
    auto pepper = WriteTestPepper();
    EXPECT_TRUE(pepper.ok());
    if (!db.ok() || !pepper.ok()) return;
    db_ = std::move(*db);
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--db-url", db_->url(), "--listen", "127.0.0.1:0", "--insecure",
        "--health-interval", "0.1", "--pepper-file", *pepper, "--trusted-gateway",
        trusted_gateway, "--invalid-token-burst", absl::StrCat(kBurst),
        "--invalid-token-per-minute", "0.01"});
  }
  bool ok() const { return server_ != nullptr && server_->port() > 0; }
  std::string address() const { return server_->address(); }

 private:
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<ServerProcess> server_;
};

// A well-formed token nobody was issued (26 base32 characters), different
// for each n.
std::string UnknownToken(int n) {
  std::string t(26, 'A');
  t[0] = "BCDEFGHIJKLMNOPQRSTUVWXYZ2"[n % 26];
  t[1] = "BCDEFGHIJKLMNOPQRSTUVWXYZ2"[(n / 26) % 26];
  return t;
}

// GetSurvey through the gateway with JSON, as the web app sends it;
// returns the reason (the trailer-reason header), or the HTTP failure.
std::string GetSurveyReason(int gateway_port, int n, const std::string& forwarded_for) {
  httplib::Client http("127.0.0.1", gateway_port);
  http.set_connection_timeout(5);
  http.set_read_timeout(10);
  httplib::Headers headers;
  if (!forwarded_for.empty()) headers.emplace("X-Forwarded-For", forwarded_for);
  auto res = http.Post("/survey.v1.RespondService/GetSurvey", headers,
                       absl::StrCat("{\"token\":\"", UnknownToken(n), "\"}"),
                       "application/json");
  if (!res) return absl::StrCat("no reply: ", httplib::to_string(res.error()));
  const std::string reason = res->get_header_value("trailer-reason");
  // The two outcomes this test expects, with their HTTP statuses.
  if (reason == "TOKEN_UNKNOWN" && res->status != 404) return absl::StrCat("404? ", res->status);
  if (reason == "RATE_LIMITED" && res->status != 429) return absl::StrCat("429? ", res->status);
  return reason.empty() ? absl::StrCat("HTTP ", res->status, " ", res->body) : reason;
}

// From a peer that is not a trusted proxy, X-Forwarded-For is the client's
// own words: rotating it does not buy a fresh budget of guesses.
TEST(GatewayClientAddressTest, ForwardedForFromAnUntrustedPeerIsIgnored) {
  Upstream server("127.0.0.1");
  ASSERT_TRUE(server.ok());
  GatewayProcess gateway({"--listen", "127.0.0.1:0", "--upstream", server.address()});
  ASSERT_GT(gateway.port(), 0);
  int n = 0;
  for (int i = 0; i < kBurst; ++i) {
    EXPECT_EQ(GetSurveyReason(gateway.port(), n++, absl::StrCat("198.51.100.", i + 1)),
              "TOKEN_UNKNOWN");
  }
  for (int i = kBurst; i < kBurst + 3; ++i) {
    EXPECT_EQ(GetSurveyReason(gateway.port(), n++, absl::StrCat("198.51.100.", i + 1)),
              "RATE_LIMITED")
        << "X-Forwarded-For " << i + 1 << " escaped the limit";
  }
}

// Behind a configured proxy the address it forwards is the respondent's:
// two respondents behind one proxy have separate budgets, and neither
// charges the proxy itself.
TEST(GatewayClientAddressTest, ForwardedForFromATrustedProxyKeysTheLimit) {
  Upstream server("127.0.0.1");
  ASSERT_TRUE(server.ok());
  GatewayProcess gateway({"--listen", "127.0.0.1:0", "--upstream", server.address(),
                          "--trusted-proxy", "127.0.0.1"});
  ASSERT_GT(gateway.port(), 0);
  int n = 0;
  for (int i = 0; i < kBurst; ++i) {
    EXPECT_EQ(GetSurveyReason(gateway.port(), n++, "198.51.100.7"), "TOKEN_UNKNOWN");
  }
  EXPECT_EQ(GetSurveyReason(gateway.port(), n++, "198.51.100.7"), "RATE_LIMITED");
  // The proxy appends the address it saw to what the client sent: the
  // right-most untrusted hop counts, a client-set left part does not.
  EXPECT_EQ(GetSurveyReason(gateway.port(), n++, "198.51.100.8, 198.51.100.7"),
            "RATE_LIMITED");
  for (int i = 0; i < kBurst; ++i) {
    EXPECT_EQ(GetSurveyReason(gateway.port(), n++, "198.51.100.8"), "TOKEN_UNKNOWN")
        << "a second respondent behind the proxy shares the first one's budget";
  }
  EXPECT_EQ(GetSurveyReason(gateway.port(), n++, "198.51.100.8"), "RATE_LIMITED");
  // The proxy's own calls (no header) were never charged.
  EXPECT_EQ(GetSurveyReason(gateway.port(), n++, ""), "TOKEN_UNKNOWN");
}

// survey-server believes x-survey-client-address only from a
// --trusted-gateway: a client calling gRPC directly cannot set it.
TEST(GatewayClientAddressTest, ServerIgnoresClientAddressFromAnUntrustedCaller) {
  Upstream server("192.0.2.99");  // some gateway, not us
  ASSERT_TRUE(server.ok());
  auto stub = v1::RespondService::NewStub(
      grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  std::vector<grpc::StatusCode> codes;
  for (int i = 0; i < kBurst + 2; ++i) {
    auto ctx = TestServer::Context("");
    ctx->AddMetadata(api::kClientAddressMetadata, absl::StrCat("198.51.100.", i + 1));
    v1::GetSurveyRequest req;
    req.set_token(UnknownToken(i));
    v1::Survey resp;
    codes.push_back(stub->GetSurvey(ctx.get(), req, &resp).error_code());
  }
  for (int i = 0; i < kBurst; ++i) EXPECT_EQ(codes[i], grpc::StatusCode::NOT_FOUND) << i;
  for (int i = kBurst; i < kBurst + 2; ++i) {
    EXPECT_EQ(codes[i], grpc::StatusCode::RESOURCE_EXHAUSTED)
        << "x-survey-client-address " << i + 1 << " escaped the limit";
  }
}

}  // namespace
}  // namespace survey::testing
