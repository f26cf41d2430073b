// The transport as an attacker meets it: TLS (versions, CA, plaintext
// clients), gRPC limits (message and metadata size, streams per connection,
// handshake timeout, ping floods), garbage on the port, and the per-address
// budget for guessed survey tokens. Real server, real sockets.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <grpcpp/create_channel_posix.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "support/test_db.h"
#include "support/temp_dirs.h"
#include "support/test_server.h"
#include "survey/v1/admin.grpc.pb.h"
#include "survey/v1/respond.grpc.pb.h"

namespace survey::testing {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Shell {
  int exit_code;
  std::string output;  // stdout and stderr
};

Shell Sh(const std::string& command) {
  Shell r{-1, ""};
  FILE* p = popen(absl::StrCat(command, " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[1024];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// deploy/certs.sh into a fresh directory: CA, server, staff "alice".
std::string MakeCerts() {
  char tmpl[] = "/tmp/survey-certs-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  RemoveAtExit(dir);
  std::string script = absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/certs.sh");
  Shell a = Sh(absl::StrCat(script, " ", dir));
  Shell b = Sh(absl::StrCat(script, " ", dir, " staff alice"));
  EXPECT_EQ(a.exit_code, 0) << a.output;
  EXPECT_EQ(b.exit_code, 0) << b.output;
  return dir;
}

api::ServerOptions TlsOptions(const std::string& certs) {
  api::ServerOptions o;
  o.tls_cert_file = certs + "/server.pem";
  o.tls_key_file = certs + "/server.key";
  o.tls_client_ca_file = certs + "/ca.pem";
  return o;
}

std::shared_ptr<grpc::Channel> TlsChannel(int port, const std::string& ca_file,
                                          const std::string& cert_file = "",
                                          const std::string& key_file = "") {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadFile(ca_file);
  if (!cert_file.empty()) {
    ssl.pem_cert_chain = ReadFile(cert_file);
    ssl.pem_private_key = ReadFile(key_file);
  }
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // its own connection
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::SslCredentials(ssl), args);
}

std::shared_ptr<grpc::Channel> PlainChannel(int port) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials(), args);
}

grpc::Status Check(const std::shared_ptr<grpc::Channel>& channel,
                   HealthCheckResponse* out = nullptr,
                   absl::Duration timeout = absl::Seconds(5)) {
  HealthCheckResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  grpc::Status s = Health::NewStub(channel)->Check(&ctx, {}, &resp);
  if (out != nullptr) *out = resp;
  return s;
}

bool Serving(const std::shared_ptr<grpc::Channel>& channel) {
  return WaitFor(
      [&] {
        HealthCheckResponse resp;
        return Check(channel, &resp).ok() &&
               resp.status() == HealthCheckResponse::SERVING;
      },
      absl::Seconds(10));
}

// A TCP connection to 127.0.0.1:port from `source` (any loopback address).
int Connect(int port, const std::string& source = "127.0.0.1") {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  inet_pton(AF_INET, source.c_str(), &local.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
    close(fd);
    return -1;
  }
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof server) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Reads until the peer closes (returns true) or `timeout` passes (false).
bool ReadUntilClosed(int fd, absl::Duration timeout, std::string* got) {
  absl::Time deadline = absl::Now() + timeout;
  char buf[4096];
  while (absl::Now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    int ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    if (poll(&p, 1, std::max(ms, 1)) <= 0) continue;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return true;  // EOF or reset: closed by the server
    got->append(buf, static_cast<size_t>(n));
  }
  return false;
}

std::string Frame(uint8_t type, uint8_t flags, uint32_t stream,
                  const std::string& payload) {
  std::string f;
  f.push_back(static_cast<char>((payload.size() >> 16) & 0xff));
  f.push_back(static_cast<char>((payload.size() >> 8) & 0xff));
  f.push_back(static_cast<char>(payload.size() & 0xff));
  f.push_back(static_cast<char>(type));
  f.push_back(static_cast<char>(flags));
  for (int shift : {24, 16, 8, 0}) {
    f.push_back(static_cast<char>((stream >> shift) & 0xff));
  }
  return f + payload;
}

constexpr char kPreface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

// The error code of the first GOAWAY frame in `bytes`, or -1.
int64_t GoawayCode(const std::string& bytes) {
  size_t at = 0;
  while (at + 9 <= bytes.size()) {
    auto u8 = [&](size_t i) { return static_cast<uint8_t>(bytes[i]); };
    size_t length = (size_t{u8(at)} << 16) | (size_t{u8(at + 1)} << 8) | u8(at + 2);
    uint8_t type = u8(at + 3);
    if (at + 9 + length > bytes.size()) break;
    if (type == 7 && length >= 8) {
      size_t p = at + 9 + 4;
      return (int64_t{u8(p)} << 24) | (int64_t{u8(p + 1)} << 16) |
             (int64_t{u8(p + 2)} << 8) | u8(p + 3);
    }
    at += 9 + length;
  }
  return -1;
}

// ---------------------------------------------------------------- TLS

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = MakeCerts();
    auto ts = TestServer::Start(TlsOptions(certs_));
    ASSERT_TRUE(ts.ok()) << ts.status();
    ts_ = std::move(*ts);
    port_ = ts_->server().port();
  }
  // The client runs with an OpenSSL configuration that allows TLS 1.0
  // (OpenSSL 3's default would not even offer it): the refusal must come
  // from the server.
  std::string OpenSsl(const std::string& version_flag) {
    std::string conf = certs_ + "/weak-client.cnf";
    std::ofstream(conf) << "openssl_conf = c\n[c]\nssl_conf = s\n[s]\n"
                           "system_default = d\n[d]\nMinProtocol = TLSv1\n"
                           "CipherString = DEFAULT@SECLEVEL=0\n";
    return absl::StrCat("OPENSSL_CONF=", conf,
                        " timeout 20 openssl s_client -connect 127.0.0.1:", port_,
                        " ", version_flag, " -alpn h2 -CAfile ", certs_,
                        "/ca.pem -verify_return_error -brief </dev/null");
  }
  std::string certs_;
  std::unique_ptr<TestServer> ts_;
  int port_ = 0;
};

