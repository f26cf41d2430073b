#include "common/connection.h"

#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/tls_probe.h"

namespace survey::client {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::OK: return "OK";
    case grpc::CANCELLED: return "CANCELLED";
    case grpc::UNKNOWN: return "UNKNOWN";
    case grpc::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::NOT_FOUND: return "NOT_FOUND";
    case grpc::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::ABORTED: return "ABORTED";
    case grpc::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::INTERNAL: return "INTERNAL";
    case grpc::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::DATA_LOSS: return "DATA_LOSS";
    case grpc::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN_CODE";
  }
}

}  // namespace

absl::StatusOr<std::string> ReadApiKeyFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  std::string key = text->substr(0, text->find('\n'));
  absl::StripAsciiWhitespace(&key);
  if (key.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": no API key in it"));
  }
  return key;
}

namespace {

// The TLS settings of the last channel made, for Describe (a command line
// makes one connection; nullptr for plaintext).
std::unique_ptr<ConnectionOptions>& TlsOptionsSlot() {
  static auto* slot = new std::unique_ptr<ConnectionOptions>();
  return *slot;
}

const ConnectionOptions* TlsOptions() { return TlsOptionsSlot().get(); }

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const ConnectionOptions& options) {
  TlsOptionsSlot() = options.insecure ? nullptr : std::make_unique<ConnectionOptions>(options);
  if (options.insecure) {
    return grpc::CreateChannel(options.server,
                               grpc::InsecureChannelCredentials());
  }
  grpc::SslCredentialsOptions ssl;
  if (!options.tls_ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadFile(options.tls_ca_file);
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *ca;
  }
  if (!options.tls_cert_file.empty()) {
    absl::StatusOr<std::string> cert = ReadFile(options.tls_cert_file);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadFile(options.tls_key_file);
    if (!key.ok()) return key.status();
    ssl.pem_cert_chain = *cert;
    ssl.pem_private_key = *key;
  }
  return grpc::CreateChannel(options.server, grpc::SslCredentials(ssl));
}

std::unique_ptr<grpc::ClientContext> MakeContext(
    const ConnectionOptions& options) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(
                        static_cast<int64_t>(options.timeout_seconds * 1000)));
  if (!options.dev_principal.empty()) {
    ctx->AddMetadata("x-survey-dev-principal", options.dev_principal);
  }
  if (!options.api_key.empty()) {
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", options.api_key));
  }
  return ctx;
}

std::string Describe(const grpc::Status& status) {
  std::string out = absl::StrCat(CodeName(status.error_code()), ": ",
                                 status.error_message());
  // A connection that never got going over TLS: say what failed (once per
  // process; common/tls_probe.h).
  static bool probed = false;
  const std::string& m = status.error_message();
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE && TlsOptions() != nullptr &&
      !probed &&
      (absl::StrContains(m, "Socket closed") || absl::StrContains(m, "failed to connect") ||
       absl::StrContains(m, "andshake") || absl::StrContains(m, "Connection reset"))) {
    probed = true;
    std::string why = ProbeTls(*TlsOptions(), TlsOptions()->timeout_seconds);
    if (!why.empty()) absl::StrAppend(&out, " (TLS: ", why, ")");
  }
  return out;
}

}  // namespace survey::client
