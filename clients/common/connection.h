// How staff clients reach the server: address, TLS or plaintext, identity,
// deadline. Every call gets a deadline.
#ifndef SURVEY_CLIENTS_COMMON_CONNECTION_H_
#define SURVEY_CLIENTS_COMMON_CONNECTION_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace survey::client {

struct ConnectionOptions {
  std::string server = "127.0.0.1:50051";
  bool insecure = false;        // plaintext (development servers only)
  std::string tls_ca_file;      // CA of the server certificate
  std::string tls_cert_file;    // staff client certificate (mTLS)
  std::string tls_key_file;
  std::string dev_principal;    // x-survey-dev-principal, --insecure only
  std::string api_key;          // staff API key: "authorization: Bearer <key>"
  double timeout_seconds = 30;
};

// The API key in `path`: its first line, surrounding whitespace removed.
// NotFound if unreadable, InvalidArgument if empty.
absl::StatusOr<std::string> ReadApiKeyFile(const std::string& path);

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const ConnectionOptions& options);

// A context with the deadline and identity metadata set.
std::unique_ptr<grpc::ClientContext> MakeContext(const ConnectionOptions& options);

// "CODE: message" for people.
std::string Describe(const grpc::Status& status);

}  // namespace survey::client

#endif  // SURVEY_CLIENTS_COMMON_CONNECTION_H_