TEST_F(TlsTest, HandshakeWorksWithTheCaWithOrWithoutAStaffCertificate) {
  // The mobile app: server authentication only.
  EXPECT_TRUE(Serving(TlsChannel(port_, certs_ + "/ca.pem")));
  // Staff: mutual TLS with a certificate from the same CA.
  EXPECT_TRUE(Serving(TlsChannel(port_, certs_ + "/ca.pem",
                                 certs_ + "/staff/alice.pem",
                                 certs_ + "/staff/alice.key")));
}

TEST_F(TlsTest, CertificatesFromAnotherCaAreRefused) {
  std::string other = MakeCerts();
  // A client that trusts another CA does not accept this server...
  EXPECT_FALSE(Check(TlsChannel(port_, other + "/ca.pem"), nullptr,
                     absl::Seconds(3)).ok());
  // ...and a client certificate from another CA is refused by the server.
  grpc::Status s = Check(TlsChannel(port_, certs_ + "/ca.pem",
                                    other + "/staff/alice.pem",
                                    other + "/staff/alice.key"),
                         nullptr, absl::Seconds(3));
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(Serving(TlsChannel(port_, certs_ + "/ca.pem")));
}

TEST_F(TlsTest, OnlyTls12AndNewerAreAccepted) {
  Shell v12 = Sh(OpenSsl("-tls1_2"));
  EXPECT_EQ(v12.exit_code, 0) << v12.output;
  EXPECT_TRUE(absl::StrContains(v12.output, "TLSv1.2")) << v12.output;
  Shell v13 = Sh(OpenSsl("-tls1_3"));
  EXPECT_EQ(v13.exit_code, 0) << v13.output;
  EXPECT_TRUE(absl::StrContains(v13.output, "TLSv1.3")) << v13.output;
  for (const char* old : {"-tls1", "-tls1_1"}) {
    Shell r = Sh(OpenSsl(absl::StrCat(old, " -cipher DEFAULT:@SECLEVEL=0")));
    EXPECT_NE(r.exit_code, 0) << old << ": " << r.output;
    EXPECT_FALSE(absl::StrContains(r.output, "no protocols available"))
        << "the client did not even try " << old << ": " << r.output;
    EXPECT_FALSE(absl::StrContains(r.output, "Protocol version: TLSv1"))
        << r.output;
  }
  EXPECT_TRUE(Serving(TlsChannel(port_, certs_ + "/ca.pem")));
}

