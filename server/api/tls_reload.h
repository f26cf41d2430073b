// TLS of the gRPC port, with the certificate and key reloadable while the
// server runs (`systemctl reload` sends SIGHUP; main.cc calls
// SurveyServer::ReloadTls).
//
// gRPC 1.51 can change a running server's certificate only through a
// certificate provider, and its only provider that changes is
// FileWatcherCertificateProvider, which polls files. Pointing it at the
// operator's files would pick up a half-copied certificate, or a new
// certificate before its new key, whenever it happened to poll. So the
// server checks the files itself (the same checks as at start: a
// certificate, a key of mode 0600 that belongs to it) and then hands gRPC
// its own copies, one generation per directory behind a symlink that is
// swapped in one rename: the watcher (1 s period) sees the old pair or
// the new pair, never a mix, and only after a reload. Connections already
// open keep their session; new handshakes get the new certificate.
//
// The copies live in a directory of mode 0700 under $RUNTIME_DIRECTORY
// (systemd's RuntimeDirectory=), else $TMPDIR or /tmp, removed on exit.
#ifndef SURVEY_API_TLS_RELOAD_H_
#define SURVEY_API_TLS_RELOAD_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace grpc {
class ServerCredentials;
}

namespace survey::api {

struct TlsFiles {
  std::string cert;       // --tls-cert
  std::string key;        // --tls-key (mode 0600)
  std::string client_ca;  // --tls-client-ca, optional (staff mTLS)
};

class ReloadableTls {
 public:
  // FailedPrecondition naming the flag if a file is unreadable, not PEM,
  // the key readable by others or not the certificate's.
  static absl::StatusOr<std::unique_ptr<ReloadableTls>> Create(TlsFiles files);
  ~ReloadableTls();  // removes the copies

  // For the server builder: TLS 1.2 at least, the client certificate
  // requested and verified against client_ca if one is given.
  std::shared_ptr<grpc::ServerCredentials> credentials() const {
    return credentials_;
  }

  // Reads the files again; if they pass the checks, new handshakes use
  // them within about a second. If not, the current pair stays and the
  // error says why. Thread-safe.
  absl::Status Reload();

 private:
  explicit ReloadableTls(TlsFiles files) : files_(std::move(files)) {}
  absl::Status Install(const std::string& cert, const std::string& key,
                       const std::string& ca) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const TlsFiles files_;
  std::string dir_;  // the private directory of the copies
  absl::Mutex mu_;
  int generation_ ABSL_GUARDED_BY(mu_) = 0;
  std::shared_ptr<grpc::ServerCredentials> credentials_;
};

// The checked contents of the files (also used at start). `key` ends with
// a newline.
struct TlsMaterial {
  std::string cert, key, ca;
};
absl::StatusOr<TlsMaterial> ReadTlsFiles(const TlsFiles& files);

}  // namespace survey::api

#endif  // SURVEY_API_TLS_RELOAD_H_
