// survey-gateway: the browser's way in. It speaks the Connect protocol
// (unary calls, JSON or binary protobuf) on HTTP/1.1 and forwards each call
// to survey-server over gRPC with grpc::GenericStub, generic over every
// method of the services it exposes; and it serves the respondent web app's
// static files (clients/web) under /a/, with strict security headers.
//
// The respondent's address: the gateway takes it from the TCP peer, or from
// X-Forwarded-For only when the peer is one of --trusted-proxy (net/ip.h),
// and passes it to the server as the `x-survey-client-address` metadata,
// which survey-server believes only from its own --trusted-gateway
// addresses. Whatever a browser sends under that name is dropped here.
#ifndef SURVEY_GATEWAY_GATEWAY_H_
#define SURVEY_GATEWAY_GATEWAY_H_

#include <grpcpp/channel.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gateway/connect.h"
#include "net/ip.h"

namespace httplib {
class Server;
}

namespace survey::gateway {

// The metadata key survey-server reads the respondent's address from.
inline constexpr char kClientAddressKey[] = "x-survey-client-address";

struct GatewayOptions {
  std::shared_ptr<grpc::Channel> upstream;
  // Fully qualified service names whose unary methods are exposed.
  std::vector<std::string> services = {"survey.v1.RespondService"};
  // Directory of the built web app (index.html, …); empty: no static files.
  std::string web_root;
  net::NetworkList trusted_proxies;
  // Strict-Transport-Security on every response: set when the gateway
  // terminates TLS itself or stands behind a TLS proxy.
  bool hsts = false;
  std::string tls_cert_file, tls_key_file;
  size_t max_request_bytes = 64 * 1024;
  absl::Duration default_timeout = absl::Seconds(15);
  absl::Duration max_timeout = absl::Seconds(60);
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
};

struct HttpReply {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
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

  // The Connect handling of one POST, forwarded to the upstream.
  HttpReply Unary(const HttpCall& call);
  // The static file for a GET path under /a/, or nullptr.
  const StaticFile* FindStatic(const std::string& path) const;
  // Headers every response carries.
  std::vector<std::pair<std::string, std::string>> SecurityHeaders() const;

 private:
  explicit Gateway(GatewayOptions options);
  absl::Status LoadStatic();
  void Route();

  GatewayOptions options_;
  std::map<std::string, const google::protobuf::MethodDescriptor*> methods_;
  std::map<std::string, StaticFile> static_;  // "/a/app.js" -> file
  std::unique_ptr<httplib::Server> http_;
};

}  // namespace survey::gateway

#endif  // SURVEY_GATEWAY_GATEWAY_H_