TEST_F(TlsTest, PlaintextHttp2ClientsGetNothing) {
  grpc::Status s = Check(PlainChannel(port_), nullptr, absl::Seconds(3));
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error_code(), grpc::OK);
  EXPECT_TRUE(Serving(TlsChannel(port_, certs_ + "/ca.pem")));
}

TEST_F(TlsTest, GarbageOnThePortDoesNotHurt) {
  std::mt19937 rng(7);
  std::string noise(64 << 10, '\0');
  for (char& c : noise) c = static_cast<char>(rng());
  const std::string inputs[] = {
      noise,
      "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
      std::string(kPreface) + noise,
      // A TLS 1.2 ClientHello record header announcing more than follows.
      std::string("\x16\x03\x01\x40\x00\x01\x00\x3f\xfc\x03\x03", 11) + noise.substr(0, 100),
  };
  for (const std::string& input : inputs) {
    int fd = Connect(port_);
    ASSERT_GE(fd, 0);
    SendAll(fd, input);
    std::string ignored;
    ReadUntilClosed(fd, absl::Seconds(2), &ignored);
    close(fd);
  }
  EXPECT_TRUE(Serving(TlsChannel(port_, certs_ + "/ca.pem")));
}

TEST(TlsStartTest, MissingOrMismatchedTlsFilesStopTheStart) {
  std::string certs = MakeCerts();
  api::ServerOptions o = TlsOptions(certs);
  o.tls_key_file = certs + "/staff/alice.key";  // not the server's key
  auto mismatched = TestServer::Start(o);
  ASSERT_FALSE(mismatched.ok());
  EXPECT_TRUE(absl::StrContains(mismatched.status().message(), "--tls-key"))
      << mismatched.status();
  EXPECT_FALSE(absl::StrContains(mismatched.status().message(), "PRIVATE KEY"));
  o = TlsOptions(certs);
  o.tls_cert_file = certs + "/no-such.pem";
  auto missing = TestServer::Start(o);
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(absl::StrContains(missing.status().message(), "--tls-cert"))
      << missing.status();
}

TEST(TlsStartTest, HandshakeTimeoutClosesSilentConnections) {
  std::string certs = MakeCerts();
  api::ServerOptions o = TlsOptions(certs);
  o.handshake_timeout = absl::Seconds(1);
  auto ts = TestServer::Start(o);
  ASSERT_TRUE(ts.ok()) << ts.status();
  int fd = Connect((*ts)->server().port());
  ASSERT_GE(fd, 0);
  absl::Time start = absl::Now();
  std::string got;
  EXPECT_TRUE(ReadUntilClosed(fd, absl::Seconds(8), &got))
      << "a connection that never says hello must be closed";
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(900)) << "not before";
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  close(fd);
  EXPECT_TRUE(Serving(TlsChannel((*ts)->server().port(), certs + "/ca.pem")));
}

// ------------------------------------------------------- gRPC limits

TEST(LimitsTest, OversizedRequestIsRefusedAndTheServerStaysHealthy) {
  api::ServerOptions o;
  o.max_receive_message_bytes = 64 << 10;
  auto ts = TestServer::Start(o);
  ASSERT_TRUE(ts.ok()) << ts.status();
  auto channel = (*ts)->channel();
  auto respond = v1::RespondService::NewStub(channel);
  v1::SubmitRequest big;
  big.set_token("AAAAAAAAAAAAAAAAAAAAAAAAAA");
  big.set_comment(std::string(100 << 10, 'x'));
  v1::SubmitResponse out;
  grpc::Status s = respond->Submit(TestServer::Context("").get(), big, &out);
  EXPECT_EQ(s.error_code(), grpc::RESOURCE_EXHAUSTED) << s.error_message();
  // Just under the limit reaches the service (which refuses the comment).
  big.set_comment(std::string(60 << 10, 'x'));
  s = respond->Submit(TestServer::Context("").get(), big, &out);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT) << s.error_message();
  EXPECT_TRUE(Serving(channel));
}

