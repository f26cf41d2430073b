#include "common/tls_probe.h"

#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/connection.h"

namespace survey::client {
namespace {

std::string OpenSslError() {
  unsigned long e = ERR_peek_last_error();
  ERR_clear_error();
  if (e == 0) return "";
  const char* reason = ERR_reason_error_string(e);
  return reason != nullptr ? reason : absl::StrCat("error ", e);
}

// A TCP connection to host:port, or -1.
int Connect(const std::string& server, int timeout_ms) {
  size_t colon = server.rfind(':');
  if (colon == std::string::npos) return -1;
  std::string host = server.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), server.substr(colon + 1).c_str(), &hints, &found) != 0) {
    return -1;
  }
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  return fd;
}

}  // namespace

std::string ProbeTls(const ConnectionOptions& o, double timeout_seconds) {
  const int timeout_ms = static_cast<int>(std::min(timeout_seconds, 5.0) * 1000);
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                         SSL_CTX_free);
  if (!ctx) return "";
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (!o.tls_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), o.tls_ca_file.c_str(), nullptr) != 1) {
      return absl::StrCat("--tls-ca ", o.tls_ca_file, ": not a CA certificate (",
                          OpenSslError(), ")");
    }
  } else {
    SSL_CTX_set_default_verify_paths(ctx.get());
  }
  if (!o.tls_cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), o.tls_cert_file.c_str()) != 1) {
      return absl::StrCat("--tls-cert ", o.tls_cert_file, ": not a certificate (",
                          OpenSslError(), ")");
    }
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), o.tls_key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx.get()) != 1) {
      return absl::StrCat("--tls-key ", o.tls_key_file,
                          ": not the private key of --tls-cert (", OpenSslError(), ")");
    }
  }
  static constexpr unsigned char kAlpn[] = {2, 'h', '2'};
  SSL_CTX_set_alpn_protos(ctx.get(), kAlpn, sizeof kAlpn);

  // A server that drops us mid-write must not kill the process with
  // SIGPIPE (surveyctl is about to report and exit anyway).
  signal(SIGPIPE, SIG_IGN);
  int fd = Connect(o.server, timeout_ms);
  if (fd < 0) return "";  // not a TLS problem: gRPC's message says enough
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  SSL_set_fd(ssl.get(), fd);
  const std::string host = o.server.substr(0, o.server.rfind(':'));
  SSL_set_tlsext_host_name(ssl.get(), host.c_str());
  SSL_set1_host(ssl.get(), host.c_str());
  std::string verdict;
  ERR_clear_error();
  if (SSL_connect(ssl.get()) != 1) {
    long v = SSL_get_verify_result(ssl.get());
    if (v != X509_V_OK) {
      verdict = absl::StrCat("certificate verify failed: ", X509_verify_cert_error_string(v),
                             " (the server's certificate does not verify against ",
                             o.tls_ca_file.empty() ? "the system CAs" : "--tls-ca", ")");
    } else {
      std::string e = OpenSslError();
      verdict = absl::StrContains(e, "alert")
                    ? absl::StrCat("the server refused the client certificate",
                                   o.tls_cert_file.empty() ? " (none was given: --tls-cert)"
                                                           : " (--tls-cert)",
                                   ": ", e)
                    : absl::StrCat("TLS handshake failed: ", e.empty() ? "connection closed" : e);
    }
  } else {
    // With TLS 1.3 the server judges our certificate after the client's
    // handshake is done: its refusal arrives on the first read, as an
    // alert or (gRPC's server) as the connection closed before any byte.
    static constexpr char kPreface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    SSL_write(ssl.get(), kPreface, sizeof kPreface - 1);
    char buf[64];
    if (SSL_read(ssl.get(), buf, sizeof buf) <= 0) {
      std::string e = OpenSslError();
      verdict = absl::StrCat(
          "the server refused the client certificate",
          o.tls_cert_file.empty() ? " (none was given: --tls-cert)"
                                  : absl::StrCat(" ", o.tls_cert_file,
                                                 ": certificate verify failed on the server, "
                                                 "it is not from the server's --tls-client-ca"),
          e.empty() ? "" : absl::StrCat(" (", e, ")"));
    }
  }
  close(fd);
  return verdict;
}

}  // namespace survey::client
