// survey-gateway: the browser's way in. It speaks the Connect protocol
// (unary and server-streaming calls, JSON or binary protobuf) on HTTP/1.1
// and forwards each call to survey-server over gRPC with grpc::GenericStub,
// generic over every method of the services it exposes; and it serves the
// respondent web app's static files (clients/web) under /a/, with strict
// security headers.
//
// With `console` (issue 15) it also exposes the staff services and serves
// the staff console under /c/. Every call of a service other than
// RespondService is a staff call (gateway/session.h): it must carry
// `x-survey-csrf: 1` and a same-origin Origin if any, or it is refused
// without reaching the server; its credential is the session cookie, sent
// upstream as `authorization: Bearer`; whatever credential headers the
// browser sends are never forwarded (no browser header is, but the ones
// named here). Respondent calls need neither cookie nor header.
//
// The respondent's address: the gateway takes it from the TCP peer, or from
// X-Forwarded-For only when the peer is one of --trusted-proxy (net/ip.h),
// and passes it to the server as the `x-survey-client-address` metadata,
// which survey-server believes only from its own --trusted-gateway
// addresses. Whatever a browser sends under that name is dropped here.
#ifndef SURVEY_GATEWAY_GATEWAY_H_
#define SURVEY_GATEWAY_GATEWAY_H_

#include <grpcpp/channel.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gateway/connect.h"
#include "gateway/stream.h"
#include "net/ip.h"

namespace httplib {
class Server;
}

namespace survey::gateway {

// The metadata key survey-server reads the respondent's address from.
inline constexpr char kClientAddressKey[] = "x-survey-client-address";
// The one service that is not a staff service: respondents', token-only.
inline constexpr char kRespondService[] = "survey.v1.RespondService";
// What `console` adds to the exposed services.
inline constexpr const char* kConsoleServices[] = {
    "survey.v1.AccountService", "survey.v1.AdminService", "survey.v1.ReportService",
    "survey.v1.AppraisalService"};

struct GatewayOptions {
  std::shared_ptr<grpc::Channel> upstream;
  // Fully qualified service names whose unary methods are exposed.
  std::vector<std::string> services = {"survey.v1.RespondService"};
  // Directory of the built web app (index.html, …); empty: no static files.
  // Its console/ subdirectory is never served under /a/.
  std::string web_root;
  // Adds kConsoleServices and serves `console_root` (index.html,
  // console.js, …; default web_root/console) under /c/.
  bool console = false;
  std::string console_root;
  net::NetworkList trusted_proxies;
  // Strict-Transport-Security on every response: set when the gateway
  // terminates TLS itself or stands behind a TLS proxy. Either (hsts or a
  // certificate) also means browsers reach us over https: staff calls'
  // Origin must then be https://.
  bool hsts = false;
  std::string tls_cert_file, tls_key_file;
  size_t max_request_bytes = 64 * 1024;
  absl::Duration default_timeout = absl::Seconds(15);
  absl::Duration max_timeout = absl::Seconds(60);
  // Server streams (exports) may take longer; connect-timeout-ms may
  // shorten, never lengthen this.
  absl::Duration stream_timeout = absl::Minutes(10);
  // Streams open at once: each holds an HTTP worker thread for as long as
  // the browser downloads, so respondents always keep most of `threads`.
  int max_streams = 4;
  int threads = 16;
};

// One unary call as the HTTP layer hands it over (testable without sockets).
struct HttpCall {
  std::string path;             // "/survey.v1.RespondService/GetSurvey"
  std::string content_type;
  std::string protocol_version;  // connect-protocol-version, may be empty
  std::string timeout_ms;       // connect-timeout-ms, may be empty
  std::string body;
  net::Ip client;               // already resolved (net::ClientAddress)
  // The request's other headers, names in lower case: "cookie", "origin",
  // "host", "x-survey-csrf", … Only what the gateway picks from them
  // reaches the server.
  Metadata headers;
};

struct HttpReply {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// A server-streaming call: `head` is the whole reply when `stream` is null
// (refused before the call began), else its status and headers, with the
// body to come from `stream`.
struct StreamReply {
  HttpReply head;
  std::unique_ptr<ConnectStream> stream;
};

struct StaticFile {
  std::string content_type;
  std::string body;
  std::string etag;
};

class Gateway {
 public:
  static absl::StatusOr<std::unique_ptr<Gateway>> Create(GatewayOptions options);
  ~Gateway();

  // Binds `host:port` (0: any free port); the port bound.
  absl::StatusOr<int> Bind(const std::string& host, int port);
  // Serves until Stop(); false if it could not.
  bool Serve();
  void Stop();

  // True if `path` names an exposed server-streaming method.
  bool IsStreaming(const std::string& path) const;
  // The Connect handling of one POST, forwarded to the upstream.
  HttpReply Unary(const HttpCall& call);
  StreamReply Stream(const HttpCall& call);
  // The static file for a GET path under /a/ (or /c/), or nullptr.
  const StaticFile* FindStatic(const std::string& path) const;
  // Headers every response carries.
  std::vector<std::pair<std::string, std::string>> SecurityHeaders() const;
  // The Content-Security-Policy of the console's files.
  static const char* ConsoleContentSecurityPolicy();

 private:
  enum class Kind { kPlain, kSignIn, kSignOut };
  struct Method {
    const google::protobuf::MethodDescriptor* descriptor = nullptr;
    bool staff = false;      // session cookie, CSRF checks
    bool streaming = false;  // server streaming
    Kind kind = Kind::kPlain;
  };
  // A call that passed every check, ready to go upstream.
  struct Prepared {
    const Method* method = nullptr;
    Codec codec = Codec::kJson;
    std::string wire;
    absl::Time deadline;
    std::vector<std::pair<std::string, std::string>> metadata;
  };

  explicit Gateway(GatewayOptions options);
  absl::Status LoadStatic(const std::string& root, const std::string& prefix);
  void Route();
  bool Https() const;
  // Method, CSRF and content type: refusals answered in plain HTTP, for
  // unary and streaming calls alike.
  std::optional<HttpReply> Admit(const HttpCall& call, bool streaming, Prepared* out) const;
  // The rest of the checks and the upstream metadata; on failure the
  // status and the reason.
  grpc::Status Build(const HttpCall& call, Prepared* out, std::string* reason) const;

  GatewayOptions options_;
  std::map<std::string, Method> methods_;
  // Open streams, so Stop() can end them: a stream waiting for a slow
  // upstream would otherwise hold its worker (and the stop) until the
  // stream's deadline.
  std::mutex streams_mu_;
  std::set<ConnectStream*> streams_;
  bool stopping_ = false;
  std::atomic<int> open_streams_{0};
  std::map<std::string, StaticFile> static_;  // "/a/app.js" -> file
  std::unique_ptr<httplib::Server> http_;
};

}  // namespace survey::gateway

#endif  // SURVEY_GATEWAY_GATEWAY_H_