TEST(LimitsTest, OversizedMetadataIsRefused) {
  api::ServerOptions o;
  o.max_metadata_bytes = 8 << 10;
  auto ts = TestServer::Start(o);
  ASSERT_TRUE(ts.ok()) << ts.status();
  auto channel = (*ts)->channel();
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    ctx.AddMetadata("x-padding", std::string(4 << 10, 'p'));
    HealthCheckResponse resp;
    EXPECT_TRUE(Health::NewStub(channel)->Check(&ctx, {}, &resp).ok());
  }
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    ctx.AddMetadata("x-padding", std::string(32 << 10, 'p'));
    HealthCheckResponse resp;
    grpc::Status s = Health::NewStub(channel)->Check(&ctx, {}, &resp);
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(s.error_code(), grpc::RESOURCE_EXHAUSTED) << s.error_message();
  }
  EXPECT_TRUE(Serving(channel));
}

TEST(LimitsTest, ConcurrentStreamsAreLimitedPerConnection) {
  api::ServerOptions o;
  o.max_concurrent_streams = 1;
  auto ts = TestServer::Start(o);
  ASSERT_TRUE(ts.ok()) << ts.status();
  int port = (*ts)->server().port();
  auto first = PlainChannel(port);
  // Health.Watch keeps its stream open: the connection's only stream.
  grpc::ClientContext watch_ctx;
  auto watch = Health::NewStub(first)->Watch(&watch_ctx, {});
  HealthCheckResponse update;
  ASSERT_TRUE(watch->Read(&update));
  grpc::Status queued = Check(first, nullptr, absl::Seconds(1));
  EXPECT_EQ(queued.error_code(), grpc::DEADLINE_EXCEEDED)
      << "a second stream on the same connection must wait";
  EXPECT_TRUE(Check(PlainChannel(port)).ok()) << "another connection is fine";
  watch_ctx.TryCancel();
  while (watch->Read(&update)) {
  }
  watch->Finish();
  EXPECT_TRUE(Check(first).ok());
}

TEST(LimitsTest, PingFloodsAreCutOffWithGoaway) {
  api::ServerOptions o;
  o.max_ping_strikes = 2;
  auto ts = TestServer::Start(o);
  ASSERT_TRUE(ts.ok()) << ts.status();
  int port = (*ts)->server().port();
  auto pings = [](int n) {
    std::string bytes = std::string(kPreface) + Frame(4, 0, 0, "");
    for (int i = 0; i < n; ++i) bytes += Frame(6, 0, 0, std::string(8, char('0' + i)));
    return bytes;
  };
  {
    // The first ping is free, then two strikes: tolerated.
    int fd = Connect(port);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(SendAll(fd, pings(3)));
    std::string got;
    EXPECT_FALSE(ReadUntilClosed(fd, absl::Milliseconds(700), &got));
    EXPECT_EQ(GoawayCode(got), -1);
    close(fd);
  }
  {
    // The third strike closes the connection: GOAWAY ENHANCE_YOUR_CALM.
    int fd = Connect(port);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(SendAll(fd, pings(6)));
    std::string got;
    EXPECT_TRUE(ReadUntilClosed(fd, absl::Seconds(5), &got));
    EXPECT_EQ(GoawayCode(got), 0xb);
    EXPECT_TRUE(absl::StrContains(got, "too_many_pings"));
    close(fd);
  }
  EXPECT_TRUE(Serving((*ts)->channel()));
}

TEST(LimitsTest, SilentAndGarbageConnectionsDoNotHurtAPlaintextServer) {
  api::ServerOptions o;
  o.handshake_timeout = absl::Seconds(1);
  auto ts = TestServer::Start(o);
  ASSERT_TRUE(ts.ok()) << ts.status();
  int port = (*ts)->server().port();
  int silent = Connect(port);
  ASSERT_GE(silent, 0);
  absl::Time start = absl::Now();
  std::string got;
  EXPECT_TRUE(ReadUntilClosed(silent, absl::Seconds(8), &got))
      << "no HTTP/2 settings within the handshake timeout: closed";
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(900)) << "not before";
  close(silent);
  std::mt19937 rng(11);
  std::string noise(64 << 10, '\0');
  for (char& c : noise) c = static_cast<char>(rng());
  for (const std::string& input :
       {noise, std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
        std::string(kPreface) + noise,
        std::string(kPreface) + Frame(4, 0, 0, "") + Frame(1, 4, 1, noise.substr(0, 300))}) {
    int fd = Connect(port);
    ASSERT_GE(fd, 0);
    SendAll(fd, input);
    std::string ignored;
    ReadUntilClosed(fd, absl::Seconds(2), &ignored);
    close(fd);
  }
  EXPECT_TRUE(Serving((*ts)->channel()));
}

// ------------------------------------------------------- --insecure

TEST(InsecureTest, WarnsOncePerConnectionNotPerCall) {
  // The log is captured from before the server starts until it is gone:
  // loggers must not change while server threads log.
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));
  {
    auto ts = TestServer::Start();  // plaintext
    ASSERT_TRUE(ts.ok()) << ts.status();
    int port = (*ts)->server().port();
    for (int connection = 0; connection < 2; ++connection) {
      auto channel = PlainChannel(port);
      for (int call = 0; call < 5; ++call) EXPECT_TRUE(Check(channel).ok());
    }
  }
  spdlog::set_default_logger(previous);
  std::string text = log.str();
  int warnings = 0;
  for (size_t at = text.find("plaintext connection #"); at != std::string::npos;
       at = text.find("plaintext connection #", at + 1)) {
    ++warnings;
  }
  EXPECT_EQ(warnings, 2) << text;
}

// --------------------------------------------- guessed survey tokens

// A plaintext channel over a TCP connection made from `source`, so that
// the server sees that address as the peer.
std::shared_ptr<grpc::Channel> ChannelFrom(const std::string& source, int port) {
  int fd = Connect(port, source);
  if (fd < 0) return nullptr;
  return grpc::CreateInsecureChannelFromFd(absl::StrCat(source, "-client"), fd);
}

class GuessingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api::ServerOptions o;
    o.abuse.invalid_token = {5, 1.0 / 3600};
    auto ts = TestServer::Start(o);
    ASSERT_TRUE(ts.ok()) << ts.status();
    ts_ = std::move(*ts);
    auto admin = v1::AdminService::NewStub(ts_->channel());
    v1::ImportOrgRequest org;
    org.add_departments()->set_code("AS");
    org.mutable_departments(0)->set_name("售后服务部");
    v1::Employee* e = org.add_employees();
    e->set_employee_no("E1");
    e->set_name("王堃");
    e->set_department_code("AS");
    e->set_post_type(v1::POST_TYPE_OTHER);
    e->set_position(v1::POSITION_AFTER_SALES_ENGINEER);
    v1::ImportOrgResponse imported;
    ASSERT_TRUE(admin->ImportOrg(TestServer::Context("hr").get(), org, &imported).ok());
    v1::CreateCampaignRequest create;
    create.mutable_campaign()->set_kind(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
    create.mutable_campaign()->set_period("2026-11");
    create.mutable_campaign()->set_template_key("default");
    create.mutable_campaign()->mutable_title()->set_zh("十一月客户满意度");
    v1::Campaign campaign;
    ASSERT_TRUE(admin->CreateCampaign(TestServer::Context("hr").get(), create,
                                      &campaign).ok());
    v1::CampaignTransitionRequest open;
    open.set_id(campaign.id());
    ASSERT_TRUE(admin->OpenCampaign(TestServer::Context("hr").get(), open,
                                    &campaign).ok());
    v1::IssueInvitationsRequest issue;
    issue.set_campaign_id(campaign.id());
    issue.add_events()->set_subject_employee_no("E1");
    issue.add_events()->set_subject_employee_no("E1");
    auto ctx = TestServer::Context("hr");
    auto reader = admin->IssueInvitations(ctx.get(), issue);
    v1::IssuedInvitation inv;
    while (reader->Read(&inv)) tokens_.push_back(inv.token());
    ASSERT_TRUE(reader->Finish().ok());
    ASSERT_EQ(tokens_.size(), 2u);
  }

  static grpc::StatusCode GetSurvey(v1::RespondService::Stub& stub,
                                    const std::string& token) {
    v1::GetSurveyRequest req;
    req.set_token(token);
    v1::Survey out;
    return stub.GetSurvey(TestServer::Context("").get(), req, &out).error_code();
  }
  static grpc::StatusCode Submit(v1::RespondService::Stub& stub,
                                 const std::string& token) {
    v1::SubmitRequest req;
    req.set_token(token);
    req.set_submission_id("s1");
    for (int i = 0; i < 9; ++i) req.add_scores(8);
    v1::SubmitResponse out;
    return stub.Submit(TestServer::Context("").get(), req, &out).error_code();
  }
  // Well-formed tokens nobody was given.
  static std::string Unknown(int i) {
    std::string t(26, 'A');
    t[i % 25] = 'B' + static_cast<char>(i / 25);
    return t;
  }

  std::unique_ptr<TestServer> ts_;
  std::vector<std::string> tokens_;
};

TEST_F(GuessingTest, AGuessingAddressIsCutOffAndOthersAreNot) {
  int port = ts_->server().port();
  auto guesser_channel = ChannelFrom("127.0.0.2", port);
  ASSERT_NE(guesser_channel, nullptr) << "cannot bind 127.0.0.2";
  auto guesser = v1::RespondService::NewStub(guesser_channel);
  auto other = v1::RespondService::NewStub(ChannelFrom("127.0.0.1", port));

  // The budget (5): unknown and malformed tokens, GetSurvey and Submit.
  EXPECT_EQ(GetSurvey(*guesser, Unknown(0)), grpc::NOT_FOUND);
  EXPECT_EQ(Submit(*guesser, Unknown(1)), grpc::NOT_FOUND);
  EXPECT_EQ(GetSurvey(*guesser, "not-a-token"), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(Submit(*guesser, "0000"), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(GetSurvey(*guesser, Unknown(2)), grpc::NOT_FOUND);
  // Empty: refused before the token is looked at, so even a real token
  // tells the guesser nothing.
  EXPECT_EQ(GetSurvey(*guesser, Unknown(3)), grpc::RESOURCE_EXHAUSTED);
  EXPECT_EQ(Submit(*guesser, Unknown(4)), grpc::RESOURCE_EXHAUSTED);
  EXPECT_EQ(GetSurvey(*guesser, tokens_[0]), grpc::RESOURCE_EXHAUSTED);
  EXPECT_EQ(Submit(*guesser, tokens_[0]), grpc::RESOURCE_EXHAUSTED);
  // A new connection from the same address is the same guesser.
  auto again = v1::RespondService::NewStub(ChannelFrom("127.0.0.2", port));
  EXPECT_EQ(GetSurvey(*again, Unknown(5)), grpc::RESOURCE_EXHAUSTED);

  // Another address is unaffected, typos included.
  EXPECT_EQ(GetSurvey(*other, Unknown(6)), grpc::NOT_FOUND);
  EXPECT_EQ(GetSurvey(*other, tokens_[0]), grpc::OK);
  EXPECT_EQ(Submit(*other, tokens_[0]), grpc::OK);
  auto responses = ts_->db().Query("SELECT COUNT(*) FROM response");
  ASSERT_TRUE(responses.ok()) << responses.status();
  EXPECT_EQ((*responses)[0][0], "1");
  // Valid tokens never cost anything.
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(GetSurvey(*other, tokens_[1]), grpc::OK) << i;
  }
  EXPECT_EQ(ts_->server().abuse_limiter().tracked_invalid_token_peers(), 2u);
}

}  // namespace
}  // namespace survey::testing
